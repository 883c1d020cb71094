//! Doc comments of generated items (from `Core.Description` or the F&O `LabelId`) and small
//! token helpers.

use std::borrow::Cow;
use std::fmt::Write as _;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::csdl::is_bidi_control;

/// An identifier token (names come from [`super::names`], so they are valid).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "..."]` attributes, one per line of `text`. Bidirectional control characters (from
/// names, which the reader keeps as written) are shown as `U+202E` and so on: rustc refuses them
/// in comments (`text_direction_codepoint_in_comment`), and they could make the text read
/// otherwise than it is.
pub(crate) fn doc(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    for line in visible_controls(text).lines() {
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        out.extend(quote!(#[doc = #line]));
    }
    out
}

/// Makes text from the metadata safe inside Markdown docs: no intra-doc links, no HTML tags,
/// no code fences.
pub(crate) fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '[' | ']' | '`' | '*' | '_' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// The description of a model element: `Core.Description`, else the F&O label id.
pub(crate) fn described(description: Option<&str>, label_id: Option<&str>) -> Option<String> {
    match (description, label_id) {
        (Some(d), _) if !d.trim().is_empty() => Some(sanitize(d)),
        (_, Some(l)) if !l.trim().is_empty() => Some(format!("Label `{}`.", l.replace('`', "'"))),
        _ => None,
    }
}

/// `text` with each bidirectional control character replaced by its code point written out
/// (`U+202E`), for comments and doc comments of generated code. String literals need no such
/// care: they are written with these characters escaped (`\u{202e}`).
pub(crate) fn visible_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_bidi_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_bidi_control(c) {
            let _ = write!(out, "U+{:04X}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidirectional_controls_are_written_out_in_docs() {
        assert_eq!(visible_controls("plain"), "plain");
        assert_eq!(
            visible_controls("a\u{202E}b\u{2066}c\u{200F}"),
            "aU+202EbU+2066cU+200F"
        );
        let tokens = doc("x\u{202A}y").to_string();
        assert!(tokens.contains("xU+202Ay"), "{tokens}");
    }
}
