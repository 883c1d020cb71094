//! Looking ahead in a token list: operators made of several characters, and where a value,
//! a match arm or a generic argument list ends.

use proc_macro2::{Delimiter, Spacing, TokenTree};

/// Operators of more than one character, longest first.
const OPERATORS: &[&str] = &[
    "::", "->", "=>", "..", "&&", "||", "==", "!=", "<=", ">=", "+=",
];

/// The operator starting at `tokens[start]` (joint punctuation such as `::` or `'` of a
/// lifetime) and the index after it.
pub(super) fn operator(tokens: &[TokenTree], start: usize) -> (String, usize) {
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

/// The index of the `;` ending a value that starts at `from` (or the end of the tokens: the
/// expression of a block or match arm), or `None` when a brace block comes first (a value
/// rustfmt does not move to the next line).
pub(super) fn value_end(tokens: &[TokenTree], from: usize) -> Option<usize> {
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
pub(super) fn has_colon(tokens: &[TokenTree]) -> bool {
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
pub(super) fn arm_end(tokens: &[TokenTree], from: usize) -> Option<usize> {
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
pub(super) fn generic_close(tokens: &[TokenTree], open: usize) -> Option<usize> {
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
