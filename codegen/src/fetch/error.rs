//! [`FetchError`]: why a download failed.

use std::path::PathBuf;

use crate::csdl;

/// Why a download failed. None of the messages holds a token or secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is unusable, or plain `http://` to a host that is not loopback.
    #[error("cannot use {url}: {message}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// No access token could be obtained from the Entra ID credential (wrong secret, unknown
    /// tenant, no managed identity here, Azure CLI not signed in). Keeps the `AADSTS...` code.
    #[error("cannot obtain an access token from {credential}: {message}")]
    Credential {
        /// The kind of credential.
        credential: String,
        /// What the credential reported, secrets removed.
        message: String,
    },
    /// The service refused the credentials (401) or the caller's rights (403).
    #[error(
        "the service refused access (HTTP {status}) to GET {url} with {authorization}{}{}",
        challenge.as_deref().map(|c| format!(" (WWW-Authenticate: {c})")).unwrap_or_default(),
        if detail.is_empty() { String::new() } else { format!(": {detail}") }
    )]
    Unauthorized {
        /// The `$metadata` URL.
        url: String,
        /// 401 or 403.
        status: u16,
        /// What was sent (`a bearer token`, `ClientSecretCredential`), never the token.
        authorization: String,
        /// The `WWW-Authenticate` header, if any.
        challenge: Option<String>,
        /// The start of the response body.
        detail: String,
    },
    /// Any other error status.
    #[error("GET {url} answered {status}{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    Status {
        /// The `$metadata` URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the response body.
        detail: String,
    },
    /// The request could not be sent or the body could not be read: the network, a timeout, a
    /// redirect the client does not follow, a response larger than the runtime accepts.
    #[error("GET {url} failed: {source}")]
    Transport {
        /// The `$metadata` URL.
        url: String,
        /// The runtime client's error.
        source: Box<d365fo_odata::Error>,
    },
    /// The document is larger than [`Fetch::max_size`](super::Fetch::max_size) (it declared more in `Content-Length`,
    /// or sent more). Reading stopped at the limit; nothing is saved.
    #[error(
        "GET {url}: the document is larger than the limit of {limit} bytes{}; nothing was saved \
         (raise the limit with Fetch::max_size, on the command line with \
         --max-metadata-bytes)",
        declared.map(|d| format!(" (it declared {d} bytes)")).unwrap_or_default()
    )]
    TooLarge {
        /// The `$metadata` URL.
        url: String,
        /// The limit in bytes.
        limit: u64,
        /// The length the response declared, if any.
        declared: Option<u64>,
    },
    /// The body is not a CSDL `edmx:Edmx` document (a sign-in page, a JSON error, ...). Nothing
    /// is saved.
    #[error(
        "GET {url} returned {found}{}, not an edmx:Edmx metadata document; nothing was saved",
        content_type.as_deref().map(|c| format!(" (Content-Type: {c})")).unwrap_or_default()
    )]
    NotMetadata {
        /// The `$metadata` URL.
        url: String,
        /// The response's `Content-Type`.
        content_type: Option<String>,
        /// What the body is (`an HTML page`, `JSON: {"error":...`).
        found: String,
    },
    /// The body is an `edmx:Edmx` document but not valid CSDL (truncated, malformed). Nothing is
    /// saved.
    #[error("the downloaded document is not valid metadata; nothing was saved: {0}")]
    Invalid(#[source] csdl::Error),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl FetchError {
    /// [`FetchError::Credential`] from the runtime's credential error (whose message has the
    /// credential's secrets removed already).
    pub(super) fn credential(name: &str, error: d365fo_odata::Error) -> FetchError {
        match error {
            d365fo_odata::Error::Credential {
                credential,
                message,
                ..
            } => FetchError::Credential {
                credential,
                message,
            },
            other => FetchError::Credential {
                credential: name.to_owned(),
                message: other.to_string(),
            },
        }
    }
}
