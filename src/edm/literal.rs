//! OData URL literals: how a value is written inside `$filter`, key
//! predicates and function parameters (before percent-encoding).

use std::borrow::Cow;
use std::fmt::Write as _;

use super::{Binary, Date, DateTimeOffset, Decimal, Duration, Guid, TimeOfDay};

/// A value that can be written as an OData v4 URL literal.
///
/// The literal is the *unencoded* text the OData ABNF defines: `'O''Brien'`,
/// `12.50`, `2024-01-01T00:00:00+02:00`, `duration'P1D'`. Percent-encode the
/// finished query option or path segment afterwards with
/// [`percent_encode_query_value`](super::percent_encode_query_value) or
/// [`percent_encode_path_segment`](super::percent_encode_path_segment)
/// (key predicates: [`key_predicate`](super::key_predicate) does both).
///
/// | Rust type | Edm type | literal |
/// |---|---|---|
/// | `bool` | Boolean | `true`, `false` |
/// | `u8` | Byte | `255` |
/// | `i8` | SByte | `-8` |
/// | `i16`, `u16`* | Int16 (Int32) | `-16` |
/// | `i32`, `u32`* | Int32 (Int64) | `42` |
/// | `i64` | Int64 | `5637144576` |
/// | `f32`, `f64` | Single, Double | `1.5`, `1e300`, `INF`, `-INF`, `NaN` |
/// | [`Decimal`], `rust_decimal::Decimal` | Decimal | `12345678901234.123456` (exact) |
/// | `str`, `String`, `char` | String | `'O''Brien'` |
/// | [`DateTimeOffset`], `time::OffsetDateTime` | DateTimeOffset | `2024-01-01T00:00:00Z` |
/// | [`Date`], `time::Date` | Date | `2024-01-31` |
/// | [`TimeOfDay`], `time::Time` | TimeOfDay | `13:45:00.1234567` |
/// | [`Duration`], `time::Duration` | Duration | `duration'P1D'` |
/// | [`Guid`] | Guid | `5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10` |
/// | [`Binary`] | Binary | `binary'-_8='` |
/// | `Option<T>` | any | `null` for `None` |
/// | [`EnumLiteral`] | enum | `Microsoft.Dynamics.DataEntities.NoYes'Yes'` |
///
/// \* OData has no unsigned types; `u16`/`u32` fit the next wider signed type.
/// `u64`, `usize` and 128-bit integers are deliberately not implemented: they
/// can exceed `Edm.Int64`.
///
/// Strings may contain any character, control characters included: the
/// literal is only quoted (`'` doubled), and the percent-encoding step makes
/// every byte URL-safe, as the OData ABNF allows. Whether a given service
/// accepts control characters in a filter is up to the service.
///
/// ```
/// use d365fo_odata::edm::{ODataLiteral, DateTimeOffset, EnumLiteral};
///
/// assert_eq!("O'Brien".to_literal(), "'O''Brien'");
/// assert_eq!(42i64.to_literal(), "42");
/// assert_eq!(None::<i32>.to_literal(), "null");
/// let t: DateTimeOffset = "2024-01-01T00:00:00+02:00".parse().unwrap();
/// assert_eq!(t.to_literal(), "2024-01-01T00:00:00+02:00");
/// let yes = EnumLiteral::new("Microsoft.Dynamics.DataEntities.NoYes", "Yes");
/// assert_eq!(yes.to_literal(), "Microsoft.Dynamics.DataEntities.NoYes'Yes'");
/// ```
pub trait ODataLiteral {
    /// Appends the literal to `out`.
    fn write_literal(&self, out: &mut String);

    /// The literal as a new `String`.
    fn to_literal(&self) -> String {
        let mut out = String::new();
        self.write_literal(&mut out);
        out
    }
}

impl<T: ODataLiteral + ?Sized> ODataLiteral for &T {
    fn write_literal(&self, out: &mut String) {
        (**self).write_literal(out);
    }
}

impl<T: ODataLiteral + ?Sized> ODataLiteral for Box<T> {
    fn write_literal(&self, out: &mut String) {
        (**self).write_literal(out);
    }
}

impl<T: ODataLiteral> ODataLiteral for Option<T> {
    /// `None` is `null`.
    fn write_literal(&self, out: &mut String) {
        match self {
            Some(value) => value.write_literal(out),
            None => out.push_str("null"),
        }
    }
}

impl ODataLiteral for bool {
    fn write_literal(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! int_literal {
    ($($t:ty),*) => {$(
        impl ODataLiteral for $t {
            fn write_literal(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
int_literal!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! float_literal {
    ($($t:ty),*) => {$(
        impl ODataLiteral for $t {
            /// Shortest text that reads back as the same float, switching to
            /// exponent form for very large or small magnitudes; `INF`,
            /// `-INF` and `NaN` for the special values.
            fn write_literal(&self, out: &mut String) {
                if self.is_nan() {
                    out.push_str("NaN");
                } else if self.is_infinite() {
                    out.push_str(if *self > 0.0 { "INF" } else { "-INF" });
                } else {
                    // `{:?}` always has a digit before any `.` and writes
                    // exponents as `e7`/`e-7`: valid OData doubleValue text.
                    let _ = write!(out, "{self:?}");
                }
            }
        }
    )*};
}
float_literal!(f32, f64);

impl ODataLiteral for str {
    /// Single-quoted with embedded `'` doubled.
    fn write_literal(&self, out: &mut String) {
        out.reserve(self.len() + 2);
        out.push('\'');
        for (i, part) in self.split('\'').enumerate() {
            if i > 0 {
                out.push_str("''");
            }
            out.push_str(part);
        }
        out.push('\'');
    }
}

impl ODataLiteral for String {
    fn write_literal(&self, out: &mut String) {
        self.as_str().write_literal(out);
    }
}

impl ODataLiteral for Cow<'_, str> {
    fn write_literal(&self, out: &mut String) {
        self.as_ref().write_literal(out);
    }
}

impl ODataLiteral for char {
    /// A one-character string literal.
    fn write_literal(&self, out: &mut String) {
        let mut buf = [0u8; 4];
        self.encode_utf8(&mut buf).write_literal(out);
    }
}

impl ODataLiteral for Decimal {
    /// The exact digits and scale, no suffix (OData v4 needs none).
    fn write_literal(&self, out: &mut String) {
        self.with_text(|text| out.push_str(text));
    }
}

impl ODataLiteral for rust_decimal::Decimal {
    fn write_literal(&self, out: &mut String) {
        Decimal::new(*self).write_literal(out);
    }
}

impl ODataLiteral for DateTimeOffset {
    /// Unquoted, offset kept (`Z` for UTC).
    fn write_literal(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl ODataLiteral for time::OffsetDateTime {
    fn write_literal(&self, out: &mut String) {
        DateTimeOffset::new(*self).write_literal(out);
    }
}

impl ODataLiteral for Date {
    fn write_literal(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl ODataLiteral for time::Date {
    fn write_literal(&self, out: &mut String) {
        Date::new(*self).write_literal(out);
    }
}

impl ODataLiteral for TimeOfDay {
    fn write_literal(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl ODataLiteral for time::Time {
    fn write_literal(&self, out: &mut String) {
        TimeOfDay::new(*self).write_literal(out);
    }
}

impl ODataLiteral for Duration {
    /// `duration'P1DT2H'`.
    fn write_literal(&self, out: &mut String) {
        let _ = write!(out, "duration'{self}'");
    }
}

impl ODataLiteral for time::Duration {
    fn write_literal(&self, out: &mut String) {
        Duration::new(*self).write_literal(out);
    }
}

impl ODataLiteral for Guid {
    /// Unquoted, lower case.
    fn write_literal(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl ODataLiteral for Binary {
    /// `binary'…'` with padded base64url.
    fn write_literal(&self, out: &mut String) {
        out.push_str("binary'");
        self.write_base64url(out);
        out.push('\'');
    }
}

/// An enum member literal: the qualified enum type name followed by the
/// member name in single quotes, e.g. `Microsoft.Dynamics.DataEntities.NoYes'Yes'`.
///
/// F&O requires this fully qualified form in `$filter` and supports only
/// `eq`/`ne` on enums. A `'` in the member (never valid in an identifier, but
/// harmless) is doubled like in a string literal.
///
/// ```
/// use d365fo_odata::edm::{EnumLiteral, ODataLiteral};
///
/// let gender = EnumLiteral::new("Microsoft.Dynamics.DataEntities.Gender", "Unknown");
/// assert_eq!(
///     format!("PersonGender eq {}", gender.to_literal()),
///     "PersonGender eq Microsoft.Dynamics.DataEntities.Gender'Unknown'"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnumLiteral<'a> {
    /// Namespace-qualified enum type name, e.g. `Microsoft.Dynamics.DataEntities.NoYes`.
    pub type_name: &'a str,
    /// Member name, e.g. `Yes`.
    pub member: &'a str,
}

impl<'a> EnumLiteral<'a> {
    /// An enum literal for `member` of the enum type `type_name`.
    pub const fn new(type_name: &'a str, member: &'a str) -> Self {
        Self { type_name, member }
    }
}

impl ODataLiteral for EnumLiteral<'_> {
    fn write_literal(&self, out: &mut String) {
        out.push_str(self.type_name);
        self.member.write_literal(out);
    }
}

/// Writes `Namespace.EnumType'Member'`, the literal of an enum member.
///
/// The same as `EnumLiteral::new(type_name, member).to_literal()`.
pub fn enum_literal(type_name: &str, member: &str) -> String {
    EnumLiteral::new(type_name, member).to_literal()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit<T: ODataLiteral + ?Sized>(v: &T) -> String {
        v.to_literal()
    }

    #[test]
    fn bool_literal_is_lowercase_keyword() {
        assert_eq!(lit(&true), "true");
        assert_eq!(lit(&false), "false");
    }

    #[test]
    fn integer_literals_are_plain_digits() {
        assert_eq!(lit(&255u8), "255");
        assert_eq!(lit(&-128i8), "-128");
        assert_eq!(lit(&i16::MIN), "-32768");
        assert_eq!(lit(&u16::MAX), "65535");
        assert_eq!(lit(&42i32), "42");
        assert_eq!(lit(&u32::MAX), "4294967295");
        assert_eq!(lit(&i64::MAX), "9223372036854775807");
        assert_eq!(lit(&i64::MIN), "-9223372036854775808");
    }

    #[test]
    fn float_literals_cover_special_values() {
        assert_eq!(lit(&f64::INFINITY), "INF");
        assert_eq!(lit(&f64::NEG_INFINITY), "-INF");
        assert_eq!(lit(&f64::NAN), "NaN");
        assert_eq!(lit(&f32::INFINITY), "INF");
        assert_eq!(lit(&f32::NEG_INFINITY), "-INF");
        assert_eq!(lit(&f32::NAN), "NaN");
    }

    #[test]
    fn float_literals_round_trip_and_use_exponents_for_extremes() {
        assert_eq!(lit(&1.5f64), "1.5");
        assert_eq!(lit(&1.0f64), "1.0");
        assert_eq!(lit(&-0.1f64), "-0.1");
        assert_eq!(lit(&1e300f64), "1e300");
        assert_eq!(lit(&1.5e-7f64), "1.5e-7");
        assert_eq!(lit(&0.1f32), "0.1");
        assert_eq!(lit(&3.4028235e38f32), "3.4028235e38");
        for v in [
            0.1f64,
            1.0 / 3.0,
            123456.789e10,
            f64::MIN_POSITIVE,
            f64::MAX,
        ] {
            assert_eq!(lit(&v).parse::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn string_literal_doubles_single_quotes() {
        assert_eq!(lit("O'Brien"), "'O''Brien'");
        assert_eq!(lit("''"), "''''''");
        assert_eq!(lit("it's a 'test'"), "'it''s a ''test'''");
        assert_eq!(lit(&String::from("x")), "'x'");
        assert_eq!(lit(&Cow::Borrowed("a'b")), "'a''b'");
        assert_eq!(lit(&'\''), "''''");
    }

    #[test]
    fn string_literal_keeps_other_characters_for_the_encoder() {
        assert_eq!(lit(""), "''");
        assert_eq!(lit("a&b=c#d"), "'a&b=c#d'");
        assert_eq!(lit("tab\tnewline\n"), "'tab\tnewline\n'");
        assert_eq!(lit("Müller *"), "'Müller *'");
    }

    #[test]
    fn decimal_literal_keeps_exact_digits() {
        let d: Decimal = "12345678901234.123456".parse().unwrap();
        assert_eq!(lit(&d), "12345678901234.123456");
        let d: Decimal = "-0.000001".parse().unwrap();
        assert_eq!(lit(&d), "-0.000001");
        let d: Decimal = "12.50".parse().unwrap();
        assert_eq!(lit(&d), "12.50");
        assert_eq!(
            lit(&rust_decimal::Decimal::MAX),
            "79228162514264337593543950335"
        );
    }

    #[test]
    fn date_time_offset_literal_is_unquoted_and_keeps_offset() {
        let t: DateTimeOffset = "2024-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(lit(&t), "2024-01-01T00:00:00Z");
        let t: DateTimeOffset = "2024-01-01T02:00:00.5+02:00".parse().unwrap();
        assert_eq!(lit(&t), "2024-01-01T02:00:00.5+02:00");
        assert_eq!(lit(&t.as_offset_date_time()), "2024-01-01T02:00:00.5+02:00");
    }

    #[test]
    fn date_and_time_of_day_literals_are_unquoted() {
        let d: Date = "2024-01-31".parse().unwrap();
        assert_eq!(lit(&d), "2024-01-31");
        assert_eq!(lit(&d.as_date()), "2024-01-31");
        let t: TimeOfDay = "13:45:00.1234567".parse().unwrap();
        assert_eq!(lit(&t), "13:45:00.1234567");
        assert_eq!(lit(&t.as_time()), "13:45:00.1234567");
    }

    #[test]
    fn duration_literal_is_prefixed_and_quoted() {
        let d: Duration = "P1D".parse().unwrap();
        assert_eq!(lit(&d), "duration'P1D'");
        assert_eq!(lit(&time::Duration::seconds(-1)), "duration'-PT1S'");
    }

    #[test]
    fn guid_literal_is_unquoted_lowercase() {
        let g: Guid = "5B3E1C52-0B0C-4F0E-9D7A-2F8A4C1E9B10".parse().unwrap();
        assert_eq!(lit(&g), "5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10");
    }

    #[test]
    fn binary_literal_is_prefixed_base64url() {
        assert_eq!(lit(&Binary::from(vec![0xfb, 0xff])), "binary'-_8='");
        assert_eq!(lit(&Binary::default()), "binary''");
    }

    #[test]
    fn option_literal_is_null_for_none() {
        assert_eq!(lit(&None::<&str>), "null");
        assert_eq!(lit(&Some("x")), "'x'");
        assert_eq!(lit(&Some(7u8)), "7");
    }

    #[test]
    fn enum_literal_uses_qualified_fno_form() {
        assert_eq!(
            enum_literal("Microsoft.Dynamics.DataEntities.NoYes", "Yes"),
            "Microsoft.Dynamics.DataEntities.NoYes'Yes'"
        );
        assert_eq!(
            lit(&EnumLiteral::new(
                "Microsoft.Dynamics.DataEntities.Gender",
                "Unknown"
            )),
            "Microsoft.Dynamics.DataEntities.Gender'Unknown'"
        );
    }

    #[test]
    fn literals_append_to_existing_text() {
        let mut out = String::from("Name eq ");
        "x".write_literal(&mut out);
        out.push_str(" and Qty gt ");
        5i32.write_literal(&mut out);
        assert_eq!(out, "Name eq 'x' and Qty gt 5");
        let boxed: Box<dyn ODataLiteral> = Box::new(1u8);
        assert_eq!(boxed.to_literal(), "1");
    }
}
