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

mod attrs;
mod breaking;
mod line;
mod scan;
mod spacing;
#[cfg(test)]
mod tests;
mod tree;

use proc_macro2::{Delimiter, TokenStream};

use self::attrs::{derive_list, doc_text};
use self::line::{Line, Prev, width};
use self::tree::{Delimited, Node, Tree};

/// Struct literals no wider than this stay on one line (rustfmt's `struct_lit_width`).
const STRUCT_LITERAL_WIDTH: usize = 18;

/// Argument lists, arrays and tuples longer than this are split one element per line
/// (rustfmt's `fn_call_width` and `array_width`); a function's parameters only when its
/// signature does not fit in [`MAX_WIDTH`].
const LIST_WIDTH: usize = 60;

/// The widest line the printer writes on purpose (rustfmt's default `max_width`).
pub(crate) const MAX_WIDTH: usize = 100;

/// Prints `tokens` as Rust source, one item after another, ending with a newline.
pub(crate) fn print(tokens: TokenStream) -> String {
    let tree = Tree::new(tokens);
    let mut printer = Printer::new(&tree.text, 0);
    printer.block_body(&tree.nodes);
    printer.out
}

struct Printer<'t> {
    /// The text of the tree printed, which its identifiers and literals point into.
    text: &'t str,
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

impl<'t> Printer<'t> {
    fn new(text: &'t str, indent: usize) -> Self {
        Printer {
            text,
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
            text: self.text,
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
    fn block_body(&mut self, tokens: &[Node]) {
        let mut line = Line::new();
        // Where the current statement started: token index and output position.
        let mut statement: Option<(usize, usize)> = None;
        let mut i = 0;
        while i < tokens.len() {
            // Attributes: `#[doc = "..."]` as `///`, others on a line of their own.
            if let (Some(Node::Punct(hash)), Some(Node::Group(group))) =
                (tokens.get(i), tokens.get(i + 1))
                && hash.as_char() == '#'
                && group.delimiter() == Delimiter::Bracket
            {
                self.fit(tokens, statement.take(), i, 0, &mut line);
                self.newline();
                self.start_line();
                match doc_text(group, self.text) {
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
                            && let Some(derives) = derive_list(group, self.text)
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
                Node::Punct(p)
                    if (p.as_char() == ';' || p.as_char() == ',') && line.angles.is_empty() =>
                {
                    self.fit(tokens, statement.take(), i, 1, &mut line);
                    self.out.push(p.as_char());
                    self.newline();
                    self.end_line(&mut line);
                    i += 1;
                }
                Node::Group(g) if g.delimiter() == Delimiter::Brace => {
                    self.fit(tokens, statement.take(), i, " {".len(), &mut line);
                    self.brace(g, &line);
                    // A block ends a line unless punctuation continues the expression.
                    let continues = matches!(
                        tokens.get(i + 1),
                        Some(Node::Punct(p)) if matches!(p.as_char(), ',' | ';' | '.' | '?')
                    ) || matches!(
                        tokens.get(i + 1),
                        Some(Node::Ident(e)) if e.keyword() == Some("else")
                    );
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
                    if let Some(next) = self.arm_block(tokens, i, &mut line) {
                        statement = None;
                        i = next;
                        continue;
                    }
                    self.start_line();
                    i = self.statement_token(tokens, i, &mut line);
                }
            }
        }
        self.fit(tokens, statement.take(), tokens.len(), 0, &mut line);
        self.newline();
    }

    /// `{ ... }` with its contents indented on the lines between the braces.
    /// A short struct literal (`Self { request }`) stays on one line.
    fn brace(&mut self, group: &Delimited, line: &Line) {
        self.start_line();
        let prev = line.prev;
        if prev != Prev::Open && prev != Prev::Tight {
            self.out.push(' ');
        }
        let tokens = group.nodes();
        if tokens.is_empty() {
            self.out.push_str("{}");
            return;
        }
        if matches!(prev, Prev::Word { keyword: false, .. }) && !line.block {
            let flat = tokens.iter().all(|t| match t {
                Node::Group(g) => g.delimiter() != Delimiter::Brace,
                Node::Punct(p) => p.as_char() != ';',
                _ => true,
            });
            if flat {
                let mut inline = self.nested(self.indent);
                inline.no_split = true;
                inline.list(tokens, false);
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
        self.block_body(tokens);
        self.indent -= 1;
        self.start_line();
        self.out.push('}');
    }

    /// A parenthesised or bracketed group: on one line when short enough (or inside an
    /// attribute), else one element per line. `rest` is what follows it on its line; `params`
    /// when it is a function's parameter list.
    fn group(&mut self, group: &Delimited, rest: &[Node], params: bool) {
        let (open, close) = match group.delimiter() {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::Brace => ("{", "}"),
            Delimiter::None => ("", ""),
        };
        let tokens = group.nodes();
        let flat = group.flat(self.text);
        let column = self.column() + open.len();
        // Separating commas: a trailing one does not make a second element.
        let several = group.several();
        if let Some((text, columns)) = flat
            && (self.no_split
                || self.fits_flat(group, column + columns + close.len(), params || !several))
        {
            self.out.push_str(open);
            self.out.push_str(text);
            self.out.push_str(close);
            return;
        }
        let tail = if !several || self.no_split {
            0
        } else if self.tails {
            self.tail_width(rest, 0)
        } else {
            self.outer
        };
        // A list whose one-line form is too long is split whatever its elements do, so it is
        // printed only once, split.
        let long = !self.no_split
            && several
            && flat.is_some_and(|(_, w)| {
                (!params && w > LIST_WIDTH) || column + w + close.len() + tail > MAX_WIDTH
            });
        let mut inline = self.nested(self.indent);
        if !long {
            inline.base = column;
            inline.outer = self.outer + close.len();
            inline.list(tokens, false);
            // The generated code has no one-element tuples, so a trailing comma is never
            // needed.
            if inline.out.ends_with(',') {
                inline.out.pop();
            }
        }
        let one_line = !inline.out.contains('\n');
        let inline_width = width(&inline.out);
        let split = long
            || (!self.no_split
                && !tokens.is_empty()
                && if several {
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
                });
        self.out.push_str(open);
        if !split {
            self.out.push_str(&inline.out);
        } else {
            let mut lines = self.nested(self.indent + 1);
            lines.outer = 1;
            lines.out.push('\n');
            lines.list(tokens, true);
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

    /// Whether `group`, printed on one line ending at column `end` (its closing delimiter
    /// included), is printed so on the first try of a statement: then neither it nor a list
    /// inside is split for its width (`any_width`: whatever the width of the group's own
    /// elements, for a function's parameters or a group of one element), and a list inside ends
    /// before the group does, so it fits when the group fits.
    fn fits_flat(&self, group: &Delimited, end: usize, any_width: bool) -> bool {
        !self.tails
            && end + self.outer <= MAX_WIDTH
            && group.widest_inner_list() <= LIST_WIDTH
            && (any_width
                || group
                    .flat_width()
                    .is_some_and(|columns| columns <= LIST_WIDTH))
    }

    /// The elements of a list, separated by `, ` or (when `split`) one per line.
    fn list(&mut self, tokens: &[Node], split: bool) {
        let mut line = Line::new();
        let mut i = 0;
        while i < tokens.len() {
            if let Node::Punct(p) = &tokens[i]
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
