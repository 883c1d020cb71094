//! Turning an error status into the typed [`Error`] that says what the service meant.

use std::time::SystemTime;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use url::Url;

use super::retry_after::retry_after;
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
        StatusCode::TOO_MANY_REQUESTS => {
            Error::throttled(error, retry_after(headers, SystemTime::now()))
        }
        StatusCode::SERVICE_UNAVAILABLE if headers.contains_key(RETRY_AFTER) => {
            Error::throttled(error, retry_after(headers, SystemTime::now()))
        }
        _ => Error::Service(error),
    }
}
