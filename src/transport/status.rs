//! Turning an error status into the typed [`Error`] that says what the service meant.

use std::time::SystemTime;

use reqwest::header::{HeaderMap, RETRY_AFTER, WWW_AUTHENTICATE};
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

/// A `WWW-Authenticate` challenge made safe to show. Its first word is the scheme (`Bearer`),
/// not a token, so the text rule that hides what follows `Bearer ` would hide the useful part;
/// the parameters after it (`authorization_uri="…", error="…"`) go through the text rules
/// instead, and a bare token after the scheme (the `token68` form, which a hostile server could
/// fill with the token it was sent) is hidden whole.
fn scrub_challenge(challenge: &str) -> String {
    let (scheme, rest) = challenge
        .trim()
        .split_once(' ')
        .unwrap_or((challenge.trim(), ""));
    let rest = rest.trim();
    if rest.is_empty() {
        scheme.to_owned()
    } else if rest.trim_end_matches('=').contains('=') {
        format!("{scheme} {}", redact::text(rest))
    } else {
        format!("{scheme} {}", redact::REDACTED)
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
    if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        && let Some(challenge) = headers.get(WWW_AUTHENTICATE)
    {
        error.set_authenticate(challenge.as_bytes());
    }
    scrub(&mut error);
    if let Some(challenge) = error.authenticate.as_mut() {
        *challenge = scrub_challenge(challenge);
    }
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
    fn a_challenge_keeps_its_scheme_and_parameters_but_never_a_token() {
        let entra = r#"Bearer authorization_uri="https://login.example/t", error="invalid_token""#;
        assert_eq!(scrub_challenge(entra), entra);
        assert_eq!(scrub_challenge("Bearer"), "Bearer");
        assert_eq!(
            scrub_challenge("Bearer eyJ0eXAi.S3CR3T=="),
            "Bearer REDACTED"
        );
        let echoed = scrub_challenge(r#"Bearer realm="x", access_token=eyJ0.S3CR3T"#);
        assert!(!echoed.contains("S3CR3T"), "{echoed}");
        assert!(echoed.starts_with(r#"Bearer realm="x""#), "{echoed}");
    }

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
