//! Building blocks of the `serde` impls in generated bindings.
//!
//! Generated read models implement `Deserialize` with a short hand-written visitor instead of
//! `#[derive(Deserialize)]`, whose expansion (a field enum with three matches over every
//! property name, a sequence visitor and per-field duplicate checks) dominates the build time
//! of bindings with thousands of properties. The pieces that visitor shares live here.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, Visitor};

/// A JSON object member name, borrowed from the input when it can be (no allocation per member
/// when decoding from a byte slice or string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The member name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }

            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }

        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// The value of a required member, or serde's "missing field" error naming it.
///
/// # Errors
/// `E::missing_field(name)` when `value` is `None`.
pub fn required<T, E: serde::de::Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(name))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::{Key, required};

    #[test]
    fn keys_borrow_from_the_input_unless_escaped() {
        let key: Key<'_> = serde_json::from_str(r#""CustomerAccount""#).unwrap();
        assert_eq!(key.as_str(), "CustomerAccount");
        assert!(matches!(key.0, std::borrow::Cow::Borrowed(_)));
        let escaped: Key<'_> = serde_json::from_str(r#""Customer\u0041ccount""#).unwrap();
        assert_eq!(escaped.as_str(), "CustomerAccount");
        assert!(matches!(escaped.0, std::borrow::Cow::Owned(_)));
        let from_value = Key::deserialize(serde_json::Value::String("@odata.etag".into())).unwrap();
        assert_eq!(from_value.as_str(), "@odata.etag");
    }

    #[test]
    fn a_missing_required_member_is_named() {
        let missing: Result<i32, serde_json::Error> = required(None, "CustomerAccount");
        assert_eq!(
            missing.unwrap_err().to_string(),
            "missing field `CustomerAccount`"
        );
        let present: Result<i32, serde_json::Error> = required(Some(7), "CustomerAccount");
        assert_eq!(present.unwrap(), 7);
    }
}
