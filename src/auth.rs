//! How requests are authorized.
//!
//! [`Auth::Bearer`] sends a fixed token (useful for local servers and for tokens obtained
//! elsewhere); [`Auth::None`] sends nothing. The token is never shown by `Debug`.

use std::fmt;

/// The authorization a [`Client`](crate::Client) attaches to every request.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header (local servers that do not check).
    #[default]
    None,
    /// A fixed bearer token, sent as `Authorization: Bearer <token>`.
    Bearer(Secret),
}

/// A secret string that never appears in `Debug` or `Display` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Bearer(s) => f.debug_tuple("Bearer").field(s).finish(),
        }
    }
}

impl Auth {
    /// The `Authorization` header value to send, if any.
    pub(crate) fn header_value(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Bearer(token) => Some(format!("Bearer {}", token.expose())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_token() {
        let auth = Auth::Bearer(Secret::new("s3cr3t-value"));
        let shown = format!("{auth:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(shown, "Bearer(Secret(***))");
    }
}
