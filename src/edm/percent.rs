//! Percent-encoding of literals for the two places they go: query option
//! values and path segments (key predicates).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Bytes encoded in a query option value: everything but letters, digits, RFC 3986 unreserved
/// `-._~` and the sub-delimiters OData text needs to stay readable, `'()*,:@!$`. Non-ASCII bytes
/// are always encoded.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b',')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$');

/// Bytes encoded in a path segment: as for queries, but `=` (needed between key names and
/// values) is kept.
const PATH: &AsciiSet = &QUERY.remove(b'=');

fn encode_into(value: &str, set: &'static AsciiSet, out: &mut String) {
    out.reserve(value.len());
    for piece in utf8_percent_encode(value, set) {
        out.push_str(piece);
    }
}

/// Percent-encodes the value of a query option (`$filter=<value>`), byte by
/// byte over its UTF-8 form, with upper-case hex.
///
/// Kept as is: letters, digits, `-._~` and `'()*,:@!$` (so literals stay
/// readable: `'O''Brien'`, `eq '*retail*'`). Everything else is encoded,
/// in particular:
///
/// * space → `%20` (never `+`, which servers may read back as a space);
/// * `+` → `%2B`, so a `+02:00` offset survives;
/// * `&` `=` `;` `#` `?` `/` `%` → `%26 %3D %3B %23 %3F %2F %25`, so the
///   value cannot end the option, start a fragment or be decoded twice;
/// * control characters and non-ASCII characters → their UTF-8 bytes
///   (`ü` → `%C3%BC`).
///
/// ```
/// use d365fo_odata::edm::percent_encode_query_value;
///
/// assert_eq!(
///     percent_encode_query_value("ModifiedDateTime ge 2024-01-01T00:00:00+02:00"),
///     "ModifiedDateTime%20ge%202024-01-01T00:00:00%2B02:00"
/// );
/// ```
pub fn percent_encode_query_value(value: &str) -> String {
    let mut out = String::new();
    encode_into(value, QUERY, &mut out);
    out
}

/// Appends the [`percent_encode_query_value`] form of `value` to `out`.
pub fn write_percent_encoded_query_value(value: &str, out: &mut String) {
    encode_into(value, QUERY, out);
}

/// Percent-encodes one URL path segment, such as `Customers(...)` with its key
/// predicate.
///
/// Kept as is: letters, digits, `-._~`, `'()*,:@!$` and `=`, so
/// `(dataAreaId='usmf',CustomerAccount='O''Brien')` reads as written. Encoded:
/// `/` `?` `#` `%` (they would end or corrupt the segment), space as `%20`,
/// `+`, `&` and `;` (read specially by some servers), controls and non-ASCII
/// as UTF-8 bytes.
///
/// A key value containing `/` is sent as `%2F`; some web servers reject or
/// decode encoded slashes in paths whatever the client does. Filtering with
/// `$filter` on the key fields avoids that if a server does.
pub fn percent_encode_path_segment(segment: &str) -> String {
    let mut out = String::new();
    encode_into(segment, PATH, &mut out);
    out
}

/// Appends the [`percent_encode_path_segment`] form of `segment` to `out`.
pub fn write_percent_encoded_path_segment(segment: &str, out: &mut String) {
    encode_into(segment, PATH, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The hand-written encoder these functions replaced, kept as the reference their output
    /// must match byte for byte.
    mod reference {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";

        pub(super) fn query_keeps(b: u8) -> bool {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'.'
                        | b'_'
                        | b'~'
                        | b'\''
                        | b'('
                        | b')'
                        | b'*'
                        | b','
                        | b':'
                        | b'@'
                        | b'!'
                        | b'$'
                )
        }

        pub(super) fn path_keeps(b: u8) -> bool {
            query_keeps(b) || b == b'='
        }

        pub(super) fn encode(value: &str, keep: fn(u8) -> bool) -> String {
            let mut out = String::new();
            for &b in value.as_bytes() {
                if keep(b) {
                    out.push(char::from(b));
                } else {
                    out.push('%');
                    out.push(char::from(HEX[usize::from(b >> 4)]));
                    out.push(char::from(HEX[usize::from(b & 0x0f)]));
                }
            }
            out
        }
    }

    /// Every ASCII character, alone and between letters, plus multi-byte characters of each
    /// UTF-8 length.
    fn fixed_table() -> Vec<String> {
        let mut table: Vec<String> = (0u8..=127)
            .flat_map(|b| {
                let c = char::from(b);
                [c.to_string(), format!("a{c}b")]
            })
            .collect();
        for s in [
            "ü",
            "€",
            "😀",
            "\u{80}",
            "\u{7ff}",
            "\u{800}",
            "\u{ffff}",
            "\u{10ffff}",
        ] {
            table.push(s.to_string());
        }
        table.push("Name eq 'O''Brien' and ModifiedDateTime ge 2024-01-01T00:00:00+02:00".into());
        table.push("(dataAreaId='usmf',Id='a/b?c#d%e f&g;h')".into());
        table
    }

    #[test]
    fn matches_the_previous_encoder_on_a_fixed_table() {
        for value in fixed_table() {
            assert_eq!(
                percent_encode_query_value(&value),
                reference::encode(&value, reference::query_keeps),
                "query {value:?}"
            );
            assert_eq!(
                percent_encode_path_segment(&value),
                reference::encode(&value, reference::path_keeps),
                "path {value:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn matches_the_previous_encoder_on_any_string(value in any::<String>()) {
            prop_assert_eq!(
                percent_encode_query_value(&value),
                reference::encode(&value, reference::query_keeps)
            );
            prop_assert_eq!(
                percent_encode_path_segment(&value),
                reference::encode(&value, reference::path_keeps)
            );
        }
    }

    #[test]
    fn query_value_encodes_reserved_characters() {
        let cases = [
            ("+", "%2B"),
            ("&", "%26"),
            ("#", "%23"),
            ("/", "%2F"),
            ("?", "%3F"),
            ("=", "%3D"),
            (";", "%3B"),
            ("%", "%25"),
            (" ", "%20"),
            ("\"", "%22"),
            ("<>[]{}|\\^`", "%3C%3E%5B%5D%7B%7D%7C%5C%5E%60"),
        ];
        for (raw, encoded) in cases {
            assert_eq!(percent_encode_query_value(raw), encoded, "{raw}");
        }
    }

    #[test]
    fn query_value_keeps_odata_punctuation_readable() {
        let v = "Name eq 'O''Brien' and (Qty gt 5,x:y@z!$*)";
        assert_eq!(
            percent_encode_query_value(v),
            "Name%20eq%20'O''Brien'%20and%20(Qty%20gt%205,x:y@z!$*)"
        );
        assert_eq!(percent_encode_query_value("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn query_value_space_is_never_plus() {
        assert_eq!(percent_encode_query_value("a b"), "a%20b");
        assert!(!percent_encode_query_value("a b + c").contains('+'));
    }

    #[test]
    fn query_value_encodes_non_ascii_and_controls_as_utf8_bytes() {
        assert_eq!(percent_encode_query_value("Müller"), "M%C3%BCller");
        assert_eq!(percent_encode_query_value("€"), "%E2%82%AC");
        assert_eq!(percent_encode_query_value("😀"), "%F0%9F%98%80");
        assert_eq!(percent_encode_query_value("a\tb\nc\0"), "a%09b%0Ac%00");
        assert_eq!(percent_encode_query_value("\u{7f}"), "%7F");
    }

    #[test]
    fn date_time_offset_plus_survives_query_encoding() {
        assert_eq!(
            percent_encode_query_value("2024-01-01T00:00:00+02:00"),
            "2024-01-01T00:00:00%2B02:00"
        );
    }

    #[test]
    fn path_segment_encodes_segment_breakers_and_keeps_key_syntax() {
        assert_eq!(
            percent_encode_path_segment("(dataAreaId='usmf',Id='a/b?c#d%e f')"),
            "(dataAreaId='usmf',Id='a%2Fb%3Fc%23d%25e%20f')"
        );
        assert_eq!(percent_encode_path_segment("+&;"), "%2B%26%3B");
        assert_eq!(percent_encode_path_segment("Ü"), "%C3%9C");
    }

    #[test]
    fn writers_append() {
        let mut out = String::from("$filter=");
        write_percent_encoded_query_value("a b", &mut out);
        assert_eq!(out, "$filter=a%20b");
        let mut out = String::from("Customers");
        write_percent_encoded_path_segment("('x y')", &mut out);
        assert_eq!(out, "Customers('x%20y')");
    }
}
