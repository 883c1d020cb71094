use serde::{Deserialize, Serialize};

use super::json::significant_digits;
use super::*;

fn dec(s: &str) -> Decimal {
    Decimal::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[derive(Debug, Deserialize, Serialize, PartialEq)]
struct Row {
    #[serde(rename = "Amount")]
    amount: Decimal,
    #[serde(rename = "Optional", default)]
    optional: Option<Decimal>,
}

#[test]
fn parses_exact_digits_beyond_f64_precision() {
    let d = dec("12345678901234.123456");
    assert_eq!(d.to_string(), "12345678901234.123456");
    assert_eq!(d.scale(), 6);
}

#[test]
fn parses_tiny_negative_fraction() {
    assert_eq!(dec("-0.000001").to_string(), "-0.000001");
}

#[test]
fn parses_largest_mantissa() {
    let d = dec("79228162514264337593543950335");
    assert_eq!(d.into_inner(), rust_decimal::Decimal::MAX);
    assert_eq!(d.to_string(), "79228162514264337593543950335");
}

#[test]
fn parses_exponent_forms() {
    assert_eq!(dec("1e3").to_string(), "1000");
    assert_eq!(dec("1E-2").to_string(), "0.01");
    assert_eq!(dec("1.5e+2").to_string(), "150");
    assert_eq!(dec("-2.50E1").to_string(), "-25.0");
    assert_eq!(dec("0e999999999999").to_string(), "0");
    assert_eq!(dec("123e-28").to_string(), "0.0000000000000000000000000123");
}

#[test]
fn keeps_scale_of_trailing_zeros() {
    assert_eq!(dec("12.50").to_string(), "12.50");
    assert_eq!(dec("0.00").to_string(), "0.00");
    assert_eq!(dec("12.50"), dec("12.5"));
}

#[test]
fn drops_only_zero_digits_needed_to_fit() {
    // 35 digits, but the extra ones are zeros after the point: value is exact.
    let d = dec("1.0000000000000000000000000000000000");
    assert_eq!(d.scale(), 28);
    assert_eq!(d, dec("1"));
    assert_eq!(
        dec("0.0000000000000000000000000000000000").to_string(),
        "0.0000000000000000000000000000"
    );
}

#[test]
fn rejects_too_many_significant_digits() {
    let err = Decimal::parse("1.00000000000000000000000000001").unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::TooManyDigits);
    assert_eq!(
        err.to_string(),
        "invalid Edm.Decimal `1.00000000000000000000000000001` at byte 0: more significant \
         digits than a decimal holds (28-29, at most 28 after the point); refusing to round"
    );
    // 29 digits whose mantissa exceeds 2^96 - 1 with a fraction: would be rounded.
    let err = Decimal::parse("7.9228162514264337593543950336").unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::TooManyDigits);
    let err = Decimal::parse("1e-29").unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::TooManyDigits);
}

#[test]
fn rejects_values_too_large() {
    for s in [
        "79228162514264337593543950336",
        "1e29",
        "1e999999999999999999999",
        "123456789012345678901234567890",
    ] {
        let err = Decimal::parse(s).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::Overflow, "{s}");
        assert!(err.to_string().ends_with("value too large"), "{err}");
    }
}

#[test]
fn rejects_malformed_text_with_position() {
    let cases = [
        ("", 0, "a digit"),
        ("-", 1, "a digit"),
        ("1.", 2, "a digit after `.`"),
        (".5", 0, "a digit"),
        ("1e", 2, "a digit in the exponent"),
        ("INF", 0, "a finite number (Edm.Decimal has no INF or NaN)"),
        ("-NaN", 1, "a finite number (Edm.Decimal has no INF or NaN)"),
    ];
    for (input, pos, expected) in cases {
        let err = Decimal::parse(input).unwrap_err();
        assert_eq!(err.position, pos, "{input}");
        assert_eq!(err.kind, ParseErrorKind::Syntax { expected }, "{input}");
    }
    let err = Decimal::parse("12.5x").unwrap_err();
    assert_eq!(err.kind, ParseErrorKind::TrailingCharacters);
    assert_eq!(err.position, 4);
}

#[test]
fn deserializes_json_number_exactly_from_str_slice_and_reader() {
    let json = r#"{"Amount": 12345678901234.123456, "Optional": -0.000001}"#;
    let expected = Row {
        amount: dec("12345678901234.123456"),
        optional: Some(dec("-0.000001")),
    };
    assert_eq!(serde_json::from_str::<Row>(json).unwrap(), expected);
    assert_eq!(
        serde_json::from_slice::<Row>(json.as_bytes()).unwrap(),
        expected
    );
    assert_eq!(
        serde_json::from_reader::<_, Row>(json.as_bytes()).unwrap(),
        expected
    );
    let r: Row = serde_json::from_str(json).unwrap();
    assert_eq!(r.amount.to_string(), "12345678901234.123456");
}

#[test]
fn deserializes_json_edge_numbers() {
    for (json, text) in [
        (
            "79228162514264337593543950335",
            "79228162514264337593543950335",
        ),
        ("1e3", "1000"),
        ("1E-2", "0.01"),
        ("42", "42"),
        ("-7", "-7"),
        ("0", "0"),
        ("  3.0  ", "3.0"),
    ] {
        let d: Decimal = serde_json::from_str(json).unwrap();
        assert_eq!(d.to_string(), text, "{json}");
    }
}

#[test]
fn deserializes_decimal_strings() {
    let d: Decimal = serde_json::from_str(r#""12.50""#).unwrap();
    assert_eq!(d.to_string(), "12.50");
    let d: Decimal = serde_json::from_str(r#""\u0031.5""#).unwrap();
    assert_eq!(d.to_string(), "1.5");
    let r: Row = serde_json::from_str(r#"{"Amount":"12345678901234.123456"}"#).unwrap();
    assert_eq!(r.amount.to_string(), "12345678901234.123456");
}

#[test]
fn deserializes_null_into_option_and_rejects_it_otherwise() {
    let r: Row = serde_json::from_str(r#"{"Amount":1,"Optional":null}"#).unwrap();
    assert_eq!(r.optional, None);
    let err = serde_json::from_str::<Decimal>("null").unwrap_err();
    assert!(err.to_string().contains("invalid type: null"), "{err}");
    let err = serde_json::from_str::<Decimal>("true").unwrap_err();
    assert!(err.to_string().contains("invalid type: boolean"), "{err}");
    let err = serde_json::from_str::<Decimal>(r#"{"a":1}"#).unwrap_err();
    assert!(err.to_string().contains("invalid type: map"), "{err}");
}

#[test]
fn deserialize_error_names_the_problem_and_json_position() {
    let err =
        serde_json::from_str::<Row>(r#"{"Amount": 1.00000000000000000000000000001}"#).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("refusing to round"), "{msg}");
    assert!(msg.contains("line 1"), "{msg}");
    let err = serde_json::from_str::<Decimal>(r#""12,5""#).unwrap_err();
    assert!(
        err.to_string()
            .contains("invalid Edm.Decimal `12,5` at byte 2"),
        "{err}"
    );
}

#[test]
fn serializes_exact_digits_as_json_number() {
    for text in [
        "12345678901234.123456",
        "-0.000001",
        "79228162514264337593543950335",
        "12.50",
        "0",
    ] {
        let d = dec(text);
        assert_eq!(serde_json::to_string(&d).unwrap(), text);
        let back: Decimal = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back.to_string(), text);
    }
    let row = Row {
        amount: dec("1.10"),
        optional: None,
    };
    assert_eq!(
        serde_json::to_string(&row).unwrap(),
        r#"{"Amount":1.10,"Optional":null}"#
    );
}

#[test]
fn from_value_is_as_exact_as_the_value() {
    let v = serde_json::json!({"Amount": 2.5, "Optional": "12345678901234.123456"});
    let r: Row = serde_json::from_value(v).unwrap();
    assert_eq!(r.amount.to_string(), "2.5");
    assert_eq!(r.optional.unwrap().to_string(), "12345678901234.123456");
    // And serializing into a Value gives a number.
    assert_eq!(
        serde_json::to_value(dec("2.5")).unwrap(),
        serde_json::json!(2.5)
    );
}

#[derive(Debug, Deserialize)]
struct Flattened {
    #[serde(flatten)]
    row: Row,
}

#[test]
fn buffered_content_accepts_floats_that_survive_f64() {
    let f: Flattened = serde_json::from_str(r#"{"Amount": 1234.5678, "Optional": 7}"#).unwrap();
    assert_eq!(f.row.amount.to_string(), "1234.5678");
    assert_eq!(f.row.optional.unwrap().to_string(), "7");
}

#[test]
fn buffered_content_rejects_floats_that_may_have_lost_digits() {
    let err =
        serde_json::from_str::<Flattened>(r#"{"Amount": 12345678901234.123456}"#).unwrap_err();
    assert!(
        err.to_string().contains("more than 15 significant digits"),
        "{err}"
    );
}

#[test]
fn counts_significant_digits_of_float_text() {
    assert_eq!(significant_digits("0.001"), 1);
    assert_eq!(significant_digits("100000000000000000000"), 1);
    assert_eq!(significant_digits("12345678901234.123"), 17);
    assert_eq!(significant_digits("-1.5"), 2);
    assert_eq!(significant_digits("0"), 0);
}

#[test]
fn converts_to_and_from_rust_decimal() {
    let inner = rust_decimal::Decimal::new(1250, 2);
    let d = Decimal::from(inner);
    assert_eq!(rust_decimal::Decimal::from(d), inner);
    assert_eq!(d.as_decimal(), &inner);
    assert_eq!(Decimal::from_mantissa_scale(1250, 2).unwrap(), d);
    assert_eq!(
        Decimal::from_mantissa_scale(1, 29).unwrap_err().kind,
        ParseErrorKind::TooManyDigits
    );
    assert_eq!(Decimal::from(42u64).to_string(), "42");
    assert_eq!(format!("{d:?}"), "Decimal(12.50)");
}
