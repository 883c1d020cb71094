//! Printing generated tokens as readable Rust without parsing them.
//!
//! The generated code has a small set of shapes (items with attributes, struct fields, `impl`
//! blocks with short bodies), so a printer that walks the token stream directly and decides
//! spacing from neighbouring tokens is enough. It is several times cheaper than building a
//! syntax tree and pretty-printing it, which matters at F&O scale (thousands of entity types of
//! about a hundred properties each). Doc attributes become `///` comments, a brace block opens a
//! new indented line per statement or field, and lines are kept under [`MAX_WIDTH`] columns the
//! way rustfmt breaks them:
//! - a parenthesised or bracketed list that is long, or would end its line past the limit, is
//!   split one element per line;
//! - a `let`, `const` or `type` whose value would end past the limit continues on the next line
//!   after `=`;
//! - a statement that is still too long is printed again with its first generic argument list
//!   split one argument per line (`Field<\n    super::E,\n    T,\n> = …`).
//!
//! Only doc text and string literals too long for any line stay longer.

use std::fmt::Write as _;

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};

/// Struct literals no wider than this stay on one line (rustfmt's `struct_lit_width`).
const STRUCT_LITERAL_WIDTH: usize = 18;

/// Keywords that make the brace block ending their line a body or an item, never a struct
/// literal.
const BLOCK_KEYWORDS: &[&str] = &[
    "async", "else", "enum", "extern", "fn", "for", "if", "impl", "loop", "match", "mod", "move",
    "struct", "trait", "union", "unsafe", "where", "while",
];

/// Argument lists, arrays and tuples longer than this are split one element per line
/// (rustfmt's `fn_call_width` and `array_width`); a function's parameters only when its
/// signature does not fit in [`MAX_WIDTH`].
const LIST_WIDTH: usize = 60;

/// The widest line the printer writes on purpose (rustfmt's default `max_width`).
pub(crate) const MAX_WIDTH: usize = 100;

/// Keywords after which an opening parenthesis or bracket is preceded by a space.
const SPACED_KEYWORDS: &[&str] = &[
    "as", "dyn", "else", "for", "if", "impl", "in", "let", "match", "move", "mut", "return", "use",
    "where", "while",
];

/// The previous token on the current line, as far as spacing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Start of a line or just after an opening delimiter: no space.
    Open,
    /// An identifier or literal; `keyword` when it is one of [`SPACED_KEYWORDS`].
    Word { keyword: bool, impl_kw: bool },
    /// An operator written with a space after it (`=`, `=>`, `->`, `:`, a closing `|`).
    Spaced,
    /// A token the next one follows without a space (`::`, `.`, `&`, `!`, `<`, `'`, an opening
    /// `|`).
    Tight,
    /// A closing delimiter, `>` or `?`.
    Close,
    /// The `>` closing the generic parameters of an `impl` header (`impl<'de> ::serde::…`).
    CloseImpl,
}

impl Prev {
    fn ends_word(self) -> bool {
        matches!(self, Prev::Word { .. } | Prev::Close | Prev::CloseImpl)
    }
}

/// Operators of more than one character, longest first.
const OPERATORS: &[&str] = &[
    "::", "->", "=>", "..", "&&", "||", "==", "!=", "<=", ">=", "+=",
];

/// Prints `tokens` as Rust source, one item after another, ending with a newline.
pub(crate) fn print(tokens: TokenStream) -> String {
    let mut printer = Printer::new(0);
    printer.block_body(tokens);
    printer.out
}

struct Printer {
    out: String,
    indent: usize,
    /// Inside an attribute: lists stay on one line.
    no_split: bool,
    /// Printing a statement again because it was too long: [`Wide::Generics`] splits its
    /// first generic argument list with a comma, [`Wide::Colon`] breaks after its `:`.
    wide: Wide,
    /// The column the output starts at, when it is a part of a line measured on its own.
    base: usize,
    /// Columns the enclosing lists add after the output (their closing delimiters).
    outer: usize,
    /// Printing a statement again because it was too long: a list also counts what follows
    /// it on its line, and a single long element may go on a line of its own. Off on the
    /// first try, which is enough for most lines and saves measuring what follows each list.
    tails: bool,
}

/// How a statement that was too long is printed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wide {
    /// As usual (the first try, and the second with [`Printer::tails`]).
    No,
    /// Its first generic argument list with a comma one argument per line.
    Generics,
    /// A break after the `:` of a `const`, `let`, field or struct literal field, the type or
    /// value on an indented line.
    Colon,
}

/// Per-line state: the previous token, whether a closure parameter list is open, and for each
/// open `<` whether it follows `impl`.
struct Line {
    prev: Prev,
    closure_open: bool,
    angles: Vec<bool>,
    /// The statement continues on an indented line after `=`.
    continued: bool,
    /// A generic argument list has been split, or a break made after `:` ([`Printer::wide`]).
    split_angles: bool,
    /// After `fn`, before its parameter list.
    fn_params: bool,
    /// A keyword of [`BLOCK_KEYWORDS`] has been seen: a brace block is not a struct literal.
    block: bool,
}

impl Line {
    fn new() -> Self {
        Line {
            prev: Prev::Open,
            closure_open: false,
            angles: Vec::new(),
            continued: false,
            split_angles: false,
            fn_params: false,
            block: false,
        }
    }
}

/// The operator starting at `tokens[start]` (joint punctuation such as `::` or `'` of a
/// lifetime) and the index after it.
fn operator(tokens: &[TokenTree], start: usize) -> (String, usize) {
    let mut run = String::new();
    let mut i = start;
    while let Some(TokenTree::Punct(p)) = tokens.get(i) {
        run.push(p.as_char());
        i += 1;
        if p.spacing() == Spacing::Alone {
            break;
        }
    }
    let len = OPERATORS
        .iter()
        .find(|op| run.starts_with(**op))
        .map_or(1, |op| op.len());
    run.truncate(len);
    (run, start + len)
}

impl Printer {
    fn new(indent: usize) -> Self {
        Printer {
            out: String::new(),
            indent,
            no_split: false,
            wide: Wide::No,
            base: 0,
            outer: 0,
            tails: false,
        }
    }

    fn nested(&self, indent: usize) -> Self {
        Printer {
            out: String::new(),
            indent,
            no_split: self.no_split,
            wide: Wide::No,
            base: 0,
            outer: 0,
            tails: self.tails,
        }
    }

    /// The width of the current (last) line.
    fn column(&self) -> usize {
        match self.out.rfind('\n') {
            Some(n) => width(&self.out[n + 1..]),
            None => self.base + width(&self.out),
        }
    }

    /// Ends a statement line: undoes the indentation of a continuation after `=`.
    fn end_line(&mut self, line: &mut Line) {
        if line.continued {
            self.indent -= 1;
        }
        *line = Line::new();
    }

    fn newline(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn start_line(&mut self) {
        if self.out.is_empty() || self.out.ends_with('\n') {
            for _ in 0..self.indent {
                self.out.push_str("    ");
            }
        }
    }

    /// The contents of a brace block (or the whole file): statements, items, fields or match
    /// arms, each on its own line.
    fn block_body(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut line = Line::new();
        // Where the current statement started: token index and output position.
        let mut statement: Option<(usize, usize)> = None;
        let mut i = 0;
        while i < tokens.len() {
            // Attributes: `#[doc = "..."]` as `///`, others on a line of their own.
            if let (Some(TokenTree::Punct(hash)), Some(TokenTree::Group(group))) =
                (tokens.get(i), tokens.get(i + 1))
                && hash.as_char() == '#'
                && group.delimiter() == Delimiter::Bracket
            {
                self.fit(&tokens, statement.take(), i, 0, &mut line);
                self.newline();
                self.start_line();
                match doc_text(group) {
                    Some(text) => {
                        self.out.push_str("///");
                        self.out.push_str(&text);
                    }
                    None => {
                        let start = self.out.len();
                        self.out.push('#');
                        self.no_split = true;
                        self.group(group, &[], false);
                        self.no_split = false;
                        if self.column() > MAX_WIDTH
                            && let Some(derives) = derive_list(group)
                        {
                            // As rustfmt writes a long derive: one path per line.
                            self.out.truncate(start);
                            self.out.push_str("#[derive(");
                            for path in derives {
                                self.out.push('\n');
                                for _ in 0..=self.indent {
                                    self.out.push_str("    ");
                                }
                                self.out.push_str(&path);
                                self.out.push(',');
                            }
                            self.out.push('\n');
                            self.start_line();
                            self.out.push_str(")]");
                        }
                    }
                }
                self.newline();
                self.end_line(&mut line);
                i += 2;
                continue;
            }
            match &tokens[i] {
                TokenTree::Punct(p)
                    if (p.as_char() == ';' || p.as_char() == ',') && line.angles.is_empty() =>
                {
                    self.fit(&tokens, statement.take(), i, 1, &mut line);
                    self.out.push(p.as_char());
                    self.newline();
                    self.end_line(&mut line);
                    i += 1;
                }
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    self.fit(&tokens, statement.take(), i, " {".len(), &mut line);
                    self.brace(g, &line);
                    // A block ends a line unless punctuation continues the expression.
                    let continues = matches!(
                        tokens.get(i + 1),
                        Some(TokenTree::Punct(p)) if matches!(p.as_char(), ',' | ';' | '.' | '?')
                    ) || matches!(tokens.get(i + 1), Some(TokenTree::Ident(e)) if e == "else");
                    if continues {
                        line.prev = Prev::Close;
                    } else {
                        self.newline();
                        self.end_line(&mut line);
                    }
                    i += 1;
                }
                _ => {
                    if statement.is_none() {
                        statement = Some((i, self.out.len()));
                    }
                    if let Some(next) = self.arm_block(&tokens, i, &mut line) {
                        statement = None;
                        i = next;
                        continue;
                    }
                    self.start_line();
                    i = self.statement_token(&tokens, i, &mut line);
                }
            }
        }
        self.fit(&tokens, statement.take(), tokens.len(), 0, &mut line);
        self.newline();
    }

    /// One token of a statement line, breaking after `=` when the value would end the line
    /// past [`MAX_WIDTH`] but fits on a line of its own, and (when [`Printer::wide`]) splitting
    /// the first generic argument list with a comma.
    fn statement_token(&mut self, tokens: &[TokenTree], i: usize, line: &mut Line) -> usize {
        if let TokenTree::Punct(p) = &tokens[i]
            && line.angles.is_empty()
        {
            if p.as_char() == '='
                && p.spacing() == Spacing::Alone
                && let Some(end) = value_end(tokens, i + 1)
            {
                let column = self.column();
                let value = self.inline_width(&tokens[i + 1..end]) + 1;
                let indent = self.indent + usize::from(!line.continued);
                if column + 3 + value > MAX_WIDTH
                    && column + 2 <= MAX_WIDTH
                    && indent * 4 + value <= MAX_WIDTH
                {
                    self.out.push_str(" =");
                    self.newline();
                    self.indent = indent;
                    line.continued = true;
                    line.prev = Prev::Open;
                    return i + 1;
                }
            }
            if self.wide == Wide::Colon
                && !line.split_angles
                && !line.continued
                && p.as_char() == ':'
                && p.spacing() == Spacing::Alone
            {
                self.out.push(':');
                self.newline();
                self.indent += 1;
                line.continued = true;
                line.split_angles = true;
                line.prev = Prev::Open;
                return i + 1;
            }
            if self.wide == Wide::Generics
                && !line.split_angles
                && p.as_char() == '<'
                && p.spacing() == Spacing::Alone
                && let Some(close) = generic_close(tokens, i)
            {
                self.split_generics(&tokens[i + 1..close], line);
                return close + 1;
            }
        }
        self.token(tokens, i, line)
    }

    /// At the `=>` of a match arm whose expression would end its line past [`MAX_WIDTH`]: the
    /// expression in a block of its own, as rustfmt writes it (`=> {`, the expression, `}`
    /// without the comma). Returns the index after the arm, or `None` for anything else.
    fn arm_block(&mut self, tokens: &[TokenTree], i: usize, line: &mut Line) -> Option<usize> {
        let (TokenTree::Punct(p), Some(TokenTree::Punct(q))) = (&tokens[i], tokens.get(i + 1))
        else {
            return None;
        };
        if p.as_char() != '=' || p.spacing() != Spacing::Joint || q.as_char() != '>' {
            return None;
        }
        if !line.angles.is_empty() || line.continued {
            return None;
        }
        let end = arm_end(tokens, i + 2)?;
        let body = &tokens[i + 2..end];
        // ` => ` before the expression, `,` after it.
        if self.column() + " => ".len() + self.inline_width(body) + ",".len() <= MAX_WIDTH {
            return None;
        }
        self.out.push_str(" => {");
        self.newline();
        self.indent += 1;
        let mut inner = Line::new();
        let mut k = 0;
        while k < body.len() {
            self.start_line();
            k = self.statement_token(body, k, &mut inner);
        }
        self.newline();
        self.end_line(&mut inner);
        self.indent -= 1;
        self.start_line();
        self.out.push('}');
        self.newline();
        self.end_line(line);
        Some(if end < tokens.len() { end + 1 } else { end })
    }

    /// `<` + one generic argument per line + `>`, for the arguments `inner`.
    fn split_generics(&mut self, inner: &[TokenTree], line: &mut Line) {
        self.out.push('<');
        self.newline();
        self.indent += 1;
        let mut depth = 0usize;
        let mut element = Line::new();
        let mut k = 0;
        while k < inner.len() {
            if let TokenTree::Punct(p) = &inner[k] {
                match p.as_char() {
                    '<' => depth += 1,
                    '>' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => {
                        self.out.push(',');
                        self.newline();
                        element = Line::new();
                        k += 1;
                        continue;
                    }
                    _ => {}
                }
            }
            self.start_line();
            k = self.token(inner, k, &mut element);
        }
        if !self.out.ends_with('\n') {
            self.out.push(',');
            self.newline();
        }
        self.indent -= 1;
        self.start_line();
        self.out.push('>');
        line.prev = Prev::Close;
        line.split_angles = true;
    }

    /// Ends the statement `tokens[from..end]` (printed from output position `at`, its last line
    /// to be followed by `closing` columns): while one of its lines is wider than
    /// [`MAX_WIDTH`], it is printed again measuring what follows each list, then also with its
    /// first generic argument list split, then instead with a break after its `:`.
    fn fit(
        &mut self,
        tokens: &[TokenTree],
        statement: Option<(usize, usize)>,
        end: usize,
        closing: usize,
        line: &mut Line,
    ) {
        let Some((from, at)) = statement else {
            return;
        };
        if self.wide != Wide::No || self.tails {
            return;
        }
        let tokens = &tokens[..end];
        for wide in [Wide::No, Wide::Generics, Wide::Colon] {
            if self.out[at..].lines().all(|l| width(l) <= MAX_WIDTH)
                && self.column() + closing <= MAX_WIDTH
            {
                return;
            }
            // A pass can only shorten a line where what it changes starts: a list (`(`, `[`)
            // or generic arguments (`<`).
            let starts = |c: char| {
                self.out[at..]
                    .lines()
                    .any(|l| width(l) + closing > MAX_WIDTH && l.contains(c))
            };
            let applies = match wide {
                Wide::No => starts('(') || starts('['),
                Wide::Generics => starts('<') &&  (from..end).any(|k| {
                    matches!(&tokens[k], TokenTree::Punct(p) if p.as_char() == '<' && p.spacing() == Spacing::Alone)
                        && generic_close(tokens, k).is_some()
                }),
                _ => has_colon(&tokens[from..]),
            };
            if !applies {
                continue;
            }
            self.out.truncate(at);
            self.end_line(line);
            self.wide = wide;
            self.tails = true;
            // What follows the statement's tokens counts as what follows its last list.
            let outer = std::mem::replace(&mut self.outer, closing);
            let mut k = from;
            while k < end {
                self.start_line();
                k = self.statement_token(tokens, k, line);
            }
            self.outer = outer;
            self.wide = Wide::No;
            self.tails = false;
        }
    }

    /// The width of `tokens` printed on one line.
    fn inline_width(&self, tokens: &[TokenTree]) -> usize {
        let mut inline = self.nested(self.indent);
        inline.no_split = true;
        let mut line = Line::new();
        let mut k = 0;
        while k < tokens.len() {
            k = inline.token(tokens, k, &mut line);
        }
        width(&inline.out)
    }

    /// The width of what follows a group on its line: the tokens from `from` up to the end
    /// of the statement or list element (`;`, `,`), or an opening brace (` {`); at the end of
    /// `tokens`, what the enclosing lists add.
    fn tail_width(&self, tokens: &[TokenTree], from: usize) -> usize {
        let mut inline = self.nested(self.indent);
        inline.no_split = true;
        let mut line = Line::new();
        line.prev = Prev::Close;
        let mut k = from;
        while let Some(token) = tokens.get(k) {
            match token {
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    return width(&inline.out) + 2;
                }
                TokenTree::Punct(p)
                    if p.as_char() == ';' || (p.as_char() == ',' && line.angles.is_empty()) =>
                {
                    return width(&inline.out) + 1;
                }
                _ => k = inline.token(tokens, k, &mut line),
            }
        }
        width(&inline.out) + self.outer
    }

    /// `{ ... }` with its contents indented on the lines between the braces.
    /// A short struct literal (`Self { request }`) stays on one line.
    fn brace(&mut self, group: &Group, line: &Line) {
        self.start_line();
        let prev = line.prev;
        if prev != Prev::Open && prev != Prev::Tight {
            self.out.push(' ');
        }
        let stream = group.stream();
        if stream.is_empty() {
            self.out.push_str("{}");
            return;
        }
        if matches!(prev, Prev::Word { keyword: false, .. }) && !line.block {
            let tokens: Vec<TokenTree> = stream.clone().into_iter().collect();
            let flat = tokens.iter().all(|t| match t {
                TokenTree::Group(g) => g.delimiter() != Delimiter::Brace,
                TokenTree::Punct(p) => p.as_char() != ';',
                _ => true,
            });
            if flat {
                let mut inline = self.nested(self.indent);
                inline.no_split = true;
                inline.list(&tokens, false);
                if inline.out.ends_with(',') {
                    inline.out.pop();
                }
                if width(&inline.out) <= STRUCT_LITERAL_WIDTH {
                    self.out.push_str("{ ");
                    self.out.push_str(&inline.out);
                    self.out.push_str(" }");
                    return;
                }
            }
        }
        self.out.push('{');
        self.newline();
        self.indent += 1;
        self.block_body(stream);
        self.indent -= 1;
        self.start_line();
        self.out.push('}');
    }

    /// One token (or operator) of a line; returns the index after it.
    fn token(&mut self, tokens: &[TokenTree], i: usize, line: &mut Line) -> usize {
        match &tokens[i] {
            TokenTree::Ident(ident) => {
                if line.prev.ends_word() || line.prev == Prev::Spaced {
                    self.out.push(' ');
                }
                // Written in place and looked at there: no string per identifier.
                let lifetime = self.out.ends_with('\'');
                let start = self.out.len();
                let _ = write!(self.out, "{ident}");
                let text = &self.out[start..];
                line.fn_params |= text == "fn";
                line.block |= BLOCK_KEYWORDS.contains(&text);
                line.prev = Prev::Word {
                    // `&'a [T]`: a lifetime is spaced from a slice type like a keyword.
                    keyword: lifetime || SPACED_KEYWORDS.contains(&text),
                    impl_kw: text == "impl",
                };
                i + 1
            }
            TokenTree::Literal(lit) => {
                if line.prev.ends_word() || line.prev == Prev::Spaced {
                    self.out.push(' ');
                }
                let _ = write!(self.out, "{lit}");
                line.prev = Prev::Word {
                    keyword: false,
                    impl_kw: false,
                };
                i + 1
            }
            TokenTree::Group(group) => {
                if group.delimiter() == Delimiter::Brace {
                    self.brace(group, line);
                } else {
                    let space = match line.prev {
                        Prev::Word { keyword, .. } => keyword,
                        Prev::Spaced => true,
                        Prev::Open | Prev::Tight | Prev::Close | Prev::CloseImpl => false,
                    };
                    if space {
                        self.out.push(' ');
                    }
                    let params = line.fn_params && group.delimiter() == Delimiter::Parenthesis;
                    line.fn_params &= !params;
                    self.group(group, &tokens[i + 1..], params);
                }
                line.prev = Prev::Close;
                i + 1
            }
            TokenTree::Punct(_) => {
                let (op, next) = operator(tokens, i);
                self.punct(&op, line);
                next
            }
        }
    }

    fn punct(&mut self, op: &str, line: &mut Line) {
        let prev = line.prev;
        line.prev = match op {
            "::" => {
                let spaced = match prev {
                    Prev::Spaced | Prev::CloseImpl => true,
                    Prev::Word { keyword, .. } => keyword,
                    Prev::Open | Prev::Tight | Prev::Close => false,
                };
                if spaced {
                    self.out.push(' ');
                }
                Prev::Tight
            }
            "<" => {
                // A qualified path (`= <T as Trait>::f`) rather than generic arguments.
                if prev == Prev::Spaced {
                    self.out.push(' ');
                }
                line.angles
                    .push(matches!(prev, Prev::Word { impl_kw: true, .. }));
                Prev::Tight
            }
            ">" => {
                if line.angles.pop().unwrap_or(false) {
                    Prev::CloseImpl
                } else {
                    Prev::Close
                }
            }
            "." | ".." => Prev::Tight,
            "?" => Prev::Close,
            ":" | ";" | "," => Prev::Spaced,
            "|" if line.closure_open => {
                line.closure_open = false;
                Prev::Spaced
            }
            "|" => {
                line.closure_open = true;
                self.space_unless_open(prev);
                Prev::Tight
            }
            // Prefix operators: `!value`, `&value`, `'lifetime`, `-1`; `name!` is a macro.
            "!" | "&" | "*" | "'" | "-" | "||" if !prev.ends_word() => {
                self.space_unless_open(prev);
                if op == "||" {
                    Prev::Spaced
                } else {
                    Prev::Tight
                }
            }
            "!" => Prev::Tight,
            _ => {
                self.space_unless_open(prev);
                Prev::Spaced
            }
        };
        self.out.push_str(op);
    }

    fn space_unless_open(&mut self, prev: Prev) {
        if !matches!(prev, Prev::Open | Prev::Tight) {
            self.out.push(' ');
        }
    }

    /// A parenthesised or bracketed group: on one line when short enough (or inside an
    /// attribute), else one element per line. `rest` is what follows it on its line; `params`
    /// when it is a function's parameter list.
    fn group(&mut self, group: &Group, rest: &[TokenTree], params: bool) {
        let (open, close) = match group.delimiter() {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::Brace => ("{", "}"),
            Delimiter::None => ("", ""),
        };
        let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
        let column = self.column() + open.len();
        let mut inline = self.nested(self.indent);
        inline.base = column;
        inline.outer = self.outer + close.len();
        inline.list(&tokens, false);
        // The generated code has no one-element tuples, so a trailing comma is never needed.
        if inline.out.ends_with(',') {
            inline.out.pop();
        }
        // Separating commas: a trailing one does not make a second element.
        let trailing = matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',');
        let commas = tokens
            .iter()
            .filter(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
            .count()
            - usize::from(trailing);
        let one_line = !inline.out.contains('\n');
        let inline_width = width(&inline.out);
        let split = !self.no_split
            && !tokens.is_empty()
            && if commas > 0 {
                let tail = if self.tails {
                    self.tail_width(rest, 0)
                } else {
                    self.outer
                };
                !one_line
                    || (!params && inline_width > LIST_WIDTH)
                    || column + inline_width + close.len() + tail > MAX_WIDTH
            } else {
                // One element goes on a line of its own only when that makes its lines fit.
                let tail = if self.tails && one_line {
                    close.len() + self.tail_width(rest, 0)
                } else {
                    0
                };
                self.tails
                    && one_line
                    && column + inline_width + tail > MAX_WIDTH
                    && (self.indent + 1) * 4 + inline_width + ",".len() <= MAX_WIDTH
                    && self.indent * 4 + tail <= MAX_WIDTH
            };
        self.out.push_str(open);
        if !split {
            self.out.push_str(&inline.out);
        } else {
            let mut lines = self.nested(self.indent + 1);
            lines.outer = 1;
            lines.out.push('\n');
            lines.list(&tokens, true);
            lines.newline();
            if !lines.out.ends_with(",\n") {
                lines.out.pop();
                lines.out.push_str(",\n");
            }
            self.out.push_str(&lines.out);
            for _ in 0..self.indent {
                self.out.push_str("    ");
            }
        }
        self.out.push_str(close);
    }

    /// The elements of a list, separated by `, ` or (when `split`) one per line.
    fn list(&mut self, tokens: &[TokenTree], split: bool) {
        let mut line = Line::new();
        let mut i = 0;
        while i < tokens.len() {
            if let TokenTree::Punct(p) = &tokens[i]
                && p.as_char() == ','
                && line.angles.is_empty()
                && !line.closure_open
            {
                self.out.push(',');
                if split {
                    self.newline();
                } else if i + 1 < tokens.len() {
                    self.out.push(' ');
                }
                line = Line::new();
                i += 1;
                continue;
            }
            if split {
                self.start_line();
            }
            i = self.token(tokens, i, &mut line);
        }
    }
}

/// The width of `text` in columns (characters; the generated code is ASCII outside literals).
fn width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// The index of the `;` ending a value that starts at `from` (or the end of the tokens: the
/// expression of a block or match arm), or `None` when a brace block comes first (a value
/// rustfmt does not move to the next line).
fn value_end(tokens: &[TokenTree], from: usize) -> Option<usize> {
    for (k, token) in tokens.iter().enumerate().skip(from) {
        match token {
            TokenTree::Punct(p) if p.as_char() == ';' => return Some(k),
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => return None,
            _ => {}
        }
    }
    (tokens.len() > from).then_some(tokens.len())
}

/// Whether `tokens` have a `:` outside generic arguments (a typed `const`, `let` or field).
fn has_colon(tokens: &[TokenTree]) -> bool {
    let mut depth = 0usize;
    let mut k = 0;
    while k < tokens.len() {
        if let TokenTree::Punct(_) = &tokens[k] {
            let (op, next) = operator(tokens, k);
            match op.as_str() {
                "<" => depth += 1,
                ">" => depth = depth.saturating_sub(1),
                ":" if depth == 0 => return true,
                _ => {}
            }
            k = next;
        } else {
            k += 1;
        }
    }
    false
}

/// The index of the `,` ending a match arm's expression that starts at `from` (or the end of
/// the tokens), or `None` when the expression holds a brace block or a `;`.
fn arm_end(tokens: &[TokenTree], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = from;
    while k < tokens.len() {
        match &tokens[k] {
            TokenTree::Punct(_) => {
                let (op, next) = operator(tokens, k);
                match op.as_str() {
                    "<" => depth += 1,
                    ">" => depth = depth.saturating_sub(1),
                    "," if depth == 0 => return Some(k),
                    ";" => return None,
                    _ => {}
                }
                k = next;
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => return None,
            _ => k += 1,
        }
    }
    (k > from).then_some(k)
}

/// The index of the `>` closing the generic argument list opened by the `<` at `open`, when
/// that list has more than one argument; `None` for a comparison or a list of one.
fn generic_close(tokens: &[TokenTree], open: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut commas = 0usize;
    let mut k = open + 1;
    while k < tokens.len() {
        match &tokens[k] {
            TokenTree::Punct(_) => {
                let (op, next) = operator(tokens, k);
                match op.as_str() {
                    "<" => depth += 1,
                    ">" => {
                        depth -= 1;
                        if depth == 0 {
                            return (commas > 0).then_some(k);
                        }
                    }
                    "," if depth == 1 => commas += 1,
                    ";" => return None,
                    _ => {}
                }
                k = next;
            }
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => return None,
            _ => k += 1,
        }
    }
    None
}

/// The paths of a `#[derive(...)]` attribute, each written without spaces, when `group` is one.
fn derive_list(group: &Group) -> Option<Vec<String>> {
    let mut tokens = group.stream().into_iter();
    match (tokens.next(), tokens.next(), tokens.next()) {
        (Some(TokenTree::Ident(name)), Some(TokenTree::Group(list)), None)
            if name == "derive" && list.delimiter() == Delimiter::Parenthesis =>
        {
            let mut paths = vec![String::new()];
            for token in list.stream() {
                match token {
                    TokenTree::Punct(p) if p.as_char() == ',' => paths.push(String::new()),
                    TokenTree::Ident(i) => paths.last_mut()?.push_str(&i.to_string()),
                    TokenTree::Punct(p) => paths.last_mut()?.push(p.as_char()),
                    _ => return None,
                }
            }
            paths.retain(|p| !p.is_empty());
            Some(paths)
        }
        _ => None,
    }
}

/// The text of a `#[doc = "..."]` attribute, when `group` is one.
fn doc_text(group: &Group) -> Option<String> {
    let mut tokens = group.stream().into_iter();
    let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(eq)), Some(TokenTree::Literal(lit))) =
        (tokens.next(), tokens.next(), tokens.next())
    else {
        return None;
    };
    if name != "doc" || eq.as_char() != '=' || tokens.next().is_some() {
        return None;
    }
    unquote(&lit.to_string())
}

/// The value of a string literal as written by `proc_macro2` (`"..."` with escapes, or a raw
/// `r"..."`), or `None` for any other literal or a line break inside (which a `///` line cannot
/// hold).
fn unquote(literal: &str) -> Option<String> {
    if let Some(raw) = literal.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw
            .get(hashes..raw.len() - hashes)?
            .strip_prefix('"')?
            .strip_suffix('"')?;
        return (!body.contains(['\n', '\r'])).then(|| body.to_owned());
    }
    let body = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            'u' => {
                let rest = chars.as_str();
                let end = rest.find('}')?;
                let hex = rest.get(1..end)?;
                out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
                chars = rest[end + 1..].chars();
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::print;

    #[test]
    fn items_fields_and_docs() {
        let code = print(quote! {
            /// A customer.
            #[derive(Debug, ::serde::Deserialize)]
            pub struct Customer {
                /// `Name` (`Edm.String`), "quoted" \ back.
                #[serde(rename = "Name")]
                pub name: Option<String>,
                #[doc = "Line one.\nLine two."]
                pub etag: Option<::d365fo_odata::ETag>,
            }
            impl ::d365fo_odata::Ordered<::d365fo_odata::profile::GenericOData> for Customer {}
        });
        assert_eq!(
            code,
            "/// A customer.\n\
             #[derive(Debug, ::serde::Deserialize)]\n\
             pub struct Customer {\n    \
                 /// `Name` (`Edm.String`), \"quoted\" \\ back.\n    \
                 #[serde(rename = \"Name\")]\n    \
                 pub name: Option<String>,\n    \
                 #[doc = \"Line one.\\nLine two.\"]\n    \
                 pub etag: Option<::d365fo_odata::ETag>,\n\
             }\n\
             impl ::d365fo_odata::Ordered<::d365fo_odata::profile::GenericOData> for Customer {}\n"
        );
    }

    #[test]
    fn impl_headers_paths_closures_and_macros() {
        let code = print(quote! {
            impl<'de> ::serde::Deserialize<'de> for Flags {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let text = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                    let names: Vec<&str> = text.split(',').filter(|s| !s.is_empty()).collect();
                    debug_assert!(names.is_empty());
                    Ok(Self(names.len()))
                }
            }
        });
        assert_eq!(
            code,
            "impl<'de> ::serde::Deserialize<'de> for Flags {\n    \
                 fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n        \
                     let text = <String as ::serde::Deserialize>::deserialize(deserializer)?;\n        \
                     let names: Vec<&str> = text.split(',').filter(|s| !s.is_empty()).collect();\n        \
                     debug_assert!(names.is_empty());\n        \
                     Ok(Self(names.len()))\n    \
                 }\n\
             }\n"
        );
    }

    #[test]
    fn long_lists_are_split_and_match_arms_get_lines() {
        let code = print(quote! {
            fn f(&self, out: &mut String) -> &'static str {
                out.push_str(&key_predicate(&[("dataAreaId", &self.data_area_id), ("CustomerAccountNumber", &self.customer_account_number),]));
                match self {
                    Self::Yes => "Yes",
                    Self::Unknown(name) => name,
                }
            }
        });
        assert_eq!(
            code,
            "fn f(&self, out: &mut String) -> &'static str {\n    \
                 out.push_str(&key_predicate(&[\n        \
                     (\"dataAreaId\", &self.data_area_id),\n        \
                     (\"CustomerAccountNumber\", &self.customer_account_number),\n    \
                 ]));\n    \
                 match self {\n        \
                     Self::Yes => \"Yes\",\n        \
                     Self::Unknown(name) => name,\n    \
                 }\n\
             }\n"
        );
    }

    #[test]
    fn printed_code_has_the_same_tokens() {
        let tokens = quote! {
            /// Unbound actions.
            pub mod operations {
                #[allow(clippy::too_many_arguments)]
                pub async fn set_on_hold(client: &::d365fo_odata::Client, account: &str, hold: Option<bool>,) -> ::d365fo_odata::Result<()> {
                    let request = client.action("SetOnHold");
                    let request = match hold {
                        Some(value) => request.parameter("Hold", &value),
                        None => request,
                    };
                    request.value_or_nested::<Vec<i32>>().await
                }
            }
        };
        let printed: proc_macro2::TokenStream = print(tokens.clone()).parse().unwrap();
        let squash = |t: proc_macro2::TokenStream| {
            t.to_string().replace([' ', ','], "").replace("r\"", "\"")
        };
        assert_eq!(squash(printed), squash(tokens));
    }

    /// The widest line of `code`.
    fn widest(code: &str) -> usize {
        code.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn long_derives_take_one_path_per_line_and_short_ones_stay() {
        let code = print(quote! {
            #[derive(Debug, Clone)]
            pub struct Short {}
            pub mod m {
                #[derive(Debug, Clone, PartialEq, ::d365fo_odata::__private::serde::Serialize, ::d365fo_odata::__private::serde::Deserialize)]
                pub struct Long {}
            }
        });
        assert_eq!(
            code,
            "#[derive(Debug, Clone)]\n\
             pub struct Short {}\n\
             pub mod m {\n    \
                 #[derive(\n        \
                     Debug,\n        \
                     Clone,\n        \
                     PartialEq,\n        \
                     ::d365fo_odata::__private::serde::Serialize,\n        \
                     ::d365fo_odata::__private::serde::Deserialize,\n    \
                 )]\n    \
                 pub struct Long {}\n\
             }\n"
        );
    }

    #[test]
    fn long_consts_break_after_the_equals_sign_then_split_generics_then_after_the_colon() {
        let code = print(quote! {
            pub mod customer_group {
                pub const DATA_AREA_ID: ::d365fo_odata::Field<super::CustomerGroup, String> = ::d365fo_odata::Field::new("dataAreaId");
                pub const MODIFIED_DATE_TIME: ::d365fo_odata::Field<super::CustomerGroup, ::d365fo_odata::edm::DateTimeOffset> = ::d365fo_odata::Field::new("ModifiedDateTime");
                pub const MARGIN_COMPONENT_ADJUSTMENT_DEFAULT_LEDGER_DIMENSION_DISPLAY_VALUE: ::d365fo_odata::Field<super::GupParameters, String> = ::d365fo_odata::Field::new("MarginComponentAdjustment");
            }
        });
        assert_eq!(
            code,
            "pub mod customer_group {\n    \
                 pub const DATA_AREA_ID: ::d365fo_odata::Field<super::CustomerGroup, String> =\n        \
                     ::d365fo_odata::Field::new(\"dataAreaId\");\n    \
                 pub const MODIFIED_DATE_TIME: ::d365fo_odata::Field<\n        \
                     super::CustomerGroup,\n        \
                     ::d365fo_odata::edm::DateTimeOffset,\n    \
                 > = ::d365fo_odata::Field::new(\"ModifiedDateTime\");\n    \
                 pub const MARGIN_COMPONENT_ADJUSTMENT_DEFAULT_LEDGER_DIMENSION_DISPLAY_VALUE:\n        \
                     ::d365fo_odata::Field<super::GupParameters, String> =\n        \
                     ::d365fo_odata::Field::new(\"MarginComponentAdjustment\");\n\
             }\n"
        );
        assert!(widest(&code) <= super::MAX_WIDTH);
    }

    #[test]
    fn signatures_split_their_parameters_when_the_line_would_end_past_the_limit() {
        let code = print(quote! {
            impl<'de> ::serde::de::Visitor<'de> for __Visitor {
                fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SalesOrderHeaderV2, A::Error> {
                    use ::serde::de::Error as _;
                    if ready {
                        ::d365fo_odata::edm::ODataLiteral::write_literal(&::d365fo_odata::edm::EnumLiteral::new(Self::TYPE_NAME, self.as_str()), out);
                    } else {
                        f.write_str("an object of entity type `Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2`")
                    }
                }
            }
        });
        assert_eq!(
            code,
            "impl<'de> ::serde::de::Visitor<'de> for __Visitor {\n    \
                 fn visit_map<A: ::serde::de::MapAccess<'de>>(\n        \
                     self,\n        \
                     mut map: A,\n    \
                 ) -> Result<SalesOrderHeaderV2, A::Error> {\n        \
                     use ::serde::de::Error as _;\n        \
                     if ready {\n            \
                         ::d365fo_odata::edm::ODataLiteral::write_literal(\n                \
                             &::d365fo_odata::edm::EnumLiteral::new(Self::TYPE_NAME, self.as_str()),\n                \
                             out,\n            \
                         );\n        \
                     } else {\n            \
                         f.write_str(\n                \
                             \"an object of entity type `Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2`\",\n            \
                         )\n        \
                     }\n    \
                 }\n\
             }\n"
        );
        assert!(widest(&code) <= super::MAX_WIDTH);
    }

    #[test]
    fn long_match_arms_get_a_block_and_short_ones_stay() {
        let code = print(quote! {
            fn f() {
                match key.as_str() {
                    "Short" => short = map.next_value()?,
                    "MarginComponentAdjustmentDefault" => margin_component_adjustment_default_ledger_dimension = map.next_value()?,
                    _ => {}
                }
            }
        });
        assert_eq!(
            code,
            "fn f() {\n    \
                 match key.as_str() {\n        \
                     \"Short\" => short = map.next_value()?,\n        \
                     \"MarginComponentAdjustmentDefault\" => {\n            \
                         margin_component_adjustment_default_ledger_dimension = map.next_value()?\n        \
                     }\n        \
                     _ => {}\n    \
                 }\n\
             }\n"
        );
        assert!(widest(&code) <= super::MAX_WIDTH);
        let printed: proc_macro2::TokenStream = code.parse().unwrap();
        assert!(printed.to_string().contains("=> { margin_component"));
    }

    #[test]
    fn a_single_tuple_in_a_list_is_split_rather_than_the_list() {
        let code = print(quote! {
            impl ::d365fo_odata::EntityKey for DataManagementDefinitionGroupKey {
                fn write_predicate(&self, out: &mut String) {
                    out.push_str(&::d365fo_odata::edm::key_predicate(&[("DefinitionGroupId", &self.definition_group_id),]));
                }
            }
        });
        assert!(
            code.contains(
                "key_predicate(&[(\n            \"DefinitionGroupId\",\n            \
                 &self.definition_group_id,\n        )]));"
            ),
            "{code}"
        );
    }
}
