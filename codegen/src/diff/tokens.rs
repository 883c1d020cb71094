//! Small helpers over emitted token trees: compact rendering, item boundaries, splitting on
//! commas outside angle brackets.

use proc_macro2::{Delimiter, Spacing, TokenTree};

/// Appends `tokens` as compact Rust text (`Option<Vec<T>>`, `impl Into<String>`, `a: T`).
pub(super) fn render_into(tokens: &[TokenTree], out: &mut String) {
    let mut previous_word = false;
    let mut previous_keyword = false;
    let mut previous_joint = false;
    for t in tokens {
        match t {
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                if previous_word {
                    out.push(' ');
                }
                let text = t.to_string();
                // `impl ::std::future::Future`, `dyn ::x::T`: the keyword keeps its space.
                previous_keyword = matches!(text.as_str(), "impl" | "dyn");
                out.push_str(&text);
                previous_word = true;
                previous_joint = false;
            }
            TokenTree::Punct(p) => {
                let c = p.as_char();
                let arrow = c == '>' && previous_joint && out.ends_with('-');
                let path_separator = c == ':' && previous_joint && out.ends_with(':');
                if c == '='
                    || c == '+'
                    || (c == '-' && p.spacing() == Spacing::Joint)
                    || (c == ':' && p.spacing() == Spacing::Joint && previous_keyword)
                {
                    out.push(' ');
                }
                previous_keyword = false;
                if arrow {
                    out.push_str("> ");
                } else {
                    out.push(c);
                }
                if c == ','
                    || c == '='
                    || c == '+'
                    || (c == ':' && p.spacing() == Spacing::Alone && !path_separator)
                {
                    out.push(' ');
                }
                previous_word = false;
                previous_joint = p.spacing() == Spacing::Joint;
            }
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                render_into(&inner, out);
                out.push_str(close);
                previous_word = false;
                previous_keyword = false;
                previous_joint = false;
            }
        }
    }
    // Collapse doubled spaces left by `: ` before a space-led token.
    while out.contains("  ") {
        *out = out.replace("  ", " ");
    }
}

/// The text of a string literal token, escapes left as written except `\"` and `\\`.
pub(super) fn literal_text(literal: &str) -> String {
    let body = literal
        .strip_prefix('"')
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or(literal);
    body.replace("\\\"", "\"").replace("\\\\", "\\")
}

pub(super) fn ident_at(tokens: &[TokenTree], i: usize) -> Option<String> {
    match tokens.get(i) {
        Some(TokenTree::Ident(id)) => Some(id.to_string()),
        _ => None,
    }
}

/// The index after the item starting at `i`: after its `;`, or after its brace body.
pub(super) fn skip_item(tokens: &[TokenTree], i: usize) -> usize {
    let mut j = i;
    while j < tokens.len() {
        match &tokens[j] {
            TokenTree::Punct(p) if p.as_char() == ';' => return j + 1,
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                // `struct S { .. }` and `fn f() { .. }` end here; `const X: T = T { .. };`
                // goes on to its `;`.
                if matches!(tokens.get(j + 1), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
                    return j + 2;
                }
                return j + 1;
            }
            _ => j += 1,
        }
    }
    tokens.len()
}

/// Splits on `sep` outside angle brackets (groups are single tokens already).
pub(super) fn split_top(tokens: &[TokenTree], sep: char) -> Vec<&[TokenTree]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (j, t) in tokens.iter().enumerate() {
        if let TokenTree::Punct(p) = t {
            match p.as_char() {
                '<' => depth += 1,
                '>' if !is_arrow(tokens, j) => depth = depth.saturating_sub(1),
                c if c == sep && depth == 0 => {
                    parts.push(&tokens[start..j]);
                    start = j + 1;
                }
                _ => {}
            }
        }
    }
    if start < tokens.len() {
        parts.push(&tokens[start..]);
    }
    parts.retain(|p| !p.is_empty());
    parts
}

fn is_arrow(tokens: &[TokenTree], j: usize) -> bool {
    j > 0
        && matches!(&tokens[j - 1], TokenTree::Punct(p) if p.as_char() == '-' && p.spacing() == Spacing::Joint)
}

/// An `impl` header without its leading generic parameters (`impl<'de> X for Y`).
pub(super) fn strip_generics(header: &[TokenTree]) -> Vec<TokenTree> {
    let mut out = Vec::with_capacity(header.len());
    let mut i = 0;
    if matches!(header.first(), Some(TokenTree::Punct(p)) if p.as_char() == '<') {
        let mut depth = 0usize;
        while i < header.len() {
            if let TokenTree::Punct(p) = &header[i] {
                match p.as_char() {
                    '<' => depth += 1,
                    '>' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
    }
    out.extend_from_slice(&header[i.min(header.len())..]);
    out
}
