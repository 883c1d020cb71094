//! Sending one request: authorization, the request itself, and turning error statuses into typed
//! errors. Every request of the crate goes through [`send`].

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::service_error::{ACTIVITY_ID_HEADERS, ServiceError};

/// A successful response with its body read in full.
#[derive(Debug)]
pub(crate) struct Response {
    /// HTTP status (2xx).
    #[allow(dead_code)]
    pub(crate) status: StatusCode,
    /// Response headers.
    #[allow(dead_code)]
    pub(crate) headers: HeaderMap,
    /// The whole body.
    pub(crate) body: bytes::Bytes,
}

/// Sends `method url` with `headers`, reads the body, and maps an error status to its [`Error`].
///
/// With a credential, a `401 Unauthorized` answer makes the client drop the token and send the
/// request once more with a fresh one.
pub(crate) async fn send(
    client: &Client,
    method: Method,
    url: &Url,
    headers: HeaderMap,
) -> Result<Response> {
    let inner = client.inner();
    let Some(tokens) = &inner.tokens else {
        let authorization = inner.auth.header_value();
        return send_once(client, &method, url, headers, authorization).await;
    };
    let token = tokens.token().await?;
    let first = send_once(
        client,
        &method,
        url,
        headers.clone(),
        Some(token.header_value()),
    )
    .await;
    match first {
        Err(Error::Auth(error)) if error.status == StatusCode::UNAUTHORIZED.as_u16() => {
            match tokens.replace_rejected(&token).await? {
                Some(fresh) => {
                    send_once(client, &method, url, headers, Some(fresh.header_value())).await
                }
                None => Err(Error::Auth(error)),
            }
        }
        other => other,
    }
}

/// One attempt of [`send`], with `authorization` as the `Authorization` header.
async fn send_once(
    client: &Client,
    method: &Method,
    url: &Url,
    headers: HeaderMap,
    authorization: Option<String>,
) -> Result<Response> {
    let inner = client.inner();
    let mut request = inner
        .http
        .request(method.clone(), url.clone())
        .headers(headers);
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value);
    }
    let transport_error = |e| Error::from_reqwest(method, url.as_str(), inner.timeout, e);
    let response = request.send().await.map_err(transport_error)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(transport_error)?;
    if status.is_success() {
        return Ok(Response {
            status,
            headers,
            body,
        });
    }
    Err(status_error(method, url, status, &headers, &body))
}

/// The typed error for an error status.
fn status_error(
    method: &Method,
    url: &Url,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Error {
    let activity_id = ACTIVITY_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let error = Box::new(ServiceError::from_response(
        status.as_u16(),
        method.as_str(),
        url.as_str(),
        activity_id,
        body,
    ));
    match status {
        StatusCode::NOT_FOUND => Error::NotFound(error),
        StatusCode::PRECONDITION_FAILED | StatusCode::PRECONDITION_REQUIRED => {
            Error::PreconditionFailed(error)
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::Auth(error),
        StatusCode::TOO_MANY_REQUESTS => Error::Throttled {
            error,
            retry_after: retry_after_seconds(headers),
        },
        _ => Error::Service(error),
    }
}

/// `Retry-After` in its delta-seconds form.
fn retry_after_seconds(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}
