//! The printer's own form of a token stream, made once per printed chunk.
//!
//! A `proc_macro2` group hands out its contents only as a new stream that copies every token
//! when iterated while the group still holds it, and a list is measured on one line before it
//! is printed (again, split) when too long. Walking the tokens through `proc_macro2` therefore
//! copied each nested list once per enclosing measurement. Here every group owns its nodes, and
//! a parenthesised or bracketed group without a brace block inside keeps its contents as printed
//! on one line: the same whatever the column, so measuring or printing it flat costs one copy of
//! that text.

use proc_macro2::{Delimiter, Punct, TokenStream, TokenTree};

use super::Printer;
use super::line::width;

/// Keywords that make the brace block ending their line a body or an item, never a struct
/// literal.
const BLOCK_KEYWORDS: &[&str] = &[
    "async", "else", "enum", "extern", "fn", "for", "if", "impl", "loop", "match", "mod", "move",
    "struct", "trait", "union", "unsafe", "where", "while",
];

/// Keywords after which an opening parenthesis or bracket is preceded by a space.
const SPACED_KEYWORDS: &[&str] = &[
    "as", "dyn", "else", "for", "if", "impl", "in", "let", "match", "move", "mut", "return", "use",
    "where", "while",
];

/// One token, or a delimited group of them.
pub(super) enum Node {
    /// An identifier or keyword.
    Ident(Word),
    /// A literal, as written.
    Literal(Box<str>),
    /// One punctuation character; several joint ones make an operator.
    Punct(Punct),
    /// A delimited group.
    Group(Box<Delimited>),
}

/// An identifier as written, with what the printer asks of it.
pub(super) struct Word {
    text: Box<str>,
    /// One of [`BLOCK_KEYWORDS`].
    block: bool,
    /// One of [`SPACED_KEYWORDS`].
    spaced: bool,
}

impl Word {
    fn new(text: String) -> Self {
        Word {
            block: BLOCK_KEYWORDS.contains(&text.as_str()),
            spaced: SPACED_KEYWORDS.contains(&text.as_str()),
            text: text.into_boxed_str(),
        }
    }

    /// The identifier as written (`r#` included for a raw one).
    pub(super) fn text(&self) -> &str {
        &self.text
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

impl PartialEq<str> for Word {
    fn eq(&self, other: &str) -> bool {
        *self.text == *other
    }
}

/// A delimited group: `( … )`, `[ … ]`, `{ … }` or an invisible one.
pub(super) struct Delimited {
    delimiter: Delimiter,
    nodes: Vec<Node>,
    /// The contents printed on one line (without a trailing comma) and their width, when no
    /// brace block is inside (and the group is not one).
    flat: Option<(String, usize)>,
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

    /// The contents printed on one line and their width in columns; `None` for a brace block
    /// and any group holding one, whose printed form depends on where it starts.
    pub(super) fn flat(&self) -> Option<(&str, usize)> {
        self.flat.as_ref().map(|(text, w)| (text.as_str(), *w))
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

/// The nodes of `tokens`, each group's contents moved out of it rather than copied.
pub(super) fn nodes(tokens: TokenStream) -> Vec<Node> {
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Ident(ident) => Node::Ident(Word::new(ident.to_string())),
            TokenTree::Literal(literal) => Node::Literal(literal.to_string().into_boxed_str()),
            TokenTree::Punct(punct) => Node::Punct(punct),
            TokenTree::Group(group) => {
                let delimiter = group.delimiter();
                let stream = group.stream();
                // The group gives up its share of the contents, so that iterating them moves
                // the tokens instead of copying them.
                drop(group);
                Node::Group(Box::new(delimited(delimiter, nodes(stream))))
            }
        })
        .collect()
}

/// A group of `nodes`, with its one-line form when it has one.
fn delimited(delimiter: Delimiter, nodes: Vec<Node>) -> Delimited {
    let flat_inside = nodes.iter().all(|node| match node {
        Node::Group(group) => group.flat.is_some(),
        _ => true,
    });
    let flat = (delimiter != Delimiter::Brace && flat_inside).then(|| {
        let mut printer = Printer::new(0);
        printer.no_split = true;
        printer.list(&nodes, false);
        // As a group prints its contents: the generated code has no one-element tuples.
        if printer.out.ends_with(',') {
            printer.out.pop();
        }
        let columns = width(&printer.out);
        (printer.out, columns)
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
