//! The printer's own form of a token stream, made once per printed chunk.
//!
//! A `proc_macro2` group hands out its contents only as a new stream that copies every token
//! when iterated while the group still holds it, and a list is measured on one line before it
//! is printed (again, split) when too long. Walking the tokens through `proc_macro2` therefore
//! copied each nested list once per enclosing measurement. Here every group owns its nodes, and
//! a parenthesised or bracketed group without a brace block inside keeps its contents as printed
//! on one line: the same whatever the column, so measuring or printing it flat costs one copy of
//! that text. The text of identifiers, literals and one-line forms is kept in one string per
//! tree, which the nodes point into.

use std::fmt::Write as _;

use proc_macro2::{Delimiter, Punct, TokenStream, TokenTree};

use super::Printer;
use super::line::width;

/// The words the printer looks for, as `(word, block, spaced)`: `block` for a keyword that makes
/// the brace block ending its line a body or an item (never a struct literal), `spaced` for one
/// after which an opening parenthesis or bracket is preceded by a space; attribute names are
/// neither. `None` for any other word.
fn classify(word: &str) -> Option<(&'static str, bool, bool)> {
    Some(match word {
        "async" => ("async", true, false),
        "else" => ("else", true, true),
        "enum" => ("enum", true, false),
        "extern" => ("extern", true, false),
        "fn" => ("fn", true, false),
        "for" => ("for", true, true),
        "if" => ("if", true, true),
        "impl" => ("impl", true, true),
        "loop" => ("loop", true, false),
        "match" => ("match", true, true),
        "mod" => ("mod", true, false),
        "move" => ("move", true, true),
        "struct" => ("struct", true, false),
        "trait" => ("trait", true, false),
        "union" => ("union", true, false),
        "unsafe" => ("unsafe", true, false),
        "where" => ("where", true, true),
        "while" => ("while", true, true),
        "as" => ("as", false, true),
        "dyn" => ("dyn", false, true),
        "in" => ("in", false, true),
        "let" => ("let", false, true),
        "mut" => ("mut", false, true),
        "return" => ("return", false, true),
        "use" => ("use", false, true),
        "derive" => ("derive", false, false),
        "doc" => ("doc", false, false),
        _ => return None,
    })
}

/// The nodes of a printed chunk and the text they point into.
pub(super) struct Tree {
    /// Identifiers, literals and one-line forms of groups, one after another.
    pub(super) text: String,
    /// The top-level nodes.
    pub(super) nodes: Vec<Node>,
}

impl Tree {
    /// The tree of `tokens`, each group's contents moved out of it rather than copied.
    pub(super) fn new(tokens: TokenStream) -> Self {
        let mut builder = Builder {
            text: String::new(),
            scratch: String::new(),
        };
        let nodes = builder.nodes(tokens);
        Tree {
            text: builder.text,
            nodes,
        }
    }
}

/// One token, or a delimited group of them.
pub(super) enum Node {
    /// An identifier or keyword.
    Ident(Word),
    /// A literal, as written.
    Literal(Piece),
    /// One punctuation character; several joint ones make an operator.
    Punct(Punct),
    /// A delimited group.
    Group(Box<Delimited>),
}

/// A part of a tree's text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    start: usize,
    end: usize,
}

impl Piece {
    /// This part of `text`, the text of the tree it belongs to.
    pub(super) fn of(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or_default()
    }
}

/// An identifier, with what the printer asks of it.
pub(super) struct Word {
    piece: Piece,
    /// The keyword or attribute name it is, when it is one the printer looks for.
    keyword: Option<&'static str>,
    /// A keyword that makes the brace block ending its line a body or an item.
    block: bool,
    /// A keyword after which an opening parenthesis or bracket is spaced.
    spaced: bool,
}

impl Word {
    /// The identifier as written (`r#` included for a raw one), in `text`, the tree's text.
    pub(super) fn text<'t>(&self, text: &'t str) -> &'t str {
        self.piece.of(text)
    }

    /// The keyword or attribute name it is, when it is one the printer looks for.
    pub(super) fn keyword(&self) -> Option<&'static str> {
        self.keyword
    }

    /// Whether it is a keyword that makes the brace block ending its line a body or an item.
    pub(super) fn block(&self) -> bool {
        self.block
    }

    /// Whether it is a keyword after which an opening parenthesis or bracket is spaced.
    pub(super) fn spaced(&self) -> bool {
        self.spaced
    }
}

/// A delimited group: `( … )`, `[ … ]`, `{ … }` or an invisible one.
pub(super) struct Delimited {
    delimiter: Delimiter,
    nodes: Vec<Node>,
    /// The contents printed on one line (without a trailing comma) and their width, when no
    /// brace block is inside (and the group is not one).
    flat: Option<(Piece, usize)>,
    /// Whether the contents have a comma besides a trailing one: a list of several elements.
    several: bool,
    /// The widest one-line form of a list of several elements inside (at any depth).
    widest_inner_list: usize,
}

impl Delimited {
    /// The delimiter around the contents.
    pub(super) fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    /// The contents.
    pub(super) fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The contents printed on one line (in `text`, the tree's text) and their width in
    /// columns; `None` for a brace block and any group holding one, whose printed form depends
    /// on where it starts.
    pub(super) fn flat<'t>(&self, text: &'t str) -> Option<(&'t str, usize)> {
        self.flat.map(|(piece, columns)| (piece.of(text), columns))
    }

    /// The width of the contents printed on one line, when they have a one-line form.
    pub(super) fn flat_width(&self) -> Option<usize> {
        self.flat.map(|(_, columns)| columns)
    }

    /// The widest one-line form of any list of several elements inside this group, at any
    /// depth (0 when there is none).
    pub(super) fn widest_inner_list(&self) -> usize {
        self.widest_inner_list
    }

    /// Whether the contents have a comma besides a trailing one: a list of several elements.
    pub(super) fn several(&self) -> bool {
        self.several
    }
}

/// Makes a [`Tree`]: the text so far, and a buffer for printing one-line forms.
struct Builder {
    text: String,
    scratch: String,
}

impl Builder {
    /// The nodes of `tokens`.
    fn nodes(&mut self, tokens: TokenStream) -> Vec<Node> {
        tokens
            .into_iter()
            .map(|token| match token {
                TokenTree::Ident(ident) => {
                    let start = self.text.len();
                    let _ = write!(self.text, "{ident}");
                    let class = classify(&self.text[start..]);
                    Node::Ident(Word {
                        piece: Piece {
                            start,
                            end: self.text.len(),
                        },
                        keyword: class.map(|(word, _, _)| word),
                        block: class.is_some_and(|(_, block, _)| block),
                        spaced: class.is_some_and(|(_, _, spaced)| spaced),
                    })
                }
                TokenTree::Literal(literal) => {
                    let start = self.text.len();
                    let _ = write!(self.text, "{literal}");
                    Node::Literal(Piece {
                        start,
                        end: self.text.len(),
                    })
                }
                TokenTree::Punct(punct) => Node::Punct(punct),
                TokenTree::Group(group) => {
                    let delimiter = group.delimiter();
                    let stream = group.stream();
                    // The group gives up its share of the contents, so that iterating them
                    // moves the tokens instead of copying them.
                    drop(group);
                    let nodes = self.nodes(stream);
                    Node::Group(Box::new(self.delimited(delimiter, nodes)))
                }
            })
            .collect()
    }

    /// A group of `nodes`, with its one-line form when it has one.
    fn delimited(&mut self, delimiter: Delimiter, nodes: Vec<Node>) -> Delimited {
        let flat_inside = nodes.iter().all(|node| match node {
            Node::Group(group) => group.flat.is_some(),
            _ => true,
        });
        let flat = (delimiter != Delimiter::Brace && flat_inside).then(|| {
            let mut printer = Printer::new(&self.text, 0);
            self.scratch.clear();
            printer.out = std::mem::take(&mut self.scratch);
            printer.no_split = true;
            printer.list(&nodes, false);
            // As a group prints its contents: the generated code has no one-element tuples.
            if printer.out.ends_with(',') {
                printer.out.pop();
            }
            self.scratch = printer.out;
            let columns = width(&self.scratch);
            let start = self.text.len();
            self.text.push_str(&self.scratch);
            (
                Piece {
                    start,
                    end: self.text.len(),
                },
                columns,
            )
        });
        let trailing = matches!(nodes.last(), Some(Node::Punct(p)) if p.as_char() == ',');
        let commas = nodes
            .iter()
            .filter(|node| matches!(node, Node::Punct(p) if p.as_char() == ','))
            .count();
        let several = commas > usize::from(trailing);
        let widest_inner_list = nodes
            .iter()
            .filter_map(|node| match node {
                Node::Group(group) => Some(group.widest_inner_list.max(match group.flat {
                    Some((_, columns)) if group.several => columns,
                    _ => 0,
                })),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        Delimited {
            delimiter,
            nodes,
            flat,
            several,
            widest_inner_list,
        }
    }
}
