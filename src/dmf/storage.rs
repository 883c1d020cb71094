//! Moving packages to and from blob storage: streamed from and to disk, with progress, never
//! with the service's token (a storage URL carries its own signature).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWrite, AsyncWriteExt};
use url::Url;

use super::package::ZipProbe;
use super::progress::TransferProgress;
use crate::client::Client;
use crate::error::dmf::{DmfError, DmfErrorKind, redacted};
use crate::part_file::{PartFile, partial_path};
use crate::redact;
use crate::transport::{RedirectRules, read_capped, redirect_policy, refused_redirect};

/// Size of the pieces a file is read in for uploads.
const CHUNK: usize = 64 * 1024;
/// Most bytes of a storage error body that are read.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How a transfer is made.
#[derive(Clone)]
pub(crate) struct Transfer<'a> {
    pub(crate) client: &'a Client,
    pub(crate) timeout: Duration,
    pub(crate) progress: Option<Arc<dyn TransferProgress>>,
}

impl Transfer<'_> {
    /// The HTTP client for storage: none of the service client's default headers (which may
    /// hold an `Authorization` a caller added), no token, and the service client's scheme rules
    /// for every redirect hop.
    fn http(&self) -> Result<reqwest::Client, DmfError> {
        reqwest::Client::builder()
            .user_agent(concat!("d365fo-odata/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .timeout(self.timeout)
            // No default headers here: only the scheme rules and the hop cap apply.
            .redirect(redirect_policy(RedirectRules {
                allow_http_loopback: self.client.inner().allow_http_loopback,
                credential_header: None,
            }))
            // A Referer would carry the signed URL to the next hop.
            .referer(false)
            .build()
            .map_err(|e| {
                DmfError::new(
                    DmfErrorKind::Transfer,
                    "cannot initialise the storage client",
                )
                .with_source(e)
            })
    }

    /// `url` parsed, when this client may use it (https, or http to loopback when allowed).
    fn checked(&self, url: &str) -> Result<Url, DmfError> {
        let parsed = Url::parse(url).map_err(|e| {
            DmfError::new(
                DmfErrorKind::UnsafeStorageUrl,
                format!("the storage URL {} is not a URL", redacted(url)),
            )
            .with_source(e)
        })?;
        if !self.client.permits_scheme_of(&parsed) {
            return Err(DmfError::new(
                DmfErrorKind::UnsafeStorageUrl,
                format!(
                    "refusing the storage URL {}: only https is used, or plain http to a \
                     loopback host when the client allows http loopback",
                    redacted(url)
                ),
            ));
        }
        Ok(parsed)
    }

    fn report(&self, done: u64, total: Option<u64>) {
        if let Some(progress) = &self.progress {
            progress.update(done, total);
        }
    }

    /// Downloads `url` into `sink`, returning what the ZIP check needs.
    pub(crate) async fn download<W: AsyncWrite + Unpin>(
        &self,
        url: &str,
        sink: &mut W,
    ) -> Result<ZipProbe, DmfError> {
        let parsed = self.checked(url)?;
        let shown = redacted(url);
        let broke_off = |what: &str, e: reqwest::Error| {
            if let Some(refused) = refused_redirect(&e) {
                return DmfError::new(
                    DmfErrorKind::UnsafeStorageUrl,
                    format!("downloading the package from {shown}: {refused}"),
                );
            }
            DmfError::new(
                DmfErrorKind::Transfer,
                format!("{what} the package from {shown}"),
            )
            .with_source(e.without_url())
        };
        let mut response = self
            .http()?
            .get(parsed)
            .send()
            .await
            .map_err(|e| broke_off("cannot download", e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(storage_error(response, "GET", &shown).await);
        }
        let total = response.content_length();
        let mut probe = ZipProbe::default();
        self.report(0, total);
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| broke_off("the connection broke off while downloading", e))?
        {
            probe.feed(&chunk);
            sink.write_all(&chunk).await.map_err(|e| {
                DmfError::new(DmfErrorKind::Io, "cannot write the downloaded package")
                    .with_source(e)
            })?;
            self.report(probe.len(), total);
        }
        sink.flush().await.map_err(|e| {
            DmfError::new(DmfErrorKind::Io, "cannot write the downloaded package").with_source(e)
        })?;
        if let Some(expected) = total.filter(|&t| t != probe.len()) {
            return Err(DmfError::new(
                DmfErrorKind::Transfer,
                format!(
                    "the package from {shown} ended after {} of {expected} bytes",
                    probe.len()
                ),
            ));
        }
        Ok(probe)
    }

    /// Downloads `url` to `path` through a temporary file next to it, which becomes `path` only
    /// when the download is whole and a ZIP; otherwise it is removed. Returns the size.
    pub(crate) async fn download_to_file(&self, url: &str, path: &Path) -> Result<u64, DmfError> {
        let mut part = PartFile::create(path)
            .await
            .map_err(|e| io_error("cannot create", &partial_path(path), e))?;
        let probe = self.download(url, part.writer()).await?;
        check_zip(
            &probe,
            &format!("the package downloaded from {}", redacted(url)),
        )?;
        let partial = part.path().to_owned();
        part.commit()
            .await
            .map_err(|e| io_error("cannot write the package to", &partial, e))?;
        Ok(probe.len())
    }

    /// Uploads the file at `path` (`len` bytes) to `url` as a block blob, streamed.
    pub(crate) async fn upload_file(
        &self,
        path: &Path,
        len: u64,
        url: &str,
    ) -> Result<(), DmfError> {
        let parsed = self.checked(url)?;
        let shown = redacted(url);
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| io_error("cannot open", path, e))?;
        let progress = self.progress.clone();
        if let Some(p) = &progress {
            p.update(0, Some(len));
        }
        let chunks = futures::stream::try_unfold((file, 0u64), move |(mut file, done)| {
            let progress = progress.clone();
            async move {
                let mut buffer = vec![0u8; CHUNK];
                let n = file.read(&mut buffer).await?;
                if n == 0 {
                    return Ok(None);
                }
                buffer.truncate(n);
                let done = done + n as u64;
                if let Some(p) = &progress {
                    p.update(done, Some(len));
                }
                Ok::<_, std::io::Error>(Some((Bytes::from(buffer), (file, done))))
            }
        });
        let response = self
            .http()?
            .put(parsed)
            .header("x-ms-blob-type", "BlockBlob")
            .header(CONTENT_TYPE, "application/zip")
            .header(CONTENT_LENGTH, HeaderValue::from(len))
            .body(reqwest::Body::wrap_stream(chunks))
            .send()
            .await
            .map_err(|e| {
                if let Some(refused) = refused_redirect(&e) {
                    return DmfError::new(
                        DmfErrorKind::UnsafeStorageUrl,
                        format!("uploading {} to {shown}: {refused}", path.display()),
                    );
                }
                DmfError::new(
                    DmfErrorKind::Transfer,
                    format!("uploading {} to {shown} failed", path.display()),
                )
                .with_source(e.without_url())
            })?;
        if !response.status().is_success() {
            return Err(storage_error(response, "PUT", &shown).await);
        }
        Ok(())
    }
}

/// Checks the file at `path` is a ZIP package and returns its size, reading only its first and
/// last 64 KiB.
pub(crate) async fn check_local_package(path: &Path) -> Result<u64, DmfError> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| io_error("cannot open", path, e))?;
    let len = file
        .metadata()
        .await
        .map_err(|e| io_error("cannot read", path, e))?
        .len();
    let mut probe = ZipProbe::default();
    let read = async {
        let mut head = vec![0u8; 4.min(len as usize)];
        file.read_exact(&mut head).await?;
        probe.feed(&head);
        // Skipped middle bytes only count towards the length.
        let tail_len = len.saturating_sub(4).min(TAIL_BYTES);
        let gap = len - 4.min(len) - tail_len;
        probe.skip(gap);
        file.seek(std::io::SeekFrom::Start(len - tail_len)).await?;
        let mut tail = vec![0u8; tail_len as usize];
        file.read_exact(&mut tail).await?;
        probe.feed(&tail);
        Ok::<_, std::io::Error>(())
    };
    read.await.map_err(|e| io_error("cannot read", path, e))?;
    check_zip(&probe, &path.display().to_string())?;
    Ok(len)
}

/// How much of a file's end the ZIP check reads.
const TAIL_BYTES: u64 = 22 + u16::MAX as u64;

fn check_zip(probe: &ZipProbe, what: &str) -> Result<(), DmfError> {
    match probe.problem() {
        None => Ok(()),
        Some(problem) => Err(DmfError::new(
            DmfErrorKind::CorruptPackage,
            format!("{what} is not a data package: {problem}"),
        )),
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> DmfError {
    DmfError::new(DmfErrorKind::Io, format!("{what} {}", path.display())).with_source(e)
}

/// The error for a storage answer with status other than 2xx: 404 is
/// [`DmfErrorKind::PackageNotFound`], others [`DmfErrorKind::Storage`] with the storage's code.
async fn storage_error(response: reqwest::Response, method: &str, shown: &str) -> DmfError {
    let status = response.status();
    // Only the code and message are wanted: the rest of a long body is left unread.
    let body = read_capped(response, ERROR_BODY_LIMIT)
        .await
        .map(|b| b.bytes)
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    let code = xml_element(&text, "Code").map(|c| redact::truncate(&c, 256).into_owned());
    let message = xml_element(&text, "Message")
        .map(|m| redact::truncate(&redact::text(&m), 1024).into_owned());
    let detail = match (&code, &message) {
        (Some(c), Some(m)) => format!(": {c}: {m}"),
        (Some(c), None) => format!(": {c}"),
        _ => String::new(),
    };
    let kind = if status == reqwest::StatusCode::NOT_FOUND && method == "GET" {
        DmfErrorKind::PackageNotFound
    } else {
        DmfErrorKind::Storage {
            status: status.as_u16(),
            code,
        }
    };
    DmfError::new(
        kind,
        format!("storage answered {status} to {method} {shown}{detail}"),
    )
}

/// The text of the first `<name>…</name>` in `xml`, trimmed.
fn xml_element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].trim().to_owned()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_error_code_and_message_are_read_from_azure_xml() {
        let xml = "\u{feff}<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code>\
                   <Message>Signature expired.</Message></Error>";
        assert_eq!(
            xml_element(xml, "Code").as_deref(),
            Some("AuthenticationFailed")
        );
        assert_eq!(
            xml_element(xml, "Message").as_deref(),
            Some("Signature expired.")
        );
        assert_eq!(xml_element("<html/>", "Code"), None);
    }

    /// Answers one connection on loopback with `answer`, then closes. Returns the base URL.
    fn answer_once(answer: String) -> String {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(answer.as_bytes());
            }
        });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn a_storage_redirect_to_plain_http_elsewhere_is_refused() {
        let base = answer_once(
            "HTTP/1.1 302 Found\r\nLocation: http://example.invalid/p.zip?sv=1&sig=S3CR3T\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
                .to_owned(),
        );
        let client = Client::builder("http://127.0.0.1:1")
            .allow_http_loopback()
            .build()
            .unwrap();
        let transfer = Transfer {
            client: &client,
            timeout: Duration::from_secs(10),
            progress: None,
        };
        let mut sink = Vec::new();
        let e = transfer
            .download(&format!("{base}/p.zip?sig=0R1G1NAL"), &mut sink)
            .await
            .unwrap_err();
        assert_eq!(e.kind, DmfErrorKind::UnsafeStorageUrl, "{e}");
        let shown = format!("{e} {e:?}");
        assert!(shown.contains("plain http"), "{shown}");
        assert!(
            !shown.contains("S3CR3T") && !shown.contains("0R1G1NAL"),
            "{shown}"
        );
        assert!(sink.is_empty());
    }

    #[test]
    fn plain_http_storage_needs_loopback_and_the_client_opt_in() {
        let strict = Client::builder("https://env.operations.dynamics.com")
            .build()
            .unwrap();
        let local = Client::builder("http://127.0.0.1:1")
            .allow_http_loopback()
            .build()
            .unwrap();
        let transfer = |client| Transfer {
            client,
            timeout: Duration::from_secs(1),
            progress: None,
        };
        let kind = |r: Result<Url, DmfError>| r.map(|_| ()).map_err(|e| e.kind);
        let remote_http = "http://acct.blob.core.windows.net/dmf/p.zip?sig=x";
        assert_eq!(
            kind(transfer(&strict).checked("https://acct.blob.core.windows.net/p?sig=x")),
            Ok(())
        );
        assert_eq!(
            kind(transfer(&strict).checked("http://127.0.0.1:9/p")),
            Err(DmfErrorKind::UnsafeStorageUrl)
        );
        assert_eq!(
            kind(transfer(&local).checked("http://127.0.0.1:9/p")),
            Ok(())
        );
        assert_eq!(
            kind(transfer(&local).checked(remote_http)),
            Err(DmfErrorKind::UnsafeStorageUrl)
        );
        assert_eq!(
            kind(transfer(&local).checked("ftp://127.0.0.1/p")),
            Err(DmfErrorKind::UnsafeStorageUrl)
        );
        let e = transfer(&local).checked(remote_http).unwrap_err();
        assert!(e.to_string().contains("sig=REDACTED"), "{e}");
    }
}
