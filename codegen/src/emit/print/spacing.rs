//! Spacing between tokens: one token or operator at a time, with a space or not decided from
//! the token before it on the line.

use proc_macro2::Delimiter;

use super::Printer;
use super::line::{Line, Prev};
use super::scan::operator;
use super::tree::Node;

impl Printer<'_> {
    /// One token (or operator) of a line; returns the index after it.
    pub(super) fn token(&mut self, tokens: &[Node], i: usize, line: &mut Line) -> usize {
        match &tokens[i] {
            Node::Ident(word) => {
                if line.prev.ends_word() || line.prev == Prev::Spaced {
                    self.out.push(' ');
                }
                let lifetime = self.out.ends_with('\'');
                self.out.push_str(word.text(self.text));
                line.fn_params |= word.keyword() == Some("fn");
                line.block |= word.block();
                line.prev = Prev::Word {
                    // `&'a [T]`: a lifetime is spaced from a slice type like a keyword.
                    keyword: lifetime || word.spaced(),
                    impl_kw: word.keyword() == Some("impl"),
                };
                i + 1
            }
            Node::Literal(lit) => {
                if line.prev.ends_word() || line.prev == Prev::Spaced {
                    self.out.push(' ');
                }
                self.out.push_str(lit.of(self.text));
                line.prev = Prev::Word {
                    keyword: false,
                    impl_kw: false,
                };
                i + 1
            }
            Node::Group(group) => {
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
            Node::Punct(_) => {
                let (op, next) = operator(tokens, i);
                self.punct(&op, line);
                next
            }
        }
    }

    pub(super) fn punct(&mut self, op: &str, line: &mut Line) {
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

    pub(super) fn space_unless_open(&mut self, prev: Prev) {
        if !matches!(prev, Prev::Open | Prev::Tight) {
            self.out.push(' ');
        }
    }
}
