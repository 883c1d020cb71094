//! Reading attributes the printer writes in their own form: `#[doc = "..."]` as a `///` line
//! and a long `#[derive(...)]` one path per line.

use proc_macro2::Delimiter;

use super::tree::{Delimited, Node};

/// The paths of a `#[derive(...)]` attribute, each written without spaces, when `group` (of
/// the tree with the text `text`) is one.
pub(super) fn derive_list(group: &Delimited, text: &str) -> Option<Vec<String>> {
    let mut tokens = group.nodes().iter();
    match (tokens.next(), tokens.next(), tokens.next()) {
        (Some(Node::Ident(name)), Some(Node::Group(list)), None)
            if name.keyword() == Some("derive") && list.delimiter() == Delimiter::Parenthesis =>
        {
            let mut paths = vec![String::new()];
            for token in list.nodes() {
                match token {
                    Node::Punct(p) if p.as_char() == ',' => paths.push(String::new()),
                    Node::Ident(word) => paths.last_mut()?.push_str(word.text(text)),
                    Node::Punct(p) => paths.last_mut()?.push(p.as_char()),
                    _ => return None,
                }
            }
            paths.retain(|p| !p.is_empty());
            Some(paths)
        }
        _ => None,
    }
}

/// The text of a `#[doc = "..."]` attribute, when `group` (of the tree with the text `text`) is
/// one.
pub(super) fn doc_text(group: &Delimited, text: &str) -> Option<String> {
    let mut tokens = group.nodes().iter();
    let (Some(Node::Ident(name)), Some(Node::Punct(eq)), Some(Node::Literal(lit))) =
        (tokens.next(), tokens.next(), tokens.next())
    else {
        return None;
    };
    if name.keyword() != Some("doc") || eq.as_char() != '=' || tokens.next().is_some() {
        return None;
    }
    unquote(lit.of(text))
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
