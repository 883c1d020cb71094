//! Looking ahead in a token list: operators made of several characters, and where a value,
//! a match arm or a generic argument list ends.

use std::borrow::Cow;

use proc_macro2::{Delimiter, Spacing};

use super::tree::Node;

/// Operators of more than one character, longest first.
const OPERATORS: &[&str] = &[
    "::", "->", "=>", "..", "&&", "||", "==", "!=", "<=", ">=", "+=",
];

/// The characters a punctuation token can be, each an operator of its own.
const PUNCTUATION: &str = "!#$%&'*+,-./:;<=>?@^|~";

/// The operator starting at `tokens[start]` (joint punctuation such as `::` or `'` of a
/// lifetime) and the index after it.
pub(super) fn operator(tokens: &[Node], start: usize) -> (Cow<'static, str>, usize) {
    let Some(Node::Punct(punct)) = tokens.get(start) else {
        return (Cow::Borrowed(""), start + 1);
    };
    let first = punct.as_char();
    if punct.spacing() == Spacing::Joint
        && let Some(Node::Punct(next)) = tokens.get(start + 1)
    {
        let second = next.as_char();
        if let Some(op) = OPERATORS.iter().find(|op| {
            let mut chars = op.chars();
            chars.next() == Some(first) && chars.next() == Some(second)
        }) {
            return (Cow::Borrowed(op), start + 2);
        }
    }
    let op = match PUNCTUATION.find(first) {
        Some(k) => Cow::Borrowed(&PUNCTUATION[k..k + first.len_utf8()]),
        None => Cow::Owned(first.to_string()),
    };
    (op, start + 1)
}

/// The index of the `;` ending a value that starts at `from` (or the end of the tokens: the
/// expression of a block or match arm), or `None` when a brace block comes first (a value
/// rustfmt does not move to the next line).
pub(super) fn value_end(tokens: &[Node], from: usize) -> Option<usize> {
    for (k, token) in tokens.iter().enumerate().skip(from) {
        match token {
            Node::Punct(p) if p.as_char() == ';' => return Some(k),
            Node::Group(g) if g.delimiter() == Delimiter::Brace => return None,
            _ => {}
        }
    }
    (tokens.len() > from).then_some(tokens.len())
}

/// Whether `tokens` have a `:` outside generic arguments (a typed `const`, `let` or field).
pub(super) fn has_colon(tokens: &[Node]) -> bool {
    let mut depth = 0usize;
    let mut k = 0;
    while k < tokens.len() {
        if let Node::Punct(_) = &tokens[k] {
            let (op, next) = operator(tokens, k);
            match &*op {
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
pub(super) fn arm_end(tokens: &[Node], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = from;
    while k < tokens.len() {
        match &tokens[k] {
            Node::Punct(_) => {
                let (op, next) = operator(tokens, k);
                match &*op {
                    "<" => depth += 1,
                    ">" => depth = depth.saturating_sub(1),
                    "," if depth == 0 => return Some(k),
                    ";" => return None,
                    _ => {}
                }
                k = next;
            }
            Node::Group(g) if g.delimiter() == Delimiter::Brace => return None,
            _ => k += 1,
        }
    }
    (k > from).then_some(k)
}

/// The index of the `>` closing the generic argument list opened by the `<` at `open`, when
/// that list has more than one argument; `None` for a comparison or a list of one.
pub(super) fn generic_close(tokens: &[Node], open: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut commas = 0usize;
    let mut k = open + 1;
    while k < tokens.len() {
        match &tokens[k] {
            Node::Punct(_) => {
                let (op, next) = operator(tokens, k);
                match &*op {
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
            Node::Group(g) if g.delimiter() == Delimiter::Brace => return None,
            _ => k += 1,
        }
    }
    None
}
