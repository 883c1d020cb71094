//! The crate-wide error type.
//!
//! Every failure surfaces as an [`Error`] that says what went wrong and where (the URL, the entity
//! set, the byte offset in a response). Callers match on the variant instead of parsing strings:
//! [`Error::NotFound`], [`Error::PreconditionFailed`], [`Error::Throttled`], [`Error::Auth`] and
//! [`Error::Service`] are the service saying no; [`Error::Transport`] and [`Error::Timeout`] are the
//! network; [`Error::Decode`] is a response that does not match the expected shape.

use std::fmt;
use std::time::Duration;

use crate::service_error::ServiceError;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to an OData service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured with something unusable (a bad URL, a plain-`http` remote host).
    #[error("invalid configuration: {message}")]
    Config {
        /// What is wrong, naming the offending value.
        message: String,
    },

    /// Reading or writing a local file or writer failed (a downloaded file being written, a
    /// partial file being renamed into place).
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the file or the URL whose body was being written.
        context: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The request could not be sent or its response could not be read (connection refused or
    /// reset, TLS failure, a body cut off mid-stream).
    #[error("transport error on {method} {url}: {source}")]
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
    #[error("request timed out after {after:?}: {method} {url}")]
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
    #[error("not found: {0}")]
    NotFound(Box<ServiceError>),

    /// The service answered 412 (the ETag sent in `If-Match` is stale) or 428 (an `If-Match`
    /// header was required but not sent).
    #[error("precondition failed: {0}")]
    PreconditionFailed(Box<ServiceError>),

    /// A write from a read row (`Client::update_row`, `Client::delete_row`) would send
    /// `If-Match` with the row's ETag, but the row carries none (read without `@odata.etag`, or
    /// built by hand). Nothing was sent; opt out explicitly with `if_match_any()` or
    /// `without_if_match()` to write without it.
    #[error(
        "{method} {url}: the row of {entity} carries no ETag to send in If-Match \
         (opt out with if_match_any() or without_if_match())"
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
        "throttled after {attempts} attempt(s), {}s spent waiting: {error}{}",
        waited.as_secs(),
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
    #[error("not authorized: {0}")]
    Auth(Box<ServiceError>),

    /// No access token could be obtained from the Entra ID credential (a wrong secret, an unknown
    /// tenant or client id, no managed identity on this host, the Azure CLI not signed in). The
    /// message keeps the identity platform's error code (`AADSTS...`) and never holds the secret.
    #[error("cannot obtain an access token from {credential}: {message}")]
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
    #[error("service error: {0}")]
    Service(Box<ServiceError>),

    /// A response body did not have the expected shape (not JSON, truncated, rows that do not
    /// match the requested type).
    #[error("cannot decode {what} from {url} at line {line}, column {column}: {message}")]
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
        "refusing to follow @odata.nextLink {next_link}: it leaves the service origin {origin}"
    )]
    ForeignNextLink {
        /// The link the server sent.
        next_link: String,
        /// The origin the client is configured for.
        origin: String,
    },

    /// A query returned more rows than the cap given to `collect_all`; nothing was returned, so
    /// no caller mistakes a cut-off result for the whole.
    #[error("{url} returned more than {limit} rows (the cap given to collect_all)")]
    RowLimitExceeded {
        /// The cap.
        limit: usize,
        /// The query's first URL.
        url: String,
    },

    /// A `$batch` response is not well-formed `multipart/mixed` (no boundary, a broken delimiter,
    /// an unparsable status line, a truncated body, more parts than requests).
    #[error("malformed $batch response from {url} at byte {offset}: {message}")]
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
    Batch(Box<crate::batch::BatchError>),

    /// A data management (DMF) export or import did not deliver: the execution failed, only
    /// partly succeeded, was canceled or never finished; the package is missing or not a ZIP; a
    /// transfer to or from storage failed. Carries the execution id, last status, time waited,
    /// error messages and staging error file URLs; see [`DmfError`](crate::dmf::DmfError).
    #[error("data management: {0}")]
    Dmf(Box<crate::dmf::DmfError>),

    /// A URL could not be built or parsed.
    #[error("invalid URL {input:?}: {source}")]
    Url {
        /// The text that failed to parse.
        input: String,
        /// The parser's reason.
        #[source]
        source: url::ParseError,
    },
}

fn retry_after_note(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (server asked to retry after {}s)", d.as_secs()),
        None => String::new(),
    }
}

impl Error {
    /// The service error behind this error, when the service answered with an error status.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::NotFound(e)
            | Error::PreconditionFailed(e)
            | Error::Auth(e)
            | Error::Service(e)
            | Error::Throttled { error: e, .. } => Some(e),
            Error::MayHaveBeenApplied { source, .. } => source.service_error(),
            _ => None,
        }
    }

    /// The HTTP status the service answered with, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.service_error().map(|e| e.status)
    }

    /// The activity id the service assigned to the failed request (F&O's `ms-dyn-aid` header),
    /// which Microsoft support asks for.
    pub fn activity_id(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.activity_id.as_deref())
    }

    /// The data management details, for [`Error::Dmf`].
    pub fn dmf(&self) -> Option<&crate::dmf::DmfError> {
        match self {
            Error::Dmf(e) => Some(e),
            _ => None,
        }
    }

    /// `true` for [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound(_))
    }

    /// `true` for [`Error::Throttled`].
    pub fn is_throttled(&self) -> bool {
        matches!(self, Error::Throttled { .. })
    }

    /// `true` for [`Error::Timeout`], also inside [`Error::MayHaveBeenApplied`].
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::MayHaveBeenApplied { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// `true` when the request may have changed data although it failed: for
    /// [`Error::MayHaveBeenApplied`], and for an [`Error::NotFound`] or
    /// [`Error::PreconditionFailed`] answered to a write whose earlier attempt was interrupted
    /// after it was sent (an `If-Match` PATCH whose first attempt was applied comes back 412, a
    /// DELETE 404; see [`ServiceError::earlier_attempt_interrupted`]).
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::MayHaveBeenApplied { .. } => true,
            Error::NotFound(e) | Error::PreconditionFailed(e) => e.earlier_attempt_interrupted,
            _ => false,
        }
    }

    /// The `x-ms-client-request-id` the request carried, for [`Error::MayHaveBeenApplied`].
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::MayHaveBeenApplied { request_id, .. } => Some(request_id),
            _ => None,
        }
    }

    /// Marks a 404 or 412 as the answer to a write whose earlier attempt was interrupted.
    pub(crate) fn after_interrupted_attempt(mut self) -> Self {
        if let Error::NotFound(e) | Error::PreconditionFailed(e) = &mut self {
            e.earlier_attempt_interrupted = true;
        }
        self
    }

    /// A throttling error for one attempt, before any retry.
    pub(crate) fn throttled(error: Box<ServiceError>, retry_after: Option<Duration>) -> Self {
        Error::Throttled {
            error,
            retry_after,
            attempts: 1,
            waited: Duration::ZERO,
        }
    }

    /// Records on a throttling error how often the request was sent and how long it waited.
    pub(crate) fn with_attempts(mut self, attempts_made: u32, waited_total: Duration) -> Self {
        if let Error::Throttled {
            attempts, waited, ..
        } = &mut self
        {
            *attempts = attempts_made;
            *waited = waited_total;
        }
        self
    }

    pub(crate) fn config(message: impl fmt::Display) -> Self {
        Error::Config {
            message: message.to_string(),
        }
    }

    pub(crate) fn io(context: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            context: context.to_string(),
            source,
        }
    }

    pub(crate) fn url(input: &str, source: url::ParseError) -> Self {
        Error::Url {
            input: input.to_owned(),
            source,
        }
    }

    /// Classifies a reqwest error raised while sending `method url`.
    pub(crate) fn from_reqwest(
        method: &reqwest::Method,
        url: &str,
        timeout: Duration,
        source: reqwest::Error,
    ) -> Self {
        if source.is_timeout() {
            Error::Timeout {
                method: method.to_string(),
                url: url.to_owned(),
                after: timeout,
            }
        } else {
            Error::Transport {
                method: method.to_string(),
                url: url.to_owned(),
                source,
            }
        }
    }

    /// A decode error for `body`, locating serde_json's failure by line and column.
    pub(crate) fn decode(what: impl Into<String>, url: &str, source: &serde_json::Error) -> Self {
        // serde_json appends its own "at line L column C"; the variant carries those separately.
        let text = source.to_string();
        let reason = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(r, _)| r);
        let message = if source.is_eof() {
            format!("the body ends early (truncated response?): {reason}")
        } else {
            reason.to_owned()
        };
        Error::Decode {
            what: what.into(),
            url: url.to_owned(),
            line: source.line(),
            column: source.column(),
            message,
        }
    }
}
