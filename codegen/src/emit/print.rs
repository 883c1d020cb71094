//! Printing generated tokens as readable Rust without parsing them.
//!
//! The generated code has a small set of shapes (items with attributes, struct fields, `impl`
//! blocks with short bodies), so a printer that walks the token stream directly and decides
//! spacing from neighbouring tokens is enough. It is several times cheaper than building a
//! syntax tree and pretty-printing it, which matters at F&O scale (thousands of entity types of
//! about a hundred properties each). Doc attributes become `///` comments, a brace block opens a
//! new indented line per statement or field, and a parenthesised or bracketed list that would
//! make a long line is split one element per line. Lines are not otherwise wrapped.

use std::fmt::Write as _;

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};

/// Parenthesised or bracketed lists longer than this are split one element per line.
const LIST_WIDTH: usize = 80;

/// Keywords after which an opening parenthesis or bracket is preceded by a space.
const SPACED_KEYWORDS: &[&str] = &[
    "as", "dyn", "else", "for", "if", "impl", "in", "let", "match", "move", "mut", "return",
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
}

/// Per-line state: the previous token, whether a closure parameter list is open, and for each
/// open `<` whether it follows `impl`.
struct Line {
    prev: Prev,
    closure_open: bool,
    angles: Vec<bool>,
}

impl Line {
    fn new() -> Self {
        Line {
            prev: Prev::Open,
            closure_open: false,
            angles: Vec::new(),
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
        }
    }

    fn nested(&self, indent: usize) -> Self {
        Printer {
            out: String::new(),
            indent,
            no_split: self.no_split,
        }
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
        let mut i = 0;
        while i < tokens.len() {
            // Attributes: `#[doc = "..."]` as `///`, others on a line of their own.
            if let (Some(TokenTree::Punct(hash)), Some(TokenTree::Group(group))) =
                (tokens.get(i), tokens.get(i + 1))
                && hash.as_char() == '#'
                && group.delimiter() == Delimiter::Bracket
            {
                self.newline();
                self.start_line();
                match doc_text(group) {
                    Some(text) => {
                        self.out.push_str("///");
                        self.out.push_str(&text);
                    }
                    None => {
                        self.out.push('#');
                        self.no_split = true;
                        self.group(group);
                        self.no_split = false;
                    }
                }
                self.newline();
                line = Line::new();
                i += 2;
                continue;
            }
            match &tokens[i] {
                TokenTree::Punct(p)
                    if (p.as_char() == ';' || p.as_char() == ',') && line.angles.is_empty() =>
                {
                    self.out.push(p.as_char());
                    self.newline();
                    line = Line::new();
                    i += 1;
                }
                TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                    self.brace(g, line.prev);
                    // A block ends a line unless punctuation continues the expression.
                    let continues = matches!(
                        tokens.get(i + 1),
                        Some(TokenTree::Punct(p)) if matches!(p.as_char(), ',' | ';' | '.' | '?')
                    );
                    if continues {
                        line.prev = Prev::Close;
                    } else {
                        self.newline();
                        line = Line::new();
                    }
                    i += 1;
                }
                _ => {
                    self.start_line();
                    i = self.token(&tokens, i, &mut line);
                }
            }
        }
        self.newline();
    }

    /// `{ ... }` with its contents indented on the lines between the braces.
    fn brace(&mut self, group: &Group, prev: Prev) {
        self.start_line();
        if prev != Prev::Open && prev != Prev::Tight {
            self.out.push(' ');
        }
        let stream = group.stream();
        if stream.is_empty() {
            self.out.push_str("{}");
            return;
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
                let start = self.out.len();
                let _ = write!(self.out, "{ident}");
                let text = &self.out[start..];
                line.prev = Prev::Word {
                    keyword: SPACED_KEYWORDS.contains(&text),
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
                    self.brace(group, line.prev);
                } else {
                    let space = match line.prev {
                        Prev::Word { keyword, .. } => keyword,
                        Prev::Spaced => true,
                        Prev::Open | Prev::Tight | Prev::Close | Prev::CloseImpl => false,
                    };
                    if space {
                        self.out.push(' ');
                    }
                    self.group(group);
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

    /// A parenthesised or bracketed group: on one line when short (or inside an attribute),
    /// else one element per line.
    fn group(&mut self, group: &Group) {
        let (open, close) = match group.delimiter() {
            Delimiter::Parenthesis => ("(", ")"),
            Delimiter::Bracket => ("[", "]"),
            Delimiter::Brace => ("{", "}"),
            Delimiter::None => ("", ""),
        };
        let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
        let mut inline = self.nested(self.indent);
        inline.list(&tokens, false);
        let commas = tokens
            .iter()
            .filter(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
            .count();
        let short = inline.out.len() <= LIST_WIDTH && !inline.out.contains('\n');
        self.out.push_str(open);
        if self.no_split || commas == 0 || short {
            // The generated code has no one-element tuples, so a trailing comma is never needed.
            if inline.out.ends_with(',') {
                inline.out.pop();
            }
            self.out.push_str(&inline.out);
        } else {
            let mut lines = self.nested(self.indent + 1);
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
}
