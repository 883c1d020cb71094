//! Sending requests: the [`Transport`] engine that every request of the crate goes through. It
//! holds the HTTP client, the authorization, the retry policy, the shared throttle gate, the
//! client-side limits and the request timeout, and knows nothing of the [`Client`](crate::Client)
//! that owns it.
//!
//! The order for each attempt ([`retry_loop`]): a place among the requests in flight
//! ([`limits`]), the throttle gate ([`throttle`]), the rate limit, then one exchange with its
//! `Authorization` header ([`attempt`], with one retry with a fresh token after a 401). A failed
//! attempt is classified ([`Cause`]) and the retry loop decides from the [`RetryPolicy`] whether
//! and when to try again.

mod attempt;
mod body;
mod limits;
mod redirect;
mod request_id;
mod retry_after;
mod retry_loop;
mod scheme;
mod status;
mod throttle;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, IF_MATCH};
use reqwest::{Method, StatusCode};
use tracing::Instrument as _;
use url::Url;

use crate::auth::{Auth, TokenCache};
use crate::error::{Error, Result};
use crate::policy::RetryPolicy;

pub(crate) use body::declared_length;
#[cfg(feature = "dmf")]
pub(crate) use body::read_capped;
pub(crate) use limits::Limits;
pub use redirect::MAX_REDIRECTS;
#[cfg(feature = "dmf")]
pub(crate) use redirect::refused as refused_redirect;
pub(crate) use redirect::{Rules as RedirectRules, policy as redirect_policy};
#[allow(
    unused_imports,
    reason = "for `$batch`, which reads Retry-After of its parts"
)]
pub(crate) use retry_after::{parse_retry_after, retry_after};
pub(crate) use scheme::{is_loopback, permits_scheme};
pub(crate) use status::status_error;
pub(crate) use throttle::Gate;

/// The engine behind a client: sends [`Request`]s with authorization, limits, throttling and
/// retries. One per client, shared by every clone of it.
pub(crate) struct Transport {
    http: reqwest::Client,
    /// Headers sent with every request (a request's own headers win).
    headers: HeaderMap,
    authorizer: Authorizer,
    retry: RetryPolicy,
    gate: Gate,
    limits: Limits,
    timeout: Duration,
    /// Largest success body read into memory.
    max_response_size: u64,
}

/// Shows the settings; header values named like credentials are hidden, and the HTTP client
/// inside is not shown at all.
impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("headers", &crate::redact::Headers(&self.headers))
            .field("authorizer", &self.authorizer)
            .field("retry", &self.retry)
            .field("gate", &self.gate)
            .field("limits", &self.limits)
            .field("timeout", &self.timeout)
            .field("max_response_size", &self.max_response_size)
            .finish_non_exhaustive()
    }
}

/// Where the `Authorization` header of a request comes from.
#[derive(Debug)]
pub(crate) struct Authorizer {
    auth: Auth,
    /// The token cache, for [`Auth::Credential`].
    tokens: Option<TokenCache>,
}

impl Authorizer {
    /// Authorization by `auth`; `tokens` is the cache of its credential, if it has one.
    pub(crate) fn new(auth: Auth, tokens: Option<TokenCache>) -> Self {
        Authorizer { auth, tokens }
    }
}

impl Transport {
    /// An engine sending with `http`. `headers` go with every request, and `timeout` bounds
    /// every attempt, from sending to the end of the body; both are set on each request, so they
    /// apply to a caller's own `reqwest::Client` too. A success body larger than
    /// `max_response_size` bytes is not read ([`Error::ResponseTooLarge`]).
    pub(crate) fn new(
        http: reqwest::Client,
        headers: HeaderMap,
        authorizer: Authorizer,
        retry: RetryPolicy,
        limits: Limits,
        timeout: Duration,
        max_response_size: u64,
    ) -> Self {
        Transport {
            http,
            headers,
            authorizer,
            retry,
            gate: Gate::default(),
            limits,
            timeout,
            max_response_size,
        }
    }

    /// Sends `request` (again, as the retry policy allows), reads the body, and maps an error
    /// status to its [`Error`].
    ///
    /// Every attempt carries the same `x-ms-client-request-id` (the caller's, when the request
    /// has one). With a credential, a `401 Unauthorized` answer makes the engine drop the token
    /// and send the request once more with a fresh one.
    pub(crate) async fn send(&self, mut request: Request) -> Result<Response> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::config(
                "no Tokio runtime: d365fo-odata runs its requests on Tokio; call it from within \
                 #[tokio::main], #[tokio::test] or Runtime::block_on, not another executor",
            ));
        }
        let request_id = request_id::ensure(&mut request.headers);
        let span = tracing::info_span!(
            "odata.request",
            method = %request.method,
            url = %crate::redact::url(&request.url),
            request_id = %request_id,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        retry_loop::send_with_retries(self, &request, &request_id)
            .instrument(span)
            .await
    }

    /// Reports a throttling answer received outside [`Transport::send`] (a part of a `$batch`
    /// response with 429 and `Retry-After`): closes the throttle gate for the wait it asks for
    /// (capped and floored as [`RetryPolicy`] says, or the policy's default wait when absent)
    /// and returns that wait. Does nothing and returns zero when retries are off.
    pub(crate) fn report_throttling(&self, headers: &HeaderMap) -> Duration {
        if !self.retry.is_enabled() {
            return Duration::ZERO;
        }
        let asked = retry_after(headers, SystemTime::now());
        let wait = self.retry.throttle_wait(asked);
        self.gate.close_for(wait, asked);
        tracing::info!(
            wait_ms = wait.as_millis() as u64,
            "throttled: pausing every request of the client"
        );
        wait
    }

    /// Waits until the throttle gate is open and returns how long that took.
    pub(crate) async fn wait_for_gate(&self) -> Duration {
        self.gate.wait().await
    }

    /// The client-side limits.
    #[cfg(test)]
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// A request to send: what [`Transport::send`] needs, in one value that can be sent again.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    /// Whether sending twice is as good as once; `None`: derived from method and headers.
    pub(crate) idempotent: Option<bool>,
    /// Whether a successful response's body is left unread for the caller to stream
    /// ([`Response::stream`]) instead of being read into [`Response::body`].
    pub(crate) stream_body: bool,
}

impl Request {
    /// A request without body.
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            idempotent: None,
            stream_body: false,
        }
    }

    /// Leaves the body of a successful response unread, in [`Response::stream`], so that a large
    /// download can be written out piece by piece. Error responses are still read whole.
    pub(crate) fn stream_body(mut self) -> Self {
        self.stream_body = true;
        self
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Sets a body with its content type.
    #[cfg_attr(
        not(feature = "recurring"),
        allow(dead_code, reason = "used by recurring uploads")
    )]
    pub(crate) fn body(mut self, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        self.body = Some(body.into());
        self
    }

    /// Says whether the request may be sent again after a failure that leaves open whether the
    /// server processed it, overriding what [`Request::is_idempotent`] derives (a `$batch` POST
    /// of GETs only is idempotent; one with a change set is not).
    #[allow(dead_code, reason = "`$batch` is the caller")]
    pub(crate) fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Whether sending the request twice has the effect of sending it once: as set with
    /// [`Request::idempotent`], else `true` for GET, HEAD, OPTIONS, PUT and DELETE and for a PATCH
    /// with `If-Match` (a second one fails on the changed ETag instead of applying twice).
    pub(crate) fn is_idempotent(&self) -> bool {
        self.idempotent.unwrap_or_else(|| match self.method {
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE => true,
            Method::PATCH => self.headers.contains_key(IF_MATCH),
            _ => false,
        })
    }

    /// Whether the request changes data on the server (anything but GET, HEAD and OPTIONS).
    pub(crate) fn writes(&self) -> bool {
        !matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
    }
}

/// A successful response with its body read in full.
#[derive(Debug)]
pub(crate) struct Response {
    /// HTTP status (2xx).
    pub(crate) status: StatusCode,
    /// Response headers.
    pub(crate) headers: HeaderMap,
    /// The whole body (empty when the request asked for [`Request::stream_body`]).
    pub(crate) body: Bytes,
    /// The unread response, when the request asked for [`Request::stream_body`].
    pub(crate) stream: Option<reqwest::Response>,
}

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// The request never left: no connection could be made, or the engine did not send it (no
    /// time left). The server never saw it.
    NotSent,
    /// The request went out but no whole response came back (reset, timeout, a cut-off body):
    /// the server may have processed it.
    Interrupted,
    /// The server answered with an error status.
    Status {
        /// The status.
        status: StatusCode,
        /// Its `Retry-After`, when readable.
        retry_after: Option<Duration>,
    },
    /// Anything that no retry can fix (no token could be obtained).
    Final,
}

impl Cause {
    /// Whether the server may have processed the request although the attempt failed: it was
    /// sent and either no whole answer came back, or the answer is a transient server error
    /// that proves nothing (408, 500, 502, 504, and 503 without `Retry-After`: a gateway or a
    /// web server that gave up may answer so after the service committed). Only 429, and 503
    /// with `Retry-After`, are taken as the service's word that it did not process the request;
    /// any other status is a definite answer.
    pub(crate) fn may_have_been_processed(self) -> bool {
        match self {
            Cause::Interrupted => true,
            Cause::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
                retry_after,
            } => retry_after.is_none(),
            Cause::Status { status, .. } => matches!(
                status,
                StatusCode::REQUEST_TIMEOUT
                    | StatusCode::INTERNAL_SERVER_ERROR
                    | StatusCode::BAD_GATEWAY
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            Cause::NotSent | Cause::Final => false,
        }
    }
}

/// A failed attempt: the error to return and why it happened.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) cause: Cause,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error,
            cause: Cause::Final,
        }
    }
}

#[cfg(test)]
pub(crate) mod test_server;
#[cfg(test)]
mod tests;
