//! Doc comments of generated items (from `Core.Description` or the F&O `LabelId`) and small
//! token helpers.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier token (names come from [`super::names`], so they are valid).
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = "..."]` attributes, one per line of `text`.
pub(crate) fn doc(text: &str) -> TokenStream {
    let mut out = TokenStream::new();
    for line in text.lines() {
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
