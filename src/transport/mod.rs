//! Sending one request: authorization, the request itself, and turning error statuses into typed
//! errors. Every request of the crate goes through [`send`].

mod status;

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};

pub(crate) use status::status_error;

/// A request to send: what [`send`] needs, in one value that can be sent again.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
}

impl Request {
    /// A request without body.
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Request {
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
        }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Sets a body with its content type.
    #[expect(dead_code, reason = "writes (create, update, actions) are the callers")]
    pub(crate) fn body(mut self, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        self.body = Some(body.into());
        self
    }
}

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
    pub(crate) body: Bytes,
}

/// Sends `request`, reads the body, and maps an error status to its [`Error`].
///
/// With a credential, a `401 Unauthorized` answer makes the client drop the token and send the
/// request once more with a fresh one.
pub(crate) async fn send(client: &Client, request: Request) -> Result<Response> {
    let inner = client.inner();
    let Some(tokens) = &inner.tokens else {
        let authorization = inner.auth.header_value();
        return send_once(client, &request, authorization).await;
    };
    let token = tokens.token().await?;
    let first = send_once(client, &request, Some(token.header_value())).await;
    match first {
        Err(Error::Auth(error)) if error.status == StatusCode::UNAUTHORIZED.as_u16() => {
            match tokens.replace_rejected(&token).await? {
                Some(fresh) => send_once(client, &request, Some(fresh.header_value())).await,
                None => Err(Error::Auth(error)),
            }
        }
        other => other,
    }
}

/// One attempt of [`send`], with `authorization` as the `Authorization` header.
async fn send_once(
    client: &Client,
    request: &Request,
    authorization: Option<String>,
) -> Result<Response> {
    let inner = client.inner();
    let Request {
        method,
        url,
        headers,
        body,
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
    let transport_error = |e| Error::from_reqwest(method, url.as_str(), inner.timeout, e);
    let response = builder.send().await.map_err(transport_error)?;
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
