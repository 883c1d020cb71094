//! Turning an error status into the typed [`Error`] that says what the service meant.

use std::time::SystemTime;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use url::Url;

use super::body::{ErrorBody, MAX_ERROR_BODY};
use super::retry_after::retry_after;
use crate::error::Error;
use crate::error::service::{ACTIVITY_ID_HEADERS, ServiceError};
use crate::redact;

/// The typed error for an error status whose body was read up to [`MAX_ERROR_BODY`] bytes; a cut
/// body is said so in the message.
pub(crate) fn error_with_body(
    method: &Method,
    url: &Url,
    status: StatusCode,
    headers: &HeaderMap,
    body: &ErrorBody,
) -> Error {
    let mut error = status_error(method, url, status, headers, &body.bytes);
    if body.truncated
        && let Some(service_error) = error_service_error_mut(&mut error)
    {
        service_error.message.push_str(&format!(
            " [error body cut: only its first {} KiB were read]",
            MAX_ERROR_BODY / 1024
        ));
    }
    error
}

/// Removes secrets the service quoted back (a URL with its signature, a token) from every text
/// of `error`.
fn scrub(error: &mut ServiceError) {
    let clean = |text: &mut String| {
        if let std::borrow::Cow::Owned(clean) = redact::text(text) {
            *text = clean;
        }
    };
    clean(&mut error.message);
    let details = error
        .details
        .iter_mut()
        .flat_map(|d| std::iter::once(&mut d.message).chain(d.target.as_mut()));
    for text in error
        .target
        .iter_mut()
        .chain(error.inner_message.iter_mut())
        .chain(details)
    {
        clean(text);
    }
    for cause in error.causes_mut() {
        clean(&mut cause.message);
        if let Some(trace) = cause.stacktrace.as_mut() {
            clean(trace);
        }
    }
}

fn error_service_error_mut(error: &mut Error) -> Option<&mut ServiceError> {
    match error {
        Error::NotFound(e)
        | Error::PreconditionFailed(e)
        | Error::Auth(e)
        | Error::Service(e)
        | Error::Throttled { error: e, .. } => Some(e),
        _ => None,
    }
}

/// The typed error for an error status. The URL in it is redacted (no user information, no
/// secret query values).
pub(crate) fn status_error(
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
    let mut error = Box::new(ServiceError::from_response(
        status.as_u16(),
        method.as_str(),
        &redact::url(url),
        activity_id,
        body,
    ));
    scrub(&mut error);
    match status {
        StatusCode::NOT_FOUND => Error::NotFound(error),
        StatusCode::PRECONDITION_FAILED | StatusCode::PRECONDITION_REQUIRED => {
            Error::PreconditionFailed(error)
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::Auth(error),
        StatusCode::TOO_MANY_REQUESTS => {
            Error::throttled(error, retry_after(headers, SystemTime::now()))
        }
        StatusCode::SERVICE_UNAVAILABLE if headers.contains_key(RETRY_AFTER) => {
            Error::throttled(error, retry_after(headers, SystemTime::now()))
        }
        _ => Error::Service(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn the_error_names_the_url_without_its_secrets_and_says_when_the_body_was_cut() {
        let url = Url::parse("https://env.example/data/X?sig=S3CR3T&code=C0DE").unwrap();
        let body = ErrorBody {
            bytes: Bytes::from_static(
                br#"{"error":{"message":"no access to https://h/x?sig=S3CR3T","innererror":{"message":"Bearer eyJ0.S3CR3T"}}}"#,
            ),
            truncated: true,
        };
        let e = error_with_body(
            &Method::GET,
            &url,
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            &body,
        );
        let shown = format!("{e} {e:?}");
        assert!(
            !shown.contains("S3CR3T") && !shown.contains("C0DE"),
            "{shown}"
        );
        assert!(shown.contains("sig=REDACTED"), "{shown}");
        assert!(shown.contains("error body cut"), "{shown}");
    }
}
