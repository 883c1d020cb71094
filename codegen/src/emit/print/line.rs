//! The state of the line being printed: the previous token as far as spacing is concerned,
//! open generic and closure lists, and how wide a piece of output is.

/// The previous token on the current line, as far as spacing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Prev {
    /// Start of a line or just after an opening delimiter: no space.
    Open,
    /// An identifier or literal; `keyword` when it is a keyword after which an opening
    /// parenthesis or bracket is spaced.
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
    pub(super) fn ends_word(self) -> bool {
        matches!(self, Prev::Word { .. } | Prev::Close | Prev::CloseImpl)
    }
}

/// Per-line state: the previous token, whether a closure parameter list is open, and for each
/// open `<` whether it follows `impl`.
pub(super) struct Line {
    pub(super) prev: Prev,
    pub(super) closure_open: bool,
    pub(super) angles: Vec<bool>,
    /// The statement continues on an indented line after `=`.
    pub(super) continued: bool,
    /// A generic argument list has been split, or a break made after `:` ([`Printer::wide`]).
    pub(super) split_angles: bool,
    /// After `fn`, before its parameter list.
    pub(super) fn_params: bool,
    /// A keyword making a brace block a body or an item has been seen: a brace block is not a
    /// struct literal.
    pub(super) block: bool,
}

impl Line {
    pub(super) fn new() -> Self {
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

/// The width of `text` in columns (characters; the generated code is ASCII outside literals).
pub(super) fn width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}
