//! The crate-wide error type.
//!
//! Every failure surfaces as an [`Error`] that says what went wrong and where (the URL, the entity
//! set, the byte offset in a response). Callers match on the variant instead of parsing strings:
//! [`Error::NotFound`], [`Error::PreconditionFailed`], [`Error::Throttled`], [`Error::Auth`] and
//! [`Error::Service`] are the service saying no; [`Error::Transport`] and [`Error::Timeout`] are the
//! network; [`Error::Decode`] is a response that does not match the expected shape.
//!
//! Errors never carry secrets: URLs in them lose their user information and the values of secret
//! query parameters (SAS signatures, codes, tokens), and texts quoted from a response are scrubbed
//! the same way (see the crate's redaction rules in `redact`). Their `Display` output is bounded
//! (4 KiB per quoted text, cut with a marker), so that a hostile answer cannot
//! flood a log through an error; the full service error stays available in
//! [`Error::service_error`].

use std::time::Duration;

mod batch;
mod bulk;
mod construct;
#[cfg(feature = "dmf")]
pub(crate) mod dmf;
mod inspect;
pub(crate) mod service;

use crate::redact::{self, Bounded};
pub use batch::BatchError;
pub use bulk::BulkError;
pub use service::{ErrorCause, ErrorDetail, ServiceError};

/// Most bytes of a quoted text (a service error, a decoder's message, a configuration message)
/// that an [`Error`]'s `Display` shows; longer texts are cut with a marker.
pub(crate) const MAX_ERROR_TEXT: usize = 4096;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to an OData service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured with something unusable (a bad URL, a plain-`http` remote host).
    #[error("invalid configuration: {}", Bounded(.message.as_str(), MAX_ERROR_TEXT))]
    Config {
        /// What is wrong, naming the offending value.
        message: String,
    },

    /// Reading or writing a local file or writer failed (a downloaded file being written, a
    /// partial file being renamed into place).
    #[error("{}: {source}", redact::text(.context))]
    Io {
        /// What was being done, naming the file or the URL whose body was being written.
        context: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The request could not be sent or its response could not be read (connection refused or
    /// reset, TLS failure, a body cut off mid-stream).
    #[error("transport error on {method} {}: {source}", redact::url_text(.url))]
    Transport {
        /// HTTP method of the failed request.
        method: String,
        /// URL of the failed request.
        url: String,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// The request did not complete within the configured timeout.
    #[error("request timed out after {after:?}: {method} {}", redact::url_text(.url))]
    Timeout {
        /// HTTP method of the request.
        method: String,
        /// URL of the request.
        url: String,
        /// The timeout that elapsed.
        after: Duration,
    },

    /// The service answered 404: the entity set or the keyed entity does not exist (for F&O,
    /// also a row of another company read without `cross-company=true`).
    #[error("not found: {}", Bounded(.0.as_ref(), MAX_ERROR_TEXT))]
    NotFound(Box<ServiceError>),

    /// The service answered 412 (the ETag sent in `If-Match` is stale) or 428 (an `If-Match`
    /// header was required but not sent).
    #[error("precondition failed: {}", Bounded(.0.as_ref(), MAX_ERROR_TEXT))]
    PreconditionFailed(Box<ServiceError>),

    /// A write from a read row (`Client::update_row`, `Client::delete_row`) would send
    /// `If-Match` with the row's ETag, but the row carries none (read without `@odata.etag`, or
    /// built by hand). Nothing was sent; opt out explicitly with `if_match_any()` or
    /// `without_if_match()` to write without it.
    #[error(
        "{method} {}: the row of {entity} carries no ETag to send in If-Match \
         (opt out with if_match_any() or without_if_match())",
        redact::url_text(.url)
    )]
    MissingETag {
        /// The entity type's qualified name.
        entity: String,
        /// HTTP method of the request that was not sent.
        method: String,
        /// URL of the request that was not sent.
        url: String,
    },

    /// The service answered 429 (or 503 with `Retry-After`) and the retry budget is spent (see
    /// [`RetryPolicy`](crate::RetryPolicy)), or retries are off.
    #[error(
        "throttled after {attempts} attempt(s), {}s spent waiting: {}{}",
        waited.as_secs(),
        Bounded(.error.as_ref(), MAX_ERROR_TEXT),
        retry_after_note(*.retry_after)
    )]
    Throttled {
        /// The last throttling response.
        error: Box<ServiceError>,
        /// The server's last `Retry-After` as sent (before any cap), when it sent a readable one.
        retry_after: Option<Duration>,
        /// How many times the request was sent.
        attempts: u32,
        /// How long the request waited between its attempts (backoff and throttling pauses).
        waited: Duration,
    },

    /// A write that is not safe to repeat (a POST, a `$batch` with a change set) was sent, and
    /// no answer proved whether the service applied it: the connection was cut or timed out
    /// after sending, or the answer was 408, 500, 502, 504 or a 503 without `Retry-After` (a
    /// gateway may answer so after the service committed). It was not sent again, since a
    /// second create could store the row twice. Look the row up (by its key, or by the
    /// `request_id` in the service's logs) before sending it again.
    ///
    /// `source` is the last attempt's own error ([`Error::Transport`], [`Error::Timeout`],
    /// [`Error::Service`]); [`Error::status`], [`Error::activity_id`] and [`Error::is_timeout`]
    /// look through to it.
    #[error(
        "{method} {url} may have been applied: no definite answer after {attempts} attempt(s) \
         (client request id {request_id}); check before sending it again: {source}"
    )]
    MayHaveBeenApplied {
        /// HTTP method of the request.
        method: String,
        /// URL of the request.
        url: String,
        /// The `x-ms-client-request-id` every attempt of the request carried.
        request_id: String,
        /// How many times the request was sent (earlier ones were throttled or never left).
        attempts: u32,
        /// The last attempt's error.
        #[source]
        source: Box<Error>,
    },

    /// The service rejected the credentials (401) or the caller's rights (403).
    #[error("not authorized: {}", Bounded(.0.as_ref(), MAX_ERROR_TEXT))]
    Auth(Box<ServiceError>),

    /// No access token could be obtained from the Entra ID credential (a wrong secret, an unknown
    /// tenant or client id, no managed identity on this host, the Azure CLI not signed in). The
    /// message keeps the identity platform's error code (`AADSTS...`) and never holds the secret.
    #[error(
        "cannot obtain an access token from {credential}: {}",
        Bounded(.message.as_str(), MAX_ERROR_TEXT)
    )]
    Credential {
        /// The kind of credential, e.g. `ClientSecretCredential`.
        credential: String,
        /// What the credential reported.
        message: String,
        /// The credential's own error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// Any other error status from the service, with its OData error body.
    #[error("service error: {}", Bounded(.0.as_ref(), MAX_ERROR_TEXT))]
    Service(Box<ServiceError>),

    /// A response body did not have the expected shape (not JSON, truncated, rows that do not
    /// match the requested type).
    #[error(
        "cannot decode {what} from {} at line {line}, column {column}: {}",
        redact::url_text(.url),
        Bounded(.message.as_str(), MAX_ERROR_TEXT)
    )]
    Decode {
        /// What was being decoded, e.g. `page of CustomersV3`.
        what: String,
        /// URL of the response.
        url: String,
        /// 1-based line in the response body.
        line: usize,
        /// 1-based column in the response body.
        column: usize,
        /// What the decoder reported.
        message: String,
    },

    /// A server-driven paging link points to another origin than the service. It is refused so
    /// that credentials are never sent to a host the client was not configured for.
    #[error(
        "refusing to follow @odata.nextLink {}: it leaves the service origin {origin}",
        redact::url_text(.next_link)
    )]
    ForeignNextLink {
        /// The link the server sent.
        next_link: String,
        /// The origin the client is configured for.
        origin: String,
    },

    /// A query returned more rows than the cap given to `collect_all`; nothing was returned, so
    /// no caller mistakes a cut-off result for the whole.
    #[error(
        "{} returned more than {limit} rows (the cap given to collect_all)",
        redact::url_text(.url)
    )]
    RowLimitExceeded {
        /// The cap.
        limit: usize,
        /// The query's first URL.
        url: String,
    },

    /// A `$batch` response is not well-formed `multipart/mixed` (no boundary, a broken delimiter,
    /// an unparsable status line, a truncated body, more parts than requests).
    #[error(
        "malformed $batch response from {} at byte {offset}: {}",
        redact::url_text(.url),
        Bounded(.message.as_str(), MAX_ERROR_TEXT)
    )]
    Multipart {
        /// URL of the `$batch` request.
        url: String,
        /// Byte offset in the response body where the problem was found.
        offset: usize,
        /// What is wrong.
        message: String,
    },

    /// One operation of a `$batch` has no result of its own: rolled back with its change set,
    /// not executed, or not answered. See [`BatchError`](crate::BatchError).
    #[error(transparent)]
    Batch(Box<BatchError>),

    /// A data management (DMF) export or import did not deliver: the execution failed, only
    /// partly succeeded, was canceled or never finished; the package is missing or not a ZIP; a
    /// transfer to or from storage failed. Carries the execution id, last status, time waited,
    /// error messages and staging error file URLs; see [`DmfError`](crate::dmf::DmfError).
    #[cfg(feature = "dmf")]
    #[cfg_attr(docsrs, doc(cfg(feature = "dmf")))]
    #[error("data management: {}", Bounded(.0.as_ref(), MAX_ERROR_TEXT))]
    Dmf(Box<dmf::DmfError>),

    /// A response body was larger than the client accepts
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)): it
    /// declared more in `Content-Length`, or sent more. Reading stopped at the limit and the
    /// connection was dropped; the request is not retried.
    #[error(
        "the response to {method} {} is larger than the limit of {limit} bytes{} \
         (raise ClientBuilder::max_response_size if such answers are expected)",
        redact::url_text(.url),
        declared_note(*.declared)
    )]
    ResponseTooLarge {
        /// HTTP method of the request.
        method: String,
        /// URL of the request (redacted).
        url: String,
        /// The limit in bytes.
        limit: u64,
        /// The length the response declared in `Content-Length`, when it declared one.
        declared: Option<u64>,
    },

    /// The server redirected the request somewhere the client does not go: plain `http` (other
    /// than to loopback with
    /// [`ClientBuilder::allow_http_loopback`](crate::ClientBuilder::allow_http_loopback)), a
    /// scheme other than http(s), a `307`/`308` to another origin (which would send the request,
    /// its body included, there again), or more than [`MAX_REDIRECTS`](crate::MAX_REDIRECTS) hops.
    #[error(
        "{method} {}: refusing the redirect to {}: {reason}",
        redact::url_text(.url),
        redact::url_text(.location)
    )]
    Redirect {
        /// HTTP method of the request.
        method: String,
        /// URL of the request (redacted).
        url: String,
        /// Where the server redirected to (redacted).
        location: String,
        /// Why the redirect is not followed.
        reason: String,
    },

    /// A server-driven paging link was already followed in this read: the server's paging runs
    /// in a circle and would never end. The pages read so far were delivered; nothing more is.
    #[error(
        "@odata.nextLink {} was already followed in this read (after {pages} page(s)): \
         the server's paging runs in a circle",
        redact::url_text(.next_link)
    )]
    NextLinkLoop {
        /// The repeated link (redacted).
        next_link: String,
        /// How many pages were read before the repeat.
        pages: u64,
    },

    /// A bulk read ([`Query::bulk`](crate::Query::bulk)) could not deliver an exact result:
    /// offset windows shifted under concurrent writes, the service sent no count, rows hold
    /// `null` in the range property; see [`BulkError`].
    #[error("bulk read: {0}")]
    Bulk(Box<BulkError>),

    /// A URL could not be built or parsed.
    #[error("invalid URL {:?}: {source}", redact::url_text(.input))]
    Url {
        /// The text that failed to parse.
        input: String,
        /// The parser's reason.
        #[source]
        source: url::ParseError,
    },
}

fn declared_note(declared: Option<u64>) -> String {
    match declared {
        Some(length) => format!(" (it declared {length} bytes)"),
        None => String::new(),
    }
}

fn retry_after_note(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (server asked to retry after {}s)", d.as_secs()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_service_error_is_shown_cut_with_a_marker() {
        let body = format!(
            r#"{{"error":{{"code":"","message":"{}"}}}}"#,
            "y".repeat(1 << 20)
        );
        let e = Error::Service(Box::new(ServiceError::from_response(
            500,
            "GET",
            "https://env.example/data/X",
            None,
            body.as_bytes(),
        )));
        let shown = e.to_string();
        assert!(shown.len() < MAX_ERROR_TEXT + 100, "{}", shown.len());
        assert!(shown.contains("more bytes"), "a cut is marked: {shown}");
        let kept = &e.service_error().unwrap().message;
        assert!(
            kept.len() <= ServiceError::MAX_MESSAGE_BYTES + 100 && kept.starts_with("yyyy"),
            "the message is kept up to its documented cap: {}",
            kept.len()
        );
    }

    #[test]
    fn urls_in_errors_are_shown_without_secrets() {
        let e = Error::Timeout {
            method: "GET".into(),
            url: "https://u:pw@h/x?sig=S3CR3T".into(),
            after: Duration::from_secs(1),
        };
        let shown = e.to_string();
        assert!(
            !shown.contains("S3CR3T") && !shown.contains("pw@"),
            "{shown}"
        );
        let source = serde_json::from_str::<u32>(r#""https://h/x?code=C0DE""#).unwrap_err();
        let e = Error::decode("a number", "https://h/x?token=T0K", &source);
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("C0DE") && !shown.contains("T0K"), "{shown}");
    }
}
