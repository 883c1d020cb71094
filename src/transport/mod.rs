//! Sending requests: the client's limits, the shared throttle gate, authorization, retries, and
//! turning error statuses into typed errors. Every request of the crate goes through [`send`].
//!
//! The order for each attempt: a place among the requests in flight ([`limits`]), the throttle
//! gate ([`throttle`]), the rate limit, then the request with its `Authorization` header (one
//! retry with a fresh token after a 401). A failed attempt is classified ([`Cause`]) and the
//! retry loop ([`retry`]) decides from the client's [`RetryPolicy`](crate::RetryPolicy) whether
//! and when to try again.

mod body;
mod limits;
mod redirect;
mod retry;
mod retry_after;
mod status;
mod throttle;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, IF_MATCH};
use reqwest::{Method, StatusCode};
use tracing::Instrument as _;
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};

pub(crate) use body::read_capped;
pub(crate) use limits::Limits;
pub(crate) use redirect::{
    Rules as RedirectRules, policy as redirect_policy, refused as refused_redirect,
};
#[allow(
    unused_imports,
    reason = "for `$batch`, which reads Retry-After of its parts"
)]
pub(crate) use retry_after::{parse_retry_after, retry_after};
pub(crate) use status::status_error;
pub(crate) use throttle::Gate;

/// A request to send: what [`send`] needs, in one value that can be sent again.
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

/// Sends `request` (again, as the client's retry policy allows), reads the body, and maps an
/// error status to its [`Error`].
///
/// With a credential, a `401 Unauthorized` answer makes the client drop the token and send the
/// request once more with a fresh one.
pub(crate) async fn send(client: &Client, request: Request) -> Result<Response> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::config(
            "no Tokio runtime: d365fo-odata runs its requests on Tokio; call it from within \
             #[tokio::main], #[tokio::test] or Runtime::block_on, not another executor",
        ));
    }
    let span = tracing::info_span!(
        "odata.request",
        method = %request.method,
        url = %crate::redact::url(&request.url),
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    retry::send_with_retries(client, &request)
        .instrument(span)
        .await
}

/// Reports a throttling answer received outside [`send`] (a part of a `$batch` response with 429
/// and `Retry-After`): closes the client's throttle gate for the wait it asks for (capped, or the
/// policy's default wait when absent) and returns that wait. Does nothing and returns zero when
/// the client's retries are off.
#[allow(dead_code, reason = "`$batch` is the caller")]
pub(crate) fn report_throttling(client: &Client, headers: &HeaderMap) -> Duration {
    let inner = client.inner();
    if !inner.retry.is_enabled() {
        return Duration::ZERO;
    }
    let wait = inner
        .retry
        .throttle_wait(retry_after(headers, SystemTime::now()));
    inner.gate.close_for(wait);
    tracing::info!(
        wait_ms = wait.as_millis() as u64,
        "throttled: pausing every request of the client"
    );
    wait
}

/// Waits until the client's throttle gate is open and returns how long that took.
#[allow(dead_code, reason = "`$batch` is the caller")]
pub(crate) async fn wait_for_gate(client: &Client) -> Duration {
    client.inner().gate.wait().await
}

/// Why an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    /// No connection could be made: the server never saw the request.
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

/// One attempt of [`send`] with authorization: a token from the client's cache, and with a
/// credential, once more with a fresh token after a 401.
async fn send_authorized(
    client: &Client,
    request: &Request,
) -> std::result::Result<Response, Failure> {
    let inner = client.inner();
    let Some(tokens) = &inner.tokens else {
        let authorization = inner.auth.header_value();
        return send_once(client, request, authorization).await;
    };
    let token = tokens.token().await?;
    let first = send_once(client, request, Some(token.header_value())).await;
    match first {
        Err(Failure {
            error: Error::Auth(error),
            cause:
                Cause::Status {
                    status: StatusCode::UNAUTHORIZED,
                    ..
                },
        }) => match tokens.replace_rejected(&token).await? {
            Some(fresh) => send_once(client, request, Some(fresh.header_value())).await,
            None => Err(Failure {
                error: Error::Auth(error),
                cause: Cause::Final,
            }),
        },
        other => other,
    }
}

/// One HTTP exchange, with `authorization` as the `Authorization` header.
async fn send_once(
    client: &Client,
    request: &Request,
    authorization: Option<String>,
) -> std::result::Result<Response, Failure> {
    let inner = client.inner();
    let Request {
        method,
        url,
        headers,
        body,
        ..
    } = request;
    let mut builder = inner
        .http
        .request(method.clone(), url.clone())
        .headers(headers.clone());
    if let Some(value) = authorization {
        builder = builder.header(AUTHORIZATION, value);
    }
    if let Some(body) = body {
        builder = builder.body(body.clone());
    }
    let transport_failure = |e: reqwest::Error| {
        let cause = if e.is_connect() {
            Cause::NotSent
        } else {
            Cause::Interrupted
        };
        Failure {
            error: Error::from_reqwest(method, url.as_str(), inner.timeout, e),
            cause,
        }
    };
    let response = builder
        .send()
        .await
        .map_err(|e| match redirect::refused(&e) {
            Some(refused) => Failure::from(Error::Redirect {
                method: method.to_string(),
                url: crate::redact::url(url).into_owned(),
                location: refused.location.clone(),
                reason: refused.reason.clone(),
            }),
            None => transport_failure(e),
        })?;
    let status = response.status();
    let headers = response.headers().clone();
    if let Some(reason) = redirect::stopped(status) {
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(no Location header)");
        return Err(Failure::from(Error::Redirect {
            method: method.to_string(),
            url: crate::redact::url(url).into_owned(),
            location: crate::redact::url_text(location),
            reason,
        }));
    }
    if status.is_success() && request.stream_body {
        return Ok(Response {
            status,
            headers,
            body: Bytes::new(),
            stream: Some(response),
        });
    }
    if status.is_success() {
        let body = body::read_limited(response, inner.max_response_size)
            .await
            .map_err(|e| match e {
                body::BodyError::Transport(e) => transport_failure(e),
                body::BodyError::TooLarge { limit, declared } => {
                    Failure::from(Error::ResponseTooLarge {
                        method: method.to_string(),
                        url: crate::redact::url(url).into_owned(),
                        limit,
                        declared,
                    })
                }
            })?;
        return Ok(Response {
            status,
            headers,
            body,
            stream: None,
        });
    }
    let body = body::read_error_body(response)
        .await
        .map_err(transport_failure)?;
    Err(Failure {
        error: status::error_with_body(method, url, status, &headers, &body),
        cause: Cause::Status {
            status,
            retry_after: retry_after(&headers, SystemTime::now()),
        },
    })
}

#[cfg(test)]
mod tests;
