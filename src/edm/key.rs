//! Key predicates: the `(…)` after an entity set name that addresses one entity.

use super::literal::ODataLiteral;
use super::percent::write_percent_encoded_path_segment;

/// Builds a percent-encoded key predicate for a composite (or named single)
/// key: `(dataAreaId='usmf',CustomerAccount='O''Brien')`.
///
/// Each value is written as an [`ODataLiteral`], then the whole predicate is
/// encoded for a URL path segment with
/// [`percent_encode_path_segment`](super::percent_encode_path_segment):
/// `'`, `(`, `)`, `,` and `=` stay; `/`, `?`, `#`, `%`, spaces, `+`, `&`,
/// `;` and non-ASCII characters are percent-encoded.
///
/// F&O entity keys almost always include `dataAreaId` (the company).
///
/// ```
/// use d365fo_odata::edm::key_predicate;
///
/// let key = key_predicate(&[("dataAreaId", &"usmf"), ("CustomerAccount", &"O'Brien")]);
/// assert_eq!(key, "(dataAreaId='usmf',CustomerAccount='O''Brien')");
///
/// let key = key_predicate(&[("dataAreaId", &"usmf"), ("Path", &"a/b c")]);
/// assert_eq!(key, "(dataAreaId='usmf',Path='a%2Fb%20c')");
/// ```
pub fn key_predicate(parts: &[(&str, &dyn ODataLiteral)]) -> String {
    let mut raw = String::from("(");
    for (i, (name, value)) in parts.iter().enumerate() {
        if i > 0 {
            raw.push(',');
        }
        raw.push_str(name);
        raw.push('=');
        value.write_literal(&mut raw);
    }
    raw.push(')');
    let mut out = String::with_capacity(raw.len());
    write_percent_encoded_path_segment(&raw, &mut out);
    out
}

/// Builds a percent-encoded key predicate for a single unnamed key:
/// `('x')`, `(42)`, `(5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10)`.
///
/// ```
/// use d365fo_odata::edm::single_key_predicate;
///
/// assert_eq!(single_key_predicate("x"), "('x')");
/// assert_eq!(single_key_predicate(&42i64), "(42)");
/// assert_eq!(single_key_predicate("50% off"), "('50%25%20off')");
/// ```
pub fn single_key_predicate<T: ODataLiteral + ?Sized>(value: &T) -> String {
    let mut raw = String::from("(");
    value.write_literal(&mut raw);
    raw.push(')');
    let mut out = String::with_capacity(raw.len());
    write_percent_encoded_path_segment(&raw, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edm::{DateTimeOffset, EnumLiteral, Guid};

    #[test]
    fn composite_key_names_each_part_and_doubles_quotes() {
        assert_eq!(
            key_predicate(&[("dataAreaId", &"usmf"), ("CustomerAccount", &"O'Brien")]),
            "(dataAreaId='usmf',CustomerAccount='O''Brien')"
        );
    }

    #[test]
    fn composite_key_mixes_literal_types() {
        let t: DateTimeOffset = "2024-01-01T00:00:00+02:00".parse().unwrap();
        let kind = EnumLiteral::new("Microsoft.Dynamics.DataEntities.NoYes", "Yes");
        assert_eq!(
            key_predicate(&[
                ("dataAreaId", &"usmf"),
                ("LineNumber", &3i64),
                ("Valid", &t),
                ("Flag", &kind)
            ]),
            "(dataAreaId='usmf',LineNumber=3,Valid=2024-01-01T00:00:00%2B02:00,\
             Flag=Microsoft.Dynamics.DataEntities.NoYes'Yes')"
        );
    }

    #[test]
    fn single_key_is_unnamed() {
        assert_eq!(single_key_predicate("x"), "('x')");
        assert_eq!(single_key_predicate(&42i32), "(42)");
        let g = Guid::from_u128(0x5b3e1c52_0b0c_4f0e_9d7a_2f8a4c1e9b10);
        assert_eq!(
            single_key_predicate(&g),
            "(5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10)"
        );
        assert_eq!(key_predicate(&[("Id", &7u8)]), "(Id=7)");
    }

    #[test]
    fn key_values_are_encoded_for_a_path_segment() {
        assert_eq!(
            single_key_predicate("a/b?c#d%e f+g&h;i"),
            "('a%2Fb%3Fc%23d%25e%20f%2Bg%26h%3Bi')"
        );
        assert_eq!(single_key_predicate("Müller"), "('M%C3%BCller')");
        assert_eq!(single_key_predicate("x=(1,2)"), "('x=(1,2)')");
    }
}
