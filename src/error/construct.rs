//! How the crate builds an [`Error`]: from a reqwest failure, a serde_json failure, a throttling
//! answer, a bad configuration value; every text redacted and bounded on the way in.

use std::fmt;
use std::time::Duration;

use super::{Error, MAX_ERROR_TEXT, ServiceError};
use crate::redact;

impl Error {
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
            message: redact::text(&message.to_string()).into_owned(),
        }
    }

    #[cfg(feature = "recurring")]
    pub(crate) fn io(context: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            context: context.to_string(),
            source,
        }
    }

    pub(crate) fn url(input: &str, source: url::ParseError) -> Self {
        Error::Url {
            input: redact::url_text(input),
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
        // reqwest's own message names the URL as is: it is shown here, redacted, instead.
        let source = source.without_url();
        let url = redact::url_text(url);
        if source.is_timeout() {
            Error::Timeout {
                method: method.to_string(),
                url,
                after: timeout,
            }
        } else {
            Error::Transport {
                method: method.to_string(),
                url,
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
        // serde quotes offending values ("invalid type: string \"…\""): they may be secrets
        // (a SAS URL) or huge.
        Error::Decode {
            what: what.into(),
            url: redact::url_text(url),
            line: source.line(),
            column: source.column(),
            message: redact::truncate(&redact::text(&message), MAX_ERROR_TEXT).into_owned(),
        }
    }
}
