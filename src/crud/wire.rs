//! The JSON wire format of single-entity requests and operations: the `Accept` header, request
//! bodies, and the `ETag` response header.

use bytes::Bytes;
use reqwest::header::{ACCEPT, ETAG, HeaderMap, HeaderValue};
use serde::Serialize;

use super::etag::ETag;
use crate::error::{Error, Result};
use crate::transport::Request;

/// The content type of request bodies.
pub(crate) const JSON: &str = "application/json";

/// Asks for JSON with minimal metadata (`@odata.etag` and `@odata.context` only).
pub(crate) fn accept_json(request: Request) -> Request {
    request.header(
        ACCEPT,
        HeaderValue::from_static("application/json;odata.metadata=minimal"),
    )
}

/// Serializes a request body for `what` (e.g. `new CustomerV3`).
///
/// # Errors
/// [`Error::Config`] when the value cannot be written as JSON (a map with non-string keys, a
/// `Serialize` implementation that fails).
pub(crate) fn encode_json<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<Bytes> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| Error::config(format!("cannot write {what} as JSON: {e}")))
}

/// Adds `body` as a JSON request body.
pub(crate) fn with_json_body(request: Request, body: Bytes) -> Request {
    request.body(JSON, body)
}

/// The `ETag` response header, when the service sent a readable one.
pub(crate) fn header_etag(headers: &HeaderMap) -> Option<ETag> {
    let value = headers.get(ETAG)?.to_str().ok()?;
    Some(ETag::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_etag_response_header_verbatim() {
        let mut headers = HeaderMap::new();
        assert_eq!(header_etag(&headers), None);
        headers.insert(
            ETAG,
            HeaderValue::from_static(r#"W/"2024-01-01T00:00:00Z""#),
        );
        assert_eq!(
            header_etag(&headers),
            Some(ETag::new(r#"W/"2024-01-01T00:00:00Z""#))
        );
    }

    #[test]
    fn body_that_cannot_be_json_is_a_config_error_naming_it() {
        let mut map = std::collections::BTreeMap::new();
        map.insert((1, 2), "x");
        let e = encode_json("new CustomerV3", &map).unwrap_err();
        assert!(e.to_string().contains("new CustomerV3"), "{e}");
    }
}
