//! `Edm.Guid`: a 128-bit identifier written `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.

use std::fmt;
use std::str::FromStr;

use super::cursor::Cursor;
use super::error::ParseError;
use super::serde_str::serde_via_str;

/// An `Edm.Guid`: 16 bytes, parsed from the hyphenated 8-4-4-4-12 hex form in
/// either case, written in lower case.
///
/// The bytes are in the order the text shows them (RFC 9562 order), not .NET's
/// mixed-endian `Guid.ToByteArray()` order. No UUID crate is needed for an
/// identifier that is only parsed, compared and echoed back; convert with
/// [`as_bytes`](Self::as_bytes)/[`from_bytes`](Self::from_bytes) or the `u128` forms, or, with
/// the `uuid` Cargo feature, with `From` to and from `uuid::Uuid`.
///
/// JSON form: a string; URL literal: unquoted, e.g.
/// `5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10`.
///
/// ```
/// use d365fo_odata::edm::Guid;
///
/// let g: Guid = "5B3E1C52-0B0C-4F0E-9D7A-2F8A4C1E9B10".parse()?;
/// assert_eq!(g.to_string(), "5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10");
/// # Ok::<(), d365fo_odata::edm::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Guid([u8; 16]);

impl Guid {
    /// The all-zero GUID, `00000000-0000-0000-0000-000000000000`.
    pub const NIL: Guid = Guid([0; 16]);

    /// A GUID from its 16 bytes in textual order.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The 16 bytes in textual order.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// A GUID from a `u128` whose hex digits read as the GUID text.
    pub const fn from_u128(value: u128) -> Self {
        Self(value.to_be_bytes())
    }

    /// The GUID as a `u128` whose hex digits read as the GUID text.
    pub const fn to_u128(&self) -> u128 {
        u128::from_be_bytes(self.0)
    }

    /// Whether this is [`Guid::NIL`].
    pub const fn is_nil(&self) -> bool {
        self.to_u128() == 0
    }

    /// Parses the hyphenated form, hex digits in either case; the same as [`FromStr`].
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let c = Cursor::new("Edm.Guid", text);
        let bytes = text.as_bytes();
        let mut out = [0u8; 16];
        let mut nibble = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if b != b'-' {
                    return Err(c.error_at(
                        i,
                        super::ParseErrorKind::Syntax {
                            expected: "`-` (form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                        },
                    ));
                }
                continue;
            }
            if i >= 36 {
                return Err(c.error_at(i, super::ParseErrorKind::TrailingCharacters));
            }
            let value = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => {
                    return Err(c.error_at(
                        i,
                        super::ParseErrorKind::Syntax {
                            expected: "a hex digit",
                        },
                    ));
                }
            };
            out[nibble / 2] |= value << if nibble % 2 == 0 { 4 } else { 0 };
            nibble += 1;
        }
        if bytes.len() < 36 {
            return Err(c.error_at(
                bytes.len(),
                super::ParseErrorKind::Syntax {
                    expected: "36 characters (form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                },
            ));
        }
        Ok(Self(out))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = [0u8; 36];
        let mut at = 0;
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                text[at] = b'-';
                at += 1;
            }
            text[at] = HEX[usize::from(byte >> 4)];
            text[at + 1] = HEX[usize::from(byte & 0x0f)];
            at += 2;
        }
        // Only ASCII was written.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for Guid {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// With the `uuid` feature: the same 128 bits, byte for byte in textual order, so the
/// hyphenated forms agree.
///
/// ```
/// # #[cfg(feature = "uuid")] {
/// use d365fo_odata::edm::Guid;
///
/// let u = uuid::Uuid::parse_str("5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10").unwrap();
/// let g = Guid::from(u);
/// assert_eq!(g.to_string(), u.to_string());
/// assert_eq!(uuid::Uuid::from(g), u);
/// # }
/// ```
#[cfg(feature = "uuid")]
impl From<uuid::Uuid> for Guid {
    fn from(value: uuid::Uuid) -> Self {
        Self(value.into_bytes())
    }
}

/// With the `uuid` feature: the same 128 bits, byte for byte in textual order (the inverse of
/// `Guid::from(uuid::Uuid)`).
#[cfg(feature = "uuid")]
impl From<Guid> for uuid::Uuid {
    fn from(value: Guid) -> Self {
        uuid::Uuid::from_bytes(value.0)
    }
}

impl From<[u8; 16]> for Guid {
    fn from(value: [u8; 16]) -> Self {
        Self(value)
    }
}

impl From<Guid> for [u8; 16] {
    fn from(value: Guid) -> Self {
        value.0
    }
}

impl From<u128> for Guid {
    fn from(value: u128) -> Self {
        Self::from_u128(value)
    }
}

impl From<Guid> for u128 {
    fn from(value: Guid) -> Self {
        value.to_u128()
    }
}

serde_via_str!(
    Guid,
    "an Edm.Guid string such as \"5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10\""
);

#[cfg(test)]
mod tests {
    #[cfg(feature = "uuid")]
    #[test]
    fn uuid_round_trips_and_agrees_on_text() {
        for text in [
            "00000000-0000-0000-0000-000000000000",
            "5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10",
            "ffffffff-ffff-ffff-ffff-fffffffffffe",
            "00112233-4455-6677-8899-aabbccddeeff",
        ] {
            let g: super::Guid = text.parse().unwrap();
            let u = uuid::Uuid::from(g);
            assert_eq!(u.to_string(), text);
            assert_eq!(u.as_bytes(), g.as_bytes());
            assert_eq!(super::Guid::from(u), g);
        }
    }

    use super::*;
    use crate::edm::ParseErrorKind;

    const TEXT: &str = "5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10";

    #[test]
    fn parses_case_insensitively_and_writes_lowercase() {
        let upper = Guid::parse(&TEXT.to_uppercase()).unwrap();
        let lower = Guid::parse(TEXT).unwrap();
        assert_eq!(upper, lower);
        assert_eq!(upper.to_string(), TEXT);
        assert_eq!(lower.to_u128(), 0x5b3e1c52_0b0c_4f0e_9d7a_2f8a4c1e9b10);
        assert_eq!(lower.as_bytes()[0], 0x5b);
        assert_eq!(Guid::from_u128(lower.to_u128()), lower);
    }

    #[test]
    fn nil_guid_round_trips() {
        assert_eq!(
            Guid::NIL.to_string(),
            "00000000-0000-0000-0000-000000000000"
        );
        assert!(
            Guid::parse("00000000-0000-0000-0000-000000000000")
                .unwrap()
                .is_nil()
        );
    }

    #[test]
    fn rejects_bad_guids_with_message() {
        let err = Guid::parse("5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b1g").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.Guid `5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b1g` at byte 35: expected a hex digit"
        );
        let err = Guid::parse("5b3e1c520b0c4f0e9d7a2f8a4c1e9b10").unwrap_err();
        assert_eq!(err.position, 8);
        let err = Guid::parse("5b3e1c52-0b0c").unwrap_err();
        assert_eq!(err.position, 13);
        let err = Guid::parse("{5b3e1c52-0b0c-4f0e-9d7a-2f8a4c1e9b10}").unwrap_err();
        assert_eq!(err.position, 0);
        let err = Guid::parse(&format!("{TEXT}0")).unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::TrailingCharacters);
        assert_eq!(err.position, 36);
    }

    #[test]
    fn json_form_is_a_lowercase_string() {
        let g: Guid = serde_json::from_str(&format!("\"{}\"", TEXT.to_uppercase())).unwrap();
        assert_eq!(serde_json::to_string(&g).unwrap(), format!("\"{TEXT}\""));
    }
}
