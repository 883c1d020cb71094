//! Reading a [`Decimal`] from JSON and writing it back without a float round trip: the raw text
//! serde_json hands out (feature `raw_value`), its `arbitrary_precision` numbers, strings, and
//! the guarded fallback for deserializers that only offer an `f64`.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Unexpected, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};

use super::Decimal;

/// Name serde_json uses for numbers when some crate enables `arbitrary_precision`;
/// a `serde_json::Value` then carries the exact digits under this key.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";
/// Name serde_json (feature `raw_value`) uses to hand out and take in raw JSON text.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";
/// Significant digits in the shortest text of a finite `f64`.
pub(super) fn significant_digits(text: &str) -> usize {
    let digits = text.bytes().filter(u8::is_ascii_digit);
    let trimmed: Vec<u8> = digits.skip_while(|&b| b == b'0').collect();
    let len = trimmed
        .iter()
        .rposition(|&b| b != b'0')
        .map_or(0, |p| p + 1);
    // Trailing zeros of an integer (`1e20` prints as `100000000000000000000`)
    // are not significant either.
    len.max(usize::from(!trimmed.is_empty()))
}

/// Decimal from a deserializer that only offered an `f64` (see module docs).
fn from_lossy_f64<E: de::Error>(value: f64) -> Result<Decimal, E> {
    if !value.is_finite() {
        return Err(E::invalid_value(
            Unexpected::Float(value),
            &"a finite Edm.Decimal",
        ));
    }
    let text = format!("{value}");
    if significant_digits(&text) > 15 {
        return Err(E::custom(format_args!(
            "invalid Edm.Decimal: the deserializer supplied the binary float {text}, \
             which has more than 15 significant digits, so digits may already have been \
             lost; decode with serde_json::from_str/from_slice/from_reader or send \
             decimals as strings"
        )));
    }
    Decimal::parse(&text).map_err(E::custom)
}

/// Parses a raw JSON value's text: a number, or a string holding a decimal.
fn from_raw_json<E: de::Error>(raw: &str) -> Result<Decimal, E> {
    let raw = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    match raw.as_bytes().first() {
        Some(b'"') => {
            let inner = &raw[1..raw.len() - 1];
            if inner.contains('\\') {
                let unescaped: String = serde_json::from_str(raw).map_err(E::custom)?;
                Decimal::parse(&unescaped).map_err(E::custom)
            } else {
                Decimal::parse(inner).map_err(E::custom)
            }
        }
        Some(b'-' | b'0'..=b'9') => Decimal::parse(raw).map_err(E::custom),
        Some(b'n') => Err(E::invalid_type(Unexpected::Unit, &DecimalVisitor)),
        Some(b't' | b'f') => Err(E::invalid_type(
            Unexpected::Bool(raw == "true"),
            &DecimalVisitor,
        )),
        Some(b'[') => Err(E::invalid_type(Unexpected::Seq, &DecimalVisitor)),
        _ => Err(E::invalid_type(Unexpected::Map, &DecimalVisitor)),
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // serde_json answers this name with the raw text of the value;
        // every other deserializer treats it as an ordinary newtype struct.
        deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, DecimalVisitor)
    }
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an Edm.Decimal as a JSON number or decimal string")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Decimal, A::Error> {
        let Some(key) = map.next_key_seed(TokenKey)? else {
            return Err(de::Error::invalid_type(Unexpected::Map, &self));
        };
        match key {
            Token::RawValue => map.next_value_seed(TextSeed { raw_json: true }),
            Token::Number => map.next_value_seed(TextSeed { raw_json: false }),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
        Decimal::from_mantissa_scale(v, 0).map_err(E::custom)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
        let v = i128::try_from(v).map_err(|_| E::custom("Edm.Decimal value too large"))?;
        self.visit_i128(v)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        from_lossy_f64(v)
    }
}

enum Token {
    RawValue,
    Number,
}

/// Reads the single key of serde_json's raw-value (or number) map.
struct TokenKey;

impl<'de> DeserializeSeed<'de> for TokenKey {
    type Value = Token;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Token, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for TokenKey {
    type Value = Token;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an Edm.Decimal, not an object")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Token, E> {
        match v {
            RAW_VALUE_TOKEN => Ok(Token::RawValue),
            NUMBER_TOKEN => Ok(Token::Number),
            _ => Err(E::invalid_type(Unexpected::Map, &DecimalVisitor)),
        }
    }
}

/// Reads the text value of serde_json's raw-value (or number) map and parses it.
struct TextSeed {
    raw_json: bool,
}

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = Decimal;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TextSeed {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the text of a JSON number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        if self.raw_json {
            from_raw_json(v)
        } else {
            Decimal::parse(v).map_err(E::custom)
        }
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // serde_json writes the field's string verbatim as the JSON value.
        self.with_text(|text| {
            let mut s = serializer.serialize_struct(RAW_VALUE_TOKEN, 1)?;
            s.serialize_field(RAW_VALUE_TOKEN, text)?;
            s.end()
        })
    }
}
