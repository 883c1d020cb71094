//! Downloading a dequeued message's file, streamed to a writer piece by piece.

use std::path::Path;

use reqwest::Method;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::location::download_url;
use super::{DequeuedMessage, RecurringJob};
use crate::error::{Error, Result};
use crate::part_file::{PartFile, partial_path};
use crate::transport::Request;

impl RecurringJob {
    /// Downloads the message's file from its `DownloadLocation` into `writer`, chunk by chunk
    /// (never the whole file in memory), and returns the number of bytes written.
    ///
    /// The location must be on the environment's host; a plain `http://` location (sent by
    /// load-balanced environments) is fetched over https. The client's timeout bounds the
    /// whole download.
    ///
    /// # Errors
    /// [`Error::Config`] when the message has no file ([`DequeuedMessage::has_file`] is false)
    /// or its location is on another host; [`Error::Io`] when writing fails; [`Error::Transport`] or
    /// [`Error::Timeout`] when the body breaks off; the service's answer as for any request.
    pub async fn download_to<W: AsyncWrite + Unpin>(
        &self,
        message: &DequeuedMessage,
        writer: &mut W,
    ) -> Result<u64> {
        self.download(message, writer, "the writer").await
    }

    /// [`download_to`](Self::download_to) a file at `path` (replacing one that exists). The
    /// bytes go to `<path>.part` first, renamed to `path` only when the download is whole, so
    /// that a failed download leaves neither a partial file nor a damaged earlier one.
    ///
    /// # Errors
    /// As [`download_to`](Self::download_to); [`Error::Io`] when the file cannot be created or
    /// renamed.
    pub async fn download_to_file(
        &self,
        message: &DequeuedMessage,
        path: impl AsRef<Path>,
    ) -> Result<u64> {
        let path = path.as_ref();
        let mut part = PartFile::create(path).await.map_err(|e| {
            Error::io(
                format_args!("cannot create {}", partial_path(path).display()),
                e,
            )
        })?;
        let shown = part.path().display().to_string();
        let written = self.download(message, part.writer(), &shown).await?;
        part.commit()
            .await
            .map_err(|e| Error::io(format_args!("cannot move {shown} to {}", path.display()), e))?;
        Ok(written)
    }

    async fn download<W: AsyncWrite + Unpin>(
        &self,
        message: &DequeuedMessage,
        writer: &mut W,
        target: &str,
    ) -> Result<u64> {
        if !message.has_file {
            return Err(Error::config(format!(
                "message {} of recurring job {{{}}} has no file to download \
                 (IsDownLoadFileExist is false): {}",
                message.correlation_id,
                self.activity_id.to_string().to_ascii_uppercase(),
                message.file_error_message
            )));
        }
        let url = download_url(self.client.service_root(), &message.download_location)?;
        let request = Request::new(Method::GET, url.clone()).stream_body();
        let response = self.client.transport().send(request).await?;
        let Some(mut body) = response.stream else {
            // A streaming request always gets its body unread; an empty file otherwise.
            return Ok(0);
        };
        let write_failed = |e: std::io::Error| {
            Error::io(
                format_args!("cannot write the download of {url} to {target}"),
                e,
            )
        };
        let mut written: u64 = 0;
        while let Some(chunk) = body.chunk().await.map_err(|e| {
            Error::from_reqwest(&Method::GET, url.as_str(), self.client.inner().timeout, e)
        })? {
            writer.write_all(&chunk).await.map_err(write_failed)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(write_failed)?;
        Ok(written)
    }
}
