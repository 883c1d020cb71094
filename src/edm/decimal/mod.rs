//! `Edm.Decimal`: an exact decimal that never passes through `f64`.

use std::fmt;
use std::str::FromStr;

use super::error::{ParseError, ParseErrorKind};

mod json;

const EDM_TYPE: &str = "Edm.Decimal";

/// Largest mantissa a `rust_decimal::Decimal` holds: 2^96 - 1.
const MAX_MANTISSA: u128 = (1u128 << 96) - 1;
/// Largest scale (digits after the point) a `rust_decimal::Decimal` holds.
const MAX_SCALE: i64 = 28;
/// Most decimal digits a mantissa can have (2^96 - 1 has 29 digits).
const MAX_DIGITS: i64 = 29;

/// An `Edm.Decimal` value: an exact decimal number backed by
/// [`rust_decimal::Decimal`], decoded from JSON without a float round trip.
///
/// The scale is kept as received: `12.50` displays and serializes as `12.50`.
/// Comparison, equality and hashing are by numeric value (`1.0 == 1.00`).
///
/// ```
/// use d365fo_odata::edm::Decimal;
///
/// #[derive(serde::Deserialize)]
/// struct Customer {
///     #[serde(rename = "CreditLimit")]
///     credit_limit: Decimal,
/// }
///
/// let c: Customer = serde_json::from_str(r#"{"CreditLimit": 12345678901234.123456}"#)?;
/// assert_eq!(c.credit_limit.to_string(), "12345678901234.123456");
/// assert_eq!(serde_json::to_string(&c.credit_limit)?, "12345678901234.123456");
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # How exactness is kept
///
/// F&O sends decimals as JSON numbers (`"CreditLimit": 12345678901234.123456`).
/// `serde_json` (without its graph-wide `arbitrary_precision` feature) parses
/// a number with a fraction into an `f64` before any `Deserialize` impl sees
/// it, so `12345678901234.123456` would arrive as `12345678901234.123`.
///
/// [`Decimal`]'s `Deserialize` impl instead asks the deserializer for the
/// value's *raw JSON text*. It calls `deserialize_newtype_struct` with the
/// name `serde_json` reserves for `RawValue`; with serde_json's additive
/// `raw_value` feature on (this crate turns it on), serde_json's
/// `Deserializer` answers by skipping over the value and handing the visitor
/// the exact slice of input text — borrowed for `from_str`/`from_slice`,
/// buffered for `from_reader` — and the digits are parsed straight into a
/// `rust_decimal::Decimal`. Nothing is allocated on the `from_str`/`from_slice`
/// path, no `Box<RawValue>` is built, and the `serde_json::Value` type every
/// other crate sees is unchanged (that is what `arbitrary_precision` would
/// have broken).
///
/// Alternatives that were rejected:
/// * deserializing a `Box<RawValue>`/`&RawValue` field: public API, but it
///   allocates per value (or only works on borrowed input), and it fails
///   outright for `serde_json::from_value` and for serde's buffered content
///   (`#[serde(flatten)]`, untagged enums), which offer no raw text;
/// * a separate row-decoding helper: every generated entity would need it, and
///   plain `serde_json::from_slice::<Entity>` would silently lose digits;
/// * `arbitrary_precision`: changes `serde_json::Value` for the whole build.
///
/// The name is a serde_json implementation detail, unchanged since `RawValue`
/// was introduced; this crate's tests fail if it ever stops working.
///
/// Other deserializers still work, through the best path they offer:
/// * decimal strings (OData's `IEEE754Compatible=true` form, `"12.50"`) and
///   JSON integers are always exact;
/// * `serde_json::Value` holds numbers as `f64`, so decoding *from a `Value`*
///   is only as exact as the `Value` already is — decode rows from bytes;
/// * a deserializer that only offers an `f64` (serde's buffered content) is
///   accepted when the float's shortest form has at most 15 significant
///   digits (every decimal of up to 15 digits survives `f64` unchanged); with
///   16 or more, digits may already have been lost and decoding fails instead.
///
/// Values that `rust_decimal` cannot hold exactly (more than 28–29 significant
/// digits, more than 28 after the point) are an error, never rounded.
///
/// Cost, measured with `benches/edm_decode.rs` (1,000 rows, four decimals and
/// three date-times each): 9.3 M instructions per page against 7.3 M for
/// the same rows decoded lossily into `f64` and `String` (1.27×, callgrind).
///
/// Serialization writes a JSON number with exactly the stored digits
/// (`12.50` stays `12.50`) through the same raw-value mechanism; other
/// serializers see a one-field struct, as they do for `serde_json::value::RawValue`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Decimal(rust_decimal::Decimal);

impl Decimal {
    /// Zero, with scale 0.
    pub const ZERO: Decimal = Decimal(rust_decimal::Decimal::ZERO);

    /// Wraps a `rust_decimal::Decimal`.
    pub const fn new(value: rust_decimal::Decimal) -> Self {
        Self(value)
    }

    /// Builds `mantissa / 10^scale`, e.g. `Decimal::from_mantissa_scale(1250, 2)` is `12.50`.
    ///
    /// Fails with [`ParseErrorKind::TooManyDigits`] when `scale > 28` or with
    /// [`ParseErrorKind::Overflow`] when the mantissa exceeds 96 bits.
    pub fn from_mantissa_scale(mantissa: i128, scale: u32) -> Result<Self, ParseError> {
        rust_decimal::Decimal::try_from_i128_with_scale(mantissa, scale)
            .map(Self)
            .map_err(|_| {
                let kind = if scale > 28 {
                    ParseErrorKind::TooManyDigits
                } else {
                    ParseErrorKind::Overflow
                };
                ParseError::new(EDM_TYPE, &format!("{mantissa}e-{scale}"), 0, kind)
            })
    }

    /// The wrapped `rust_decimal::Decimal`.
    pub const fn as_decimal(&self) -> &rust_decimal::Decimal {
        &self.0
    }

    /// Unwraps into a `rust_decimal::Decimal`.
    pub const fn into_inner(self) -> rust_decimal::Decimal {
        self.0
    }

    /// Number of digits after the decimal point, as received (`12.50` → 2).
    pub const fn scale(&self) -> u32 {
        self.0.scale()
    }

    /// Parses decimal text exactly: `-12.50`, `1e3`, `1E-2`, `+7`.
    ///
    /// This is what [`FromStr`] does; it accepts the JSON number grammar plus
    /// an optional leading `+`. It never rounds: more digits than
    /// `rust_decimal` holds yield [`ParseErrorKind::TooManyDigits`], a value
    /// too large yields [`ParseErrorKind::Overflow`].
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        parse_exact(text).map(Self)
    }

    /// Writes the exact digits, as [`Display`](fmt::Display) does, into a
    /// stack buffer and calls `f` with the text (no allocation).
    pub(crate) fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let mut buf = StackText::new();
        // A 96-bit mantissa with scale <= 28 is at most 31 characters.
        let _ = fmt::write(&mut buf, format_args!("{}", self.0));
        f(buf.as_str())
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl FromStr for Decimal {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(value: rust_decimal::Decimal) -> Self {
        Self(value)
    }
}

impl From<Decimal> for rust_decimal::Decimal {
    fn from(value: Decimal) -> Self {
        value.0
    }
}

impl AsRef<rust_decimal::Decimal> for Decimal {
    fn as_ref(&self) -> &rust_decimal::Decimal {
        &self.0
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Decimal {
            fn from(value: $t) -> Self {
                Self(rust_decimal::Decimal::from(value))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32, u64);

/// Parses decimal text into a `rust_decimal::Decimal` without rounding.
fn parse_exact(input: &str) -> Result<rust_decimal::Decimal, ParseError> {
    let bytes = input.as_bytes();
    let err = |pos: usize, kind: ParseErrorKind| ParseError::new(EDM_TYPE, input, pos, kind);
    let syntax = |pos: usize, expected: &'static str| err(pos, ParseErrorKind::Syntax { expected });

    let mut pos = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            pos += 1;
            true
        }
        Some(b'+') => {
            pos += 1;
            false
        }
        _ => false,
    };
    let digits_at = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };

    let int_start = pos;
    let int_len = digits_at(pos);
    if int_len == 0 {
        let rest = &input[pos..];
        if rest.eq_ignore_ascii_case("INF") || rest.eq_ignore_ascii_case("NaN") {
            return Err(syntax(
                pos,
                "a finite number (Edm.Decimal has no INF or NaN)",
            ));
        }
        return Err(syntax(pos, "a digit"));
    }
    pos += int_len;

    let (frac_start, frac_len) = if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        let len = digits_at(pos);
        if len == 0 {
            return Err(syntax(pos, "a digit after `.`"));
        }
        let start = pos;
        pos += len;
        (start, len)
    } else {
        (pos, 0)
    };

    let mut exponent: i64 = 0;
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        let exp_negative = match bytes.get(pos) {
            Some(b'-') => {
                pos += 1;
                true
            }
            Some(b'+') => {
                pos += 1;
                false
            }
            _ => false,
        };
        let len = digits_at(pos);
        if len == 0 {
            return Err(syntax(pos, "a digit in the exponent"));
        }
        for &b in &bytes[pos..pos + len] {
            // Saturate: any exponent this large is out of range anyway, and
            // the mantissa-is-zero case does not depend on it.
            exponent = (exponent * 10 + i64::from(b - b'0')).min(1 << 40);
        }
        if exp_negative {
            exponent = -exponent;
        }
        pos += len;
    }
    if pos != bytes.len() {
        return Err(err(pos, ParseErrorKind::TrailingCharacters));
    }

    // Fast path, the usual case: no exponent and at most 28 digits, so the
    // mantissa is below 10^28 < 2^96 and the scale is at most 28.
    if exponent == 0 && int_len + frac_len <= 28 {
        let mut digits = bytes[int_start..int_start + int_len]
            .iter()
            .chain(&bytes[frac_start..frac_start + frac_len]);
        // Most values fit a u64 (19 digits); only longer ones pay for u128.
        let mut small: u64 = 0;
        for &b in digits.by_ref().take(19) {
            small = small * 10 + u64::from(b - b'0');
        }
        let mut mantissa = i128::from(small);
        for &b in digits {
            mantissa = mantissa * 10 + i128::from(b - b'0');
        }
        if negative {
            mantissa = -mantissa;
        }
        return rust_decimal::Decimal::try_from_i128_with_scale(mantissa, frac_len as u32)
            .map_err(|_| err(0, ParseErrorKind::Overflow));
    }

    // The digits int ++ frac, viewed as one sequence, with the value
    // digits * 10^-scale.
    let digit = |i: usize| -> u8 {
        if i < int_len {
            bytes[int_start + i] - b'0'
        } else {
            bytes[frac_start + (i - int_len)] - b'0'
        }
    };
    let total = int_len + frac_len;
    let mut scale = frac_len as i64 - exponent;

    let first = (0..total).find(|&i| digit(i) != 0);
    let Some(first) = first else {
        // Zero: exact whatever the scale; keep as much of the scale as fits.
        let scale = scale.clamp(0, MAX_SCALE) as u32;
        return Ok(rust_decimal::Decimal::new(0, scale));
    };
    let mut end = total; // one past the last significant digit kept
    let trailing_zeros = (first..total).rev().take_while(|&i| digit(i) == 0).count();
    let mut droppable = if scale > 0 {
        (trailing_zeros as i64).min(scale)
    } else {
        0
    };

    // Drop trailing zeros after the point only as far as needed to fit.
    let digits = (end - first) as i64;
    let need = (scale - MAX_SCALE).max(digits - MAX_DIGITS).max(0);
    if need > droppable {
        let integer_digits = digits - scale;
        let kind = if integer_digits > MAX_DIGITS {
            ParseErrorKind::Overflow
        } else {
            ParseErrorKind::TooManyDigits
        };
        return Err(err(0, kind));
    }
    end -= need as usize;
    scale -= need;
    droppable -= need;

    let mut mantissa: u128 = 0;
    for i in first..end {
        mantissa = mantissa * 10 + u128::from(digit(i));
    }
    if scale < 0 {
        let factor = u32::try_from(-scale)
            .ok()
            .and_then(|e| 10u128.checked_pow(e))
            .ok_or_else(|| err(0, ParseErrorKind::Overflow))?;
        mantissa = mantissa
            .checked_mul(factor)
            .ok_or_else(|| err(0, ParseErrorKind::Overflow))?;
        scale = 0;
    }
    while mantissa > MAX_MANTISSA {
        if droppable == 0 {
            let kind = if scale == 0 {
                ParseErrorKind::Overflow
            } else {
                ParseErrorKind::TooManyDigits
            };
            return Err(err(0, kind));
        }
        mantissa /= 10;
        scale -= 1;
        droppable -= 1;
    }

    let signed = if negative {
        -(mantissa as i128)
    } else {
        mantissa as i128
    };
    rust_decimal::Decimal::try_from_i128_with_scale(signed, scale as u32)
        .map_err(|_| err(0, ParseErrorKind::Overflow))
}

/// A fixed-size text buffer, big enough for any `rust_decimal::Decimal`.
struct StackText {
    buf: [u8; 48],
    len: usize,
}

impl StackText {
    fn new() -> Self {
        Self {
            buf: [0; 48],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever appended.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
