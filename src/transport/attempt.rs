//! One attempt of a request: one HTTP exchange with its `Authorization` header, and with a
//! credential, once more with a fresh token after a 401. The failure is classified ([`Cause`])
//! for the retry loop.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;

use super::retry_after::retry_after;
use super::{Cause, Failure, Request, Response, Transport, body, redirect, status};
use crate::error::Error;

/// One attempt with authorization, each exchange bounded by `bound` (the engine's timeout or the
/// time left of the request's budget, whichever is shorter).
pub(super) async fn send_authorized(
    transport: &Transport,
    request: &Request,
    bound: Duration,
) -> Result<Response, Failure> {
    let authorizer = &transport.authorizer;
    let Some(tokens) = &authorizer.tokens else {
        let authorization = authorizer.auth.header_value();
        return exchange(transport, request, authorization, bound).await;
    };
    let token = tokens.token().await?;
    let first = exchange(transport, request, Some(token.header_value()), bound).await;
    match first {
        Err(Failure {
            error: Error::Auth(error),
            cause:
                Cause::Status {
                    status: StatusCode::UNAUTHORIZED,
                    ..
                },
        }) => match tokens.replace_rejected(&token).await? {
            Some(fresh) => exchange(transport, request, Some(fresh.header_value()), bound).await,
            None => Err(Failure {
                error: Error::Auth(error),
                cause: Cause::Final,
            }),
        },
        other => other,
    }
}

/// One HTTP exchange, with `authorization` as the `Authorization` header, within `bound`.
async fn exchange(
    transport: &Transport,
    request: &Request,
    authorization: Option<String>,
    bound: Duration,
) -> Result<Response, Failure> {
    let Request {
        method,
        url,
        headers,
        body,
        ..
    } = request;
    let mut builder = transport
        .http
        .request(method.clone(), url.clone())
        .headers(transport.headers.clone())
        .headers(headers.clone())
        .timeout(bound);
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
            error: Error::from_reqwest(method, url.as_str(), bound, e),
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
        let body = body::read_limited(response, transport.max_response_size)
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
