//! Property tests: every Edm value survives its text, JSON and literal forms.

use d365fo_odata::edm::{
    Binary, DateTimeOffset, Decimal, Duration, Guid, ODataLiteral, TimeOfDay,
    percent_encode_query_value,
};
use proptest::prelude::*;

/// Any `rust_decimal` value: a 96-bit mantissa with a scale of 0..=28.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    (any::<u128>(), any::<bool>(), 0u32..=28).prop_map(|(m, negative, scale)| {
        let m = (m & ((1u128 << 96) - 1)) as i128;
        let m = if negative { -m } else { m };
        Decimal::from_mantissa_scale(m, scale).expect("96-bit mantissa, scale <= 28")
    })
}

/// Reverses a string literal: strips the quotes and un-doubles `''`.
fn unquote(literal: &str) -> String {
    assert!(literal.len() >= 2 && literal.starts_with('\'') && literal.ends_with('\''));
    let inner = &literal[1..literal.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            assert_eq!(chars.next(), Some('\''), "lone quote in {literal}");
        }
        out.push(c);
    }
    out
}

/// Reverses percent-encoding (the encoder never writes `+` for a space).
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

proptest! {
    #[test]
    fn decimal_text_round_trips_exactly(d in any_decimal()) {
        let text = d.to_string();
        let back: Decimal = text.parse().unwrap();
        prop_assert_eq!(back, d);
        prop_assert_eq!(back.to_string(), text.clone());
        prop_assert_eq!(d.to_literal(), text);
    }

    #[test]
    fn decimal_json_number_round_trips_exactly(d in any_decimal()) {
        let json = serde_json::to_string(&d).unwrap();
        prop_assert_eq!(&json, &d.to_string());
        let back: Decimal = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.to_string(), d.to_string());
        let back: Decimal = serde_json::from_reader(json.as_bytes()).unwrap();
        prop_assert_eq!(back.to_string(), d.to_string());
        let quoted: Decimal = serde_json::from_str(&format!("\"{json}\"")).unwrap();
        prop_assert_eq!(quoted.to_string(), d.to_string());
    }

    #[test]
    fn decimal_exponent_form_means_the_same_value(m in -999_999_999i64..999_999_999, e in -10i32..10) {
        let text = format!("{m}e{e}");
        let expected = if e >= 0 {
            rust_decimal::Decimal::from_i128_with_scale(i128::from(m) * 10i128.pow(e as u32), 0)
        } else {
            rust_decimal::Decimal::from_i128_with_scale(i128::from(m), e.unsigned_abs())
        };
        let parsed: Decimal = text.parse().unwrap();
        prop_assert_eq!(parsed.into_inner(), expected);
    }

    #[test]
    fn decimal_never_rounds_past_29_digits(digits in "[1-9][0-9]{29,40}", point in 1usize..29) {
        let text = format!("{}.{}", &digits[..point], &digits[point..]);
        // Ends in a non-zero digit so no digit can be dropped without rounding.
        let text = format!("{text}1");
        prop_assert!(text.parse::<Decimal>().is_err(), "{text}");
    }

    #[test]
    fn string_literal_round_trips(s in any::<String>()) {
        let literal = s.to_literal();
        prop_assert_eq!(unquote(&literal), s);
    }

    #[test]
    fn encoded_query_value_decodes_to_the_original(s in any::<String>()) {
        let encoded = percent_encode_query_value(&s);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_graphic()));
        for forbidden in ['+', '&', '#', '=', ';', '/', '?', ' '] {
            prop_assert!(!encoded.contains(forbidden), "{forbidden} in {encoded}");
        }
        prop_assert_eq!(percent_decode(&encoded), s.into_bytes());
    }

    #[test]
    fn date_time_offset_round_trips(
        secs in -62_135_596_800i64..253_402_300_799,
        nanos in 0u32..1_000_000_000,
        offset_minutes in -1439i32..=1439,
    ) {
        let offset = time::UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap();
        let odt = time::OffsetDateTime::from_unix_timestamp(secs).unwrap()
            .replace_nanosecond(nanos).unwrap()
            .to_offset(offset);
        let value = DateTimeOffset::from(odt);
        let text = value.to_string();
        let back: DateTimeOffset = text.parse().unwrap();
        prop_assert_eq!(back.as_offset_date_time(), odt);
        prop_assert_eq!(back.offset(), odt.offset());
        let json = serde_json::to_string(&value).unwrap();
        prop_assert_eq!(serde_json::from_str::<DateTimeOffset>(&json).unwrap(), value);
    }

    #[test]
    fn time_of_day_round_trips(nanos_of_day in 0u64..86_400_000_000_000) {
        let t = time::Time::MIDNIGHT + time::Duration::nanoseconds(nanos_of_day as i64);
        let back: TimeOfDay = TimeOfDay::from(t).to_string().parse().unwrap();
        prop_assert_eq!(back.as_time(), t);
    }

    #[test]
    fn duration_round_trips(secs in -10_000_000_000i64..10_000_000_000, nanos in 0i32..1_000_000_000) {
        let nanos = if secs < 0 { -nanos } else { nanos };
        let d = time::Duration::new(secs, nanos);
        let back: Duration = Duration::from(d).to_string().parse().unwrap();
        prop_assert_eq!(back.as_duration(), d);
    }

    #[test]
    fn guid_round_trips_in_any_case(v in any::<u128>(), upper in any::<bool>()) {
        let g = Guid::from_u128(v);
        let text = if upper { g.to_string().to_uppercase() } else { g.to_string() };
        prop_assert_eq!(text.parse::<Guid>().unwrap(), g);
    }

    #[test]
    fn binary_round_trips_through_json(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let b = Binary::from(bytes);
        let json = serde_json::to_string(&b).unwrap();
        prop_assert_eq!(serde_json::from_str::<Binary>(&json).unwrap(), b.clone());
        prop_assert_eq!(b.to_base64().parse::<Binary>().unwrap(), b);
    }
}
