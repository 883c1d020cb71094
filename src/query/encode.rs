//! Percent-encoding of query option values.
//!
//! OData literals keep characters that mean something in a URL (`'O''Brien & Sons #1'`), so each
//! value is encoded on its own: `&`, `#`, `+`, `%`, `=` and everything outside printable ASCII
//! become `%XX` (UTF-8 bytes for non-ASCII). A space becomes `%20`, never `+`, which many servers
//! would read back as a literal plus sign.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Bytes escaped in a query option value: controls, non-ASCII (always), and every character
/// that is a delimiter in a query string or could be misread by a server.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Appends `name=value` to `query`, percent-encoding `value`.
pub(crate) fn push_option(query: &mut String, name: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    query.extend(utf8_percent_encode(name, QUERY_VALUE));
    query.push('=');
    query.extend(utf8_percent_encode(value, QUERY_VALUE));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(value: &str) -> String {
        let mut q = String::new();
        push_option(&mut q, "$filter", value);
        q
    }

    #[test]
    fn escapes_query_delimiters_inside_literals() {
        assert_eq!(
            encoded("Name eq 'Smith & Sons #1+2=3?'"),
            "$filter=Name%20eq%20'Smith%20%26%20Sons%20%231%2B2%3D3%3F'"
        );
    }

    #[test]
    fn escapes_percent_and_non_ascii_as_utf8() {
        assert_eq!(encoded("'100% Müller'"), "$filter='100%25%20M%C3%BCller'");
        assert_eq!(encoded("'東'"), "$filter='%E6%9D%B1'");
    }

    #[test]
    fn keeps_odata_punctuation_readable() {
        assert_eq!(encoded("a/b,c:d'e'(f)$g"), "$filter=a/b,c:d'e'(f)$g");
    }

    #[test]
    fn joins_options_with_ampersand() {
        let mut q = String::new();
        push_option(&mut q, "$top", "5");
        push_option(&mut q, "cross-company", "true");
        assert_eq!(q, "$top=5&cross-company=true");
    }
}
