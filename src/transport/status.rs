//! Turning an error status into the typed [`Error`] that says what the service meant.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::error::Error;
use crate::service_error::{ACTIVITY_ID_HEADERS, ServiceError};

/// The typed error for an error status.
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
