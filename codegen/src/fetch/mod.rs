//! Downloading `$metadata` from an environment through the runtime's
//! [`Client::metadata`](d365fo_odata::Client::metadata): the same [`Auth`], token cache, retries
//! of a throttled or unavailable GET and redirect rules as every runtime call; a streamed
//! download with progress and a size limit, a check that the answer is an `edmx:Edmx` CSDL
//! document, and a save that never leaves a half-written file.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use d365fo_odata::Auth;
//! use d365fo_odata_codegen::fetch::Fetch;
//!
//! let downloaded = Fetch::new("https://contoso.sandbox.operations.dynamics.com")
//!     .auth(Auth::from_env()?)
//!     .download()
//!     .await?;
//! let saved = downloaded.save("metadata/fno.xml")?;
//! println!("sha256:{} ({} bytes)", saved.sha256, saved.bytes);
//! # Ok(()) }
//! ```
//!
//! The scope asked of Entra ID is `https://<environment host>/.default`, as for the runtime
//! [`Client`](d365fo_odata::Client) (or the one set with [`Auth::with_scope`] or
//! [`Fetch::scope`]). The service root is derived by the runtime's [`ClientBuilder`]; plain
//! `http://` is accepted for loopback hosts only.
//!
//! [`Auth::with_scope`]: d365fo_odata::Auth::with_scope
//! [`ClientBuilder`]: d365fo_odata::ClientBuilder

mod body;
mod error;
mod saved;

use std::fmt;
use std::time::{Duration, Instant};

use d365fo_odata::{Auth, Client, Error};
use sha2::{Digest as _, Sha256};

pub use body::sha256_hex;
use body::{check_root, hex, root_is_known};
pub use error::FetchError;
pub use saved::{Downloaded, Saved, sidecar_path, write_atomically};

use crate::csdl::Document;

/// How long the first bytes of a body may be to decide whether it is a CSDL document.
const SNIFF_LIMIT: usize = 64 * 1024;

/// Default largest `$metadata` document downloaded: 512 MiB. F&O's full document is of the order
/// of 100 MB; a body that declares or sends more fails with [`FetchError::TooLarge`] instead of
/// filling memory. Raise it with [`Fetch::max_size`].
pub const DEFAULT_MAX_METADATA_SIZE: u64 = 512 * 1024 * 1024;

/// How far a download has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes received so far.
    pub received: u64,
    /// The body's size, when the server announced it.
    pub total: Option<u64>,
    /// Time since the request was sent.
    pub elapsed: Duration,
    /// `true` for the last report, when the body is complete.
    pub done: bool,
}

type ProgressFn = Box<dyn FnMut(Progress) + Send>;

/// A `$metadata` download, configured with the builder methods and run with
/// [`Fetch::download`].
#[must_use = "a Fetch does nothing until download() is awaited"]
pub struct Fetch {
    url: String,
    auth: Auth,
    scope: Option<String>,
    timeout: Duration,
    max_size: u64,
    progress: Option<(Duration, ProgressFn)>,
}

impl fmt::Debug for Fetch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetch")
            .field("url", &self.url)
            .field("auth", &self.auth)
            .field("scope", &self.scope)
            .field("timeout", &self.timeout)
            .field("max_size", &self.max_size)
            .finish_non_exhaustive()
    }
}

impl Fetch {
    /// A download of the `$metadata` of the environment at `url`: the environment URL
    /// (`https://contoso.operations.dynamics.com`), its service root (`.../data/`) or the
    /// `$metadata` URL itself.
    pub fn new(url: impl Into<String>) -> Self {
        Fetch {
            url: url.into(),
            auth: Auth::None,
            scope: None,
            timeout: Duration::from_secs(300),
            max_size: DEFAULT_MAX_METADATA_SIZE,
            progress: None,
        }
    }

    /// Sets how the request is authorized (default [`Auth::None`]): the runtime's
    /// [`Auth`], e.g. [`Auth::from_env`] or [`Auth::Bearer`].
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Asks Entra ID for `scope` instead of `https://<environment host>/.default` (a scope set
    /// on the credential with [`Auth::with_scope`] wins over both).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Gives up when the whole download takes longer (default 5 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Refuses a document larger than `bytes` (default [`DEFAULT_MAX_METADATA_SIZE`], 512 MiB):
    /// one that declares more in `Content-Length` before it is read, one that sends more as soon
    /// as it passes the limit.
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max_size = bytes;
        self
    }

    /// Calls `report` while the body arrives, at most once per `every`, and once at the end.
    pub fn on_progress(
        mut self,
        every: Duration,
        report: impl FnMut(Progress) + Send + 'static,
    ) -> Self {
        self.progress = Some((every, Box::new(report)));
        self
    }

    /// The `$metadata` URL this download requests.
    ///
    /// # Errors
    /// [`FetchError::Url`] when the URL is unusable, or plain `http://` to a host that is not
    /// loopback.
    pub fn metadata_url(&self) -> Result<url::Url, FetchError> {
        let client = Client::builder(self.environment())
            .allow_http_loopback()
            .build()
            .map_err(|e| self.url_error(e))?;
        self.metadata_url_of(&client)
    }

    /// `<service root>$metadata` of `client`.
    fn metadata_url_of(&self, client: &Client) -> Result<url::Url, FetchError> {
        client
            .service_root()
            .join("$metadata")
            .map_err(|e| self.url_error(e))
    }

    fn url_error(&self, error: impl fmt::Display) -> FetchError {
        FetchError::Url {
            url: self.url.clone(),
            message: error.to_string(),
        }
    }

    /// Downloads, checks and parses the document; nothing is written anywhere.
    ///
    /// # Errors
    /// [`FetchError::Url`] for an unusable URL; [`FetchError::Credential`] when no token can be
    /// obtained; [`FetchError::Unauthorized`] when the service refuses the credentials;
    /// [`FetchError::Status`] for other error statuses; [`FetchError::Transport`] for network
    /// failures and timeouts; [`FetchError::NotMetadata`] when the body is not an `edmx:Edmx`
    /// document (an HTML sign-in page, a JSON error); [`FetchError::Invalid`] when it is one but
    /// does not parse.
    pub async fn download(mut self) -> Result<Downloaded, FetchError> {
        let client = self.client()?;
        let url = self.metadata_url_of(&client)?;
        let started = Instant::now();
        let mut response = client
            .metadata()
            .await
            .map_err(|e| self.request_error(&url, e))?;
        let content_type = response.content_type().map(str::to_owned);
        let total = response.content_length();
        let too_large = || FetchError::TooLarge {
            url: url.to_string(),
            limit: self.max_size,
            declared: total,
        };
        if total.is_some_and(|t| t > self.max_size) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(total.unwrap_or(0).min(128 << 20) as usize);
        let mut hasher = Sha256::new();
        let mut sniffed = false;
        let mut last_report = Instant::now();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.request_error(&url, e))?
        {
            if (body.len() + chunk.len()) as u64 > self.max_size {
                return Err(too_large());
            }
            hasher.update(&chunk);
            body.extend_from_slice(&chunk);
            if !sniffed && (body.len() >= SNIFF_LIMIT || root_is_known(&body)) {
                check_root(&body, &url, content_type.as_deref())?;
                sniffed = true;
            }
            if let Some((every, report)) = &mut self.progress
                && last_report.elapsed() >= *every
            {
                last_report = Instant::now();
                report(Progress {
                    received: body.len() as u64,
                    total,
                    elapsed: started.elapsed(),
                    done: false,
                });
            }
        }
        if !sniffed {
            check_root(&body, &url, content_type.as_deref())?;
        }
        if let Some((_, report)) = &mut self.progress {
            report(Progress {
                received: body.len() as u64,
                total,
                elapsed: started.elapsed(),
                done: true,
            });
        }
        let document = Document::parse(&body, url.as_str()).map_err(FetchError::Invalid)?;
        Ok(Downloaded {
            url: url.to_string(),
            sha256: hex(&hasher.finalize()),
            body,
            document,
            elapsed: started.elapsed(),
        })
    }

    /// The runtime client the download goes through: the same authorization (token cache, one
    /// fresh token after a 401), retries of a throttled or unavailable GET, redirect rules and
    /// https rule as every call of the runtime.
    fn client(&self) -> Result<Client, FetchError> {
        let auth = match (&self.scope, self.auth.as_credential()) {
            (Some(scope), Some(credential)) if credential.scope().is_none() => {
                self.auth.clone().with_scope(scope.clone())
            }
            _ => self.auth.clone(),
        };
        Client::builder(self.environment())
            .auth(auth)
            .allow_http_loopback()
            .timeout(self.timeout)
            .user_agent(concat!("d365fo-codegen/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| self.url_error(e))
    }

    /// The environment URL: what was given, without `$metadata` and trailing slashes.
    fn environment(&self) -> &str {
        let trimmed = self.url.trim();
        trimmed
            .strip_suffix("$metadata")
            .unwrap_or(trimmed)
            .trim_end_matches('/')
    }

    /// The download's error for a failed request or body read.
    fn request_error(&self, url: &url::Url, error: Error) -> FetchError {
        match error {
            Error::Auth(refused) => FetchError::Unauthorized {
                url: url.to_string(),
                status: refused.status,
                authorization: describe(&self.auth),
                challenge: refused.authenticate.clone(),
                detail: refused.message.clone(),
            },
            Error::Credential { .. } => {
                let name = self.auth.as_credential().map_or("credential", |c| c.name());
                FetchError::credential(name, error)
            }
            Error::NotFound(answer)
            | Error::Service(answer)
            | Error::Throttled { error: answer, .. } => FetchError::Status {
                url: url.to_string(),
                status: answer.status,
                detail: answer.message.clone(),
            },
            other => FetchError::Transport {
                url: url.to_string(),
                source: Box::new(other),
            },
        }
    }
}

/// A short description of `auth` for messages: `a bearer token`, `ClientSecretCredential
/// (AZURE_TENANT_ID, ... are set)`; never the token.
pub fn describe(auth: &Auth) -> String {
    match auth {
        Auth::Bearer(_) => "a bearer token".to_owned(),
        Auth::Credential(c) => match c.origin() {
            Some(origin) => format!("{} ({origin})", c.name()),
            None => c.name().to_owned(),
        },
        _ => "no authorization".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use d365fo_odata::Secret;

    use super::*;

    #[test]
    fn metadata_url_is_derived_from_the_environment_url() {
        for given in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/data",
            "http://127.0.0.1:8080/data/$metadata",
        ] {
            assert_eq!(
                Fetch::new(given).metadata_url().unwrap().as_str(),
                "http://127.0.0.1:8080/data/$metadata",
                "{given}"
            );
        }
    }

    #[test]
    fn plain_http_to_a_remote_host_is_refused() {
        let error = Fetch::new("http://contoso.operations.dynamics.com")
            .metadata_url()
            .unwrap_err();
        assert!(matches!(error, FetchError::Url { .. }), "{error}");
    }

    #[test]
    fn debug_output_hides_the_token() {
        let auth = Auth::Bearer(Secret::new("tok-123"));
        let shown = format!("{:?}", Fetch::new("http://127.0.0.1:1").auth(auth.clone()));
        assert!(!shown.contains("tok-123"), "{shown}");
        assert_eq!(describe(&auth), "a bearer token");
    }

    /// Serves one connection on loopback: `head` (status line and headers), then `body_bytes`
    /// bytes of filler (bounded), then closes. Returns the base URL.
    fn serve_once(head: &'static str, body_bytes: usize) -> String {
        use std::io::{Read as _, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(head.as_bytes());
            let filler = [b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < body_bytes {
                if stream.write_all(&filler).is_err() {
                    return;
                }
                sent += filler.len();
            }
        });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn a_document_larger_than_the_limit_is_refused() {
        let declared = serve_once(
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 900000000\r\n\r\n",
            0,
        );
        let error = Fetch::new(declared).download().await.unwrap_err();
        assert!(
            matches!(
                error,
                FetchError::TooLarge {
                    declared: Some(900_000_000),
                    ..
                }
            ),
            "{error}"
        );
        // No length declared: the limit stops the reading, long before the server is done.
        let endless = serve_once(
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n<edmx:Edmx Version=\"4.0\">",
            64 << 20,
        );
        let error = Fetch::new(endless)
            .max_size(1 << 20)
            .download()
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                FetchError::TooLarge {
                    limit: 1_048_576,
                    declared: None,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("Fetch::max_size"), "{error}");
    }
}
