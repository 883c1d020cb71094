//! How requests are authorized.
//!
//! - [`Auth::None`] sends nothing (local servers that do not check).
//! - [`Auth::Bearer`] sends a fixed token obtained elsewhere.
//! - [`Auth::Credential`] asks a Microsoft Entra ID credential for tokens: a client secret
//!   ([`Auth::client_secret`]), a managed identity ([`Auth::managed_identity`]), workload identity
//!   federation ([`Auth::workload_identity`]), the Azure CLI ([`Auth::azure_cli`]), a certificate
//!   (`Auth::client_certificate`, crate feature `client-certificate`), one picked from the
//!   environment ([`Auth::from_env`]) or any [`TokenCredential`] ([`Auth::credential`]).
//!
//! With a credential, each [`Client`](crate::Client) keeps its token in a cache: it is fetched once,
//! shared by every request, and refreshed a margin before it expires (5 minutes by default,
//! [`Auth::with_refresh_margin`]). However many requests find the cache empty at the same time,
//! only one token request is made. When the service answers `401 Unauthorized`, the token is
//! dropped and the request is sent once more with a fresh one. A fixed [`Auth::Bearer`] token gets
//! no such retry: there is nothing to refresh it from.
//!
//! The token is requested for the scope `https://<environment host>/.default`, derived from the
//! client's environment URL (F&O wants the resource without a trailing slash);
//! [`Auth::with_scope`] overrides it.
//!
//! Tokens and secrets never appear in `Debug` or `Display` output, nor in errors.
//!
//! The credential types come from [`azure_identity`] and [`azure_core`], re-exported here so that
//! their versions always match this crate's.

mod credential;
mod env;
mod scope;
mod token_cache;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use azure_core;
pub use azure_core::credentials::TokenCredential;
pub use azure_identity;

pub use credential::Credential;
pub(crate) use scope::default_scope;
pub(crate) use token_cache::TokenCache;

/// How long before its expiry a cached token is replaced, unless set otherwise with
/// [`Auth::with_refresh_margin`].
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The authorization a [`Client`](crate::Client) attaches to every request.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header (local servers that do not check).
    #[default]
    None,
    /// A fixed bearer token, sent as `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// Tokens obtained from a Microsoft Entra ID credential, cached and refreshed per client.
    Credential(Credential),
}

/// A secret string that never appears in `Debug` or `Display` output.
#[derive(Clone, PartialEq, Eq)]
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

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Bearer(s) => f.debug_tuple("Bearer").field(s).finish(),
            Auth::Credential(c) => f.debug_tuple("Credential").field(c).finish(),
        }
    }
}

impl Auth {
    /// Tokens from any Entra ID credential, e.g. one built with [`azure_identity`] options this
    /// crate has no shortcut for.
    ///
    /// ```no_run
    /// use d365fo_odata::auth::{Auth, azure_identity::ManagedIdentityCredential};
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = Auth::credential(ManagedIdentityCredential::new(None)?);
    /// # Ok(()) }
    /// ```
    pub fn credential(credential: Arc<dyn TokenCredential>) -> Self {
        Auth::Credential(Credential::new(credential))
    }

    /// Requests tokens for `scope` instead of the one derived from the environment URL
    /// (`https://<environment host>/.default`). Has no effect on [`Auth::None`] and
    /// [`Auth::Bearer`].
    pub fn with_scope(self, scope: impl Into<String>) -> Self {
        match self {
            Auth::Credential(c) => Auth::Credential(c.with_scope(scope)),
            other => other,
        }
    }

    /// Replaces a cached token this long before it expires (default
    /// [`DEFAULT_REFRESH_MARGIN`], 5 minutes). For tokens that live less than twice the margin,
    /// half their lifetime is used instead, so that a short-lived token is still reused. Has no
    /// effect on [`Auth::None`] and [`Auth::Bearer`].
    pub fn with_refresh_margin(self, margin: Duration) -> Self {
        match self {
            Auth::Credential(c) => Auth::Credential(c.with_refresh_margin(margin)),
            other => other,
        }
    }

    /// The credential, for [`Auth::Credential`].
    pub fn as_credential(&self) -> Option<&Credential> {
        match self {
            Auth::Credential(c) => Some(c),
            _ => None,
        }
    }

    /// The `Authorization` header value to send for a fixed token, if any.
    pub(crate) fn header_value(&self) -> Option<String> {
        match self {
            Auth::None | Auth::Credential(_) => None,
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

    #[test]
    fn display_output_hides_the_secret() {
        assert_eq!(Secret::new("s3cr3t-value").to_string(), "***");
    }
}
