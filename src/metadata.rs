//! [`MetadataDownload`]: the service's `$metadata` document, streamed as it arrives.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use url::Url;

use crate::error::{Error, Result};
use crate::redact;
use crate::transport::declared_length;

/// The media type asked for: CSDL XML, the only form F&O serves.
pub(crate) const ACCEPT_XML: &str = "application/xml";

/// The body of a `$metadata` response whose status was a success, read piece by piece with
/// [`chunk`](Self::chunk); made by [`Client::metadata`](crate::Client::metadata).
///
/// Nothing is buffered here: the caller decides how much to keep (F&O's document is large, tens
/// to hundreds of MiB, so a size limit and progress reports belong to the caller). The client's
/// timeout covers the whole exchange, body included. Dropping it closes the connection.
pub struct MetadataDownload {
    url: Url,
    content_type: Option<String>,
    content_length: Option<u64>,
    timeout: Duration,
    body: reqwest::Response,
}

impl MetadataDownload {
    pub(crate) fn new(timeout: Duration, body: reqwest::Response) -> Self {
        let url = body.url().clone();
        let content_type = body
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_length = declared_length(&body);
        MetadataDownload {
            url,
            content_type,
            content_length,
            timeout,
            body,
        }
    }

    /// The URL the document came from (`<service root>$metadata`, after any redirect the
    /// client followed).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The response's `Content-Type`, when it sent one.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The length the response declared in `Content-Length`, when it declared one (a
    /// declaration, not a promise: count what [`chunk`](Self::chunk) returns).
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The next piece of the body; `None` at its end.
    ///
    /// # Errors
    /// [`Error::Transport`] when the connection fails mid-body, [`Error::Timeout`] when the
    /// client's timeout passes.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        self.body
            .chunk()
            .await
            .map_err(|e| Error::from_reqwest(&Method::GET, self.url.as_str(), self.timeout, e))
    }
}

/// Shows the URL (redacted) and the declared type and length, never the response.
impl fmt::Debug for MetadataDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataDownload")
            .field("url", &redact::url(&self.url))
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}
