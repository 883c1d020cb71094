//! `Edm.Binary`: a byte string, base64url-encoded on the wire.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::base64::{self, Alphabet};
use super::error::ParseError;

/// An `Edm.Binary` value: owned bytes.
///
/// OData writes binary as base64url (RFC 4648 §5) in JSON and in the literal
/// `binary'…'`; this type writes that, with `=` padding. Reading accepts both
/// the URL-safe and the standard alphabet, padded or not, because .NET-based
/// services (F&O among them) commonly emit standard base64 (`+`, `/`).
/// If a service rejects URL-safe input, send [`to_base64`](Self::to_base64)
/// text instead.
///
/// ```
/// use d365fo_odata::edm::Binary;
///
/// let b = Binary::from(vec![0xfb, 0xff]);
/// assert_eq!(b.to_string(), "-_8=");
/// assert_eq!(serde_json::to_string(&b)?, r#""-_8=""#);
/// let back: Binary = serde_json::from_str(r#""+/8=""#)?;
/// assert_eq!(back, b);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Binary(Vec<u8>);

impl Binary {
    /// Wraps bytes.
    pub const fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Unwraps into the bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// Decodes base64 in either alphabet, padding optional; the same as [`FromStr`].
    pub fn from_base64(text: &str) -> Result<Self, ParseError> {
        base64::decode(text).map(Self)
    }

    /// Padded base64url text (RFC 4648 §5), the OData wire form.
    pub fn to_base64url(&self) -> String {
        let mut out = String::new();
        base64::encode_into(&self.0, Alphabet::UrlSafe, &mut out);
        out
    }

    /// Padded standard base64 text (RFC 4648 §4, `+` and `/`).
    pub fn to_base64(&self) -> String {
        let mut out = String::new();
        base64::encode_into(&self.0, Alphabet::Standard, &mut out);
        out
    }

    pub(crate) fn write_base64url(&self, out: &mut String) {
        base64::encode_into(&self.0, Alphabet::UrlSafe, out);
    }
}

impl fmt::Display for Binary {
    /// Writes padded base64url.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

impl FromStr for Binary {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_base64(s)
    }
}

impl From<Vec<u8>> for Binary {
    fn from(value: Vec<u8>) -> Self {
        Self(value)
    }
}

impl From<&[u8]> for Binary {
    fn from(value: &[u8]) -> Self {
        Self(value.to_vec())
    }
}

impl From<Binary> for Vec<u8> {
    fn from(value: Binary) -> Self {
        value.0
    }
}

impl AsRef<[u8]> for Binary {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64url())
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BinaryVisitor;

        impl Visitor<'_> for BinaryVisitor {
            type Value = Binary;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an Edm.Binary base64 string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Binary, E> {
                Binary::from_base64(v).map_err(E::custom)
            }

            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Binary, E> {
                Ok(Binary::from(v))
            }

            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Binary, E> {
                Ok(Binary(v))
            }
        }

        deserializer.deserialize_str(BinaryVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_is_padded_base64url() {
        let b = Binary::from(b"\xfb\xffhello".as_slice());
        assert_eq!(serde_json::to_string(&b).unwrap(), r#""-_9oZWxsbw==""#);
        let back: Binary = serde_json::from_str(r#""-_9oZWxsbw==""#).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn reads_standard_alphabet_and_unpadded_text() {
        let expected = Binary::from(b"\xfb\xffhello".as_slice());
        let b: Binary = serde_json::from_str(r#""+/9oZWxsbw==""#).unwrap();
        assert_eq!(b, expected);
        let b: Binary = serde_json::from_str(r#""-_9oZWxsbw""#).unwrap();
        assert_eq!(b, expected);
        assert_eq!(b.to_base64(), "+/9oZWxsbw==");
    }

    #[test]
    fn rejects_bad_base64_with_message() {
        let err = Binary::from_base64("ab!d").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.Binary `ab!d` at byte 2: expected a base64 character"
        );
        let err = serde_json::from_str::<Binary>(r#""a""#).unwrap_err();
        assert!(
            err.to_string().contains("invalid Edm.Binary `a` at byte 1"),
            "{err}"
        );
    }

    #[test]
    fn empty_binary_is_empty_text() {
        assert_eq!(Binary::default().to_string(), "");
        assert_eq!(Binary::from_base64("").unwrap(), Binary::default());
    }
}
