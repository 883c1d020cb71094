//! Downloading `$metadata` from an environment: authorization through Microsoft Entra ID (or a
//! static bearer token), a streamed download with progress, a check that the answer is an
//! `edmx:Edmx` CSDL document, and a save that never leaves a half-written file.
//!
//! ```no_run
//! # async fn run() -> Result<(), d365fo_odata_codegen::fetch::FetchError> {
//! use d365fo_odata_codegen::fetch::{Authorization, Fetch};
//!
//! let downloaded = Fetch::new("https://contoso.sandbox.operations.dynamics.com")
//!     .authorization(Authorization::from_env()?)
//!     .download()
//!     .await?;
//! let saved = downloaded.save("metadata/fno.xml")?;
//! println!("sha256:{} ({} bytes)", saved.sha256, saved.bytes);
//! # Ok(()) }
//! ```
//!
//! The scope asked of Entra ID is `https://<environment host>/.default`, as for the runtime
//! [`Client`](d365fo_odata::Client). Plain `http://` is accepted for loopback hosts only.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use d365fo_odata::Secret;
use d365fo_odata::auth::TokenCredential;
use d365fo_odata::auth::azure_identity::{
    AzureCliCredential, ClientSecretCredential, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use sha2::{Digest as _, Sha256};

use crate::csdl::{self, Document};

/// How long the first bytes of a body may be to decide whether it is a CSDL document.
const SNIFF_LIMIT: usize = 64 * 1024;

/// Default largest `$metadata` document downloaded: 512 MiB. F&O's full document is of the order
/// of 100 MB; a body that declares or sends more fails with [`FetchError::TooLarge`] instead of
/// filling memory. Raise it with [`Fetch::max_size`].
pub const DEFAULT_MAX_METADATA_SIZE: u64 = 512 * 1024 * 1024;

/// How the download request is authorized.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Authorization {
    /// No `Authorization` header (local servers that do not check).
    #[default]
    None,
    /// A fixed bearer token obtained elsewhere.
    Bearer(Secret),
    /// A token from a Microsoft Entra ID credential.
    Entra(EntraCredential),
}

/// A Microsoft Entra ID credential with the name shown in messages.
#[derive(Clone)]
pub struct EntraCredential {
    credential: Arc<dyn TokenCredential>,
    name: String,
    origin: Option<String>,
    /// Values removed from every error message.
    redact: Vec<Secret>,
}

impl EntraCredential {
    /// The kind of credential (`ClientSecretCredential`, ...).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Why it was chosen, for one picked by [`Authorization::from_env`].
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
}

impl fmt::Debug for EntraCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraCredential")
            .field("name", &self.name)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authorization::None => f.write_str("None"),
            Authorization::Bearer(s) => f.debug_tuple("Bearer").field(s).finish(),
            Authorization::Entra(c) => f.debug_tuple("Entra").field(c).finish(),
        }
    }
}

impl Authorization {
    /// A fixed bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Authorization::Bearer(Secret::new(token))
    }

    /// Any Entra ID credential (for example one built with `azure_identity` options this module
    /// has no shortcut for).
    pub fn credential(credential: Arc<dyn TokenCredential>, name: impl Into<String>) -> Self {
        Authorization::Entra(EntraCredential {
            credential,
            name: name.into(),
            origin: None,
            redact: Vec::new(),
        })
    }

    /// An app registration's client secret (client credentials flow).
    ///
    /// # Errors
    /// [`FetchError::Credential`] when the tenant id is malformed or the client id or secret is
    /// empty; the secret never appears in the message.
    pub fn client_secret(
        tenant_id: &str,
        client_id: &str,
        secret: &str,
    ) -> Result<Self, FetchError> {
        const NAME: &str = "ClientSecretCredential";
        let redact = vec![Secret::new(secret)];
        let credential = ClientSecretCredential::new(
            tenant_id,
            client_id.to_owned(),
            secret.to_owned().into(),
            None,
        )
        .map_err(|e| credential_error(NAME, &e, &redact))?;
        Ok(Authorization::Entra(EntraCredential {
            credential,
            name: NAME.to_owned(),
            origin: None,
            redact,
        }))
    }

    /// The managed identity of the Azure host this runs on; a user-assigned one when
    /// `client_id` is given.
    ///
    /// # Errors
    /// [`FetchError::Credential`] when the credential cannot be set up.
    pub fn managed_identity(client_id: Option<String>) -> Result<Self, FetchError> {
        const NAME: &str = "ManagedIdentityCredential";
        let options = ManagedIdentityCredentialOptions {
            user_assigned_id: client_id.map(UserAssignedId::ClientId),
            ..Default::default()
        };
        let credential = ManagedIdentityCredential::new(Some(options))
            .map_err(|e| credential_error(NAME, &e, &[]))?;
        Ok(Self::credential(credential, NAME))
    }

    /// Workload identity federation, configured by `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
    /// `AZURE_FEDERATED_TOKEN_FILE`.
    ///
    /// # Errors
    /// [`FetchError::Credential`] when one of those variables is missing.
    pub fn workload_identity() -> Result<Self, FetchError> {
        const NAME: &str = "WorkloadIdentityCredential";
        let credential =
            WorkloadIdentityCredential::new(None).map_err(|e| credential_error(NAME, &e, &[]))?;
        Ok(Self::credential(credential, NAME))
    }

    /// The account signed in to the Azure CLI (`az login`).
    ///
    /// # Errors
    /// [`FetchError::Credential`] when the credential cannot be set up.
    pub fn azure_cli() -> Result<Self, FetchError> {
        const NAME: &str = "AzureCliCredential";
        let credential =
            AzureCliCredential::new(None).map_err(|e| credential_error(NAME, &e, &[]))?;
        Ok(Self::credential(credential, NAME))
    }

    /// An app registration's certificate: `pkcs12` is the certificate with its private key
    /// (`.pfx`), protected by `password` when it has one.
    ///
    /// # Errors
    /// [`FetchError::Credential`] when the tenant id is malformed, the client id is empty or the
    /// certificate cannot be read.
    #[cfg(feature = "client-certificate")]
    pub fn client_certificate(
        tenant_id: &str,
        client_id: &str,
        pkcs12: Vec<u8>,
        password: Option<String>,
    ) -> Result<Self, FetchError> {
        use d365fo_odata::auth::azure_core::credentials::{Secret as AzureSecret, SecretBytes};
        use d365fo_odata::auth::azure_identity::{
            ClientCertificateCredential, ClientCertificateCredentialOptions,
        };
        const NAME: &str = "ClientCertificateCredential";
        let redact: Vec<Secret> = password.iter().map(Secret::new).collect();
        let options = ClientCertificateCredentialOptions {
            password: password.map(AzureSecret::new),
            ..Default::default()
        };
        let credential = ClientCertificateCredential::new(
            tenant_id.to_owned(),
            client_id.to_owned(),
            SecretBytes::new(pkcs12),
            Some(options),
        )
        .map_err(|e| credential_error(NAME, &e, &redact))?;
        Ok(Authorization::Entra(EntraCredential {
            credential,
            name: NAME.to_owned(),
            origin: None,
            redact,
        }))
    }

    /// A credential chosen from the environment, in the order `d365fo_odata::Auth::from_env`
    /// uses:
    ///
    /// 1. `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`: a client secret;
    /// 2. `AZURE_FEDERATED_TOKEN_FILE`: workload identity;
    /// 3. `IDENTITY_ENDPOINT` or `MSI_ENDPOINT`: managed identity (user-assigned when
    ///    `AZURE_CLIENT_ID` is set);
    /// 4. otherwise the Azure CLI.
    ///
    /// # Errors
    /// [`FetchError::Credential`] when the chosen credential cannot be set up.
    pub fn from_env() -> Result<Self, FetchError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let (auth, origin) = if let (Some(tenant), Some(client), Some(secret)) = (
            var("AZURE_TENANT_ID"),
            var("AZURE_CLIENT_ID"),
            var("AZURE_CLIENT_SECRET"),
        ) {
            (
                Self::client_secret(&tenant, &client, &secret)?,
                "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are set".to_owned(),
            )
        } else if var("AZURE_FEDERATED_TOKEN_FILE").is_some() {
            (
                Self::workload_identity()?,
                "AZURE_FEDERATED_TOKEN_FILE is set".to_owned(),
            )
        } else if let Some(endpoint) = ["IDENTITY_ENDPOINT", "MSI_ENDPOINT"]
            .into_iter()
            .find(|v| var(v).is_some())
        {
            let client_id = var("AZURE_CLIENT_ID");
            let which = if client_id.is_some() {
                "user-assigned identity from AZURE_CLIENT_ID"
            } else {
                "system-assigned identity"
            };
            (
                Self::managed_identity(client_id)?,
                format!("{endpoint} is set; {which}"),
            )
        } else {
            (
                Self::azure_cli()?,
                "no service principal, workload or managed identity variables are set".to_owned(),
            )
        };
        Ok(match auth {
            Authorization::Entra(mut c) => {
                c.origin = Some(origin);
                Authorization::Entra(c)
            }
            other => other,
        })
    }

    /// A short description for messages: `bearer token`, `ClientSecretCredential (...)`.
    pub fn describe(&self) -> String {
        match self {
            Authorization::None => "no authorization".to_owned(),
            Authorization::Bearer(_) => "a bearer token".to_owned(),
            Authorization::Entra(c) => match &c.origin {
                Some(origin) => format!("{} ({origin})", c.name),
                None => c.name.clone(),
            },
        }
    }
}

fn credential_error(name: &str, error: &dyn fmt::Display, redact: &[Secret]) -> FetchError {
    let mut message = error.to_string();
    for secret in redact {
        if !secret.expose().is_empty() {
            message = message.replace(secret.expose(), "***");
        }
    }
    FetchError::Credential {
        credential: name.to_owned(),
        message,
    }
}

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
    authorization: Authorization,
    scope: Option<String>,
    timeout: Duration,
    max_size: u64,
    progress: Option<(Duration, ProgressFn)>,
}

impl fmt::Debug for Fetch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetch")
            .field("url", &self.url)
            .field("authorization", &self.authorization)
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
            authorization: Authorization::None,
            scope: None,
            timeout: Duration::from_secs(300),
            max_size: DEFAULT_MAX_METADATA_SIZE,
            progress: None,
        }
    }

    /// Sets how the request is authorized (default: not at all).
    pub fn authorization(mut self, authorization: Authorization) -> Self {
        self.authorization = authorization;
        self
    }

    /// Asks Entra ID for `scope` instead of `https://<environment host>/.default`.
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
        let trimmed = self.url.trim();
        let environment = trimmed
            .strip_suffix("$metadata")
            .unwrap_or(trimmed)
            .trim_end_matches('/');
        let client = d365fo_odata::Client::builder(environment)
            .allow_http_loopback()
            .build()
            .map_err(|e| FetchError::Url {
                url: self.url.clone(),
                message: e.to_string(),
            })?;
        client
            .service_root()
            .join("$metadata")
            .map_err(|e| FetchError::Url {
                url: self.url.clone(),
                message: e.to_string(),
            })
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
        let url = self.metadata_url()?;
        let header = self.authorization_header(&url).await?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("d365fo-codegen/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .timeout(self.timeout)
            .build()
            .map_err(|source| FetchError::Transport {
                url: url.to_string(),
                source,
            })?;
        let mut request = http
            .get(url.clone())
            .header(ACCEPT, "application/xml")
            .header("OData-Version", "4.0")
            .header("OData-MaxVersion", "4.0");
        if let Some(value) = header {
            request = request.header(reqwest::header::AUTHORIZATION, value.expose());
        }
        let started = Instant::now();
        let transport = |source| FetchError::Transport {
            url: url.to_string(),
            source,
        };
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if !status.is_success() {
            let challenge = response
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let mut head = Vec::new();
            while head.len() < 4096 {
                match response.chunk().await {
                    Ok(Some(chunk)) => head.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            let detail = snippet(&head);
            return Err(
                if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
                    FetchError::Unauthorized {
                        url: url.to_string(),
                        status: status.as_u16(),
                        authorization: self.authorization.describe(),
                        challenge,
                        detail,
                    }
                } else {
                    FetchError::Status {
                        url: url.to_string(),
                        status: status.as_u16(),
                        detail,
                    }
                },
            );
        }

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
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
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

    async fn authorization_header(&self, url: &url::Url) -> Result<Option<Secret>, FetchError> {
        match &self.authorization {
            Authorization::None => Ok(None),
            Authorization::Bearer(token) => {
                Ok(Some(Secret::new(format!("Bearer {}", token.expose()))))
            }
            Authorization::Entra(c) => {
                let scope = self
                    .scope
                    .clone()
                    .unwrap_or_else(|| format!("{}/.default", url.origin().ascii_serialization()));
                let token = c
                    .credential
                    .get_token(&[scope.as_str()], None)
                    .await
                    .map_err(|e| credential_error(&c.name, &e, &c.redact))?;
                Ok(Some(Secret::new(format!(
                    "Bearer {}",
                    token.token.secret()
                ))))
            }
        }
    }
}

/// A downloaded, checked `$metadata` document, not yet saved.
#[derive(Debug)]
pub struct Downloaded {
    /// The URL it came from.
    pub url: String,
    /// The body as received.
    pub body: Vec<u8>,
    /// SHA-256 of the body, lowercase hex.
    pub sha256: String,
    /// The parsed document.
    pub document: Document,
    /// How long the download took.
    pub elapsed: Duration,
}

/// Where a document was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The metadata file.
    pub path: PathBuf,
    /// The fingerprint file next to it (`<path>.sha256`, in `sha256sum` format).
    pub fingerprint_path: PathBuf,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

impl Downloaded {
    /// Writes the document to `path` and its fingerprint to `<path>.sha256`
    /// (`<hex>  <file name>`, checkable with `sha256sum -c`). Each file is written to a
    /// temporary file in the same directory and renamed into place, so an interrupted or failed
    /// save leaves the previous files intact.
    ///
    /// # Errors
    /// [`FetchError::Io`] naming the path that could not be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<Saved, FetchError> {
        let path = path.as_ref();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| FetchError::Io {
                path: path.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the output path names no file",
                ),
            })?;
        let fingerprint_path = sidecar_path(path);
        write_atomically(path, &self.body)?;
        write_atomically(
            &fingerprint_path,
            format!("{}  {file_name}\n", self.sha256).as_bytes(),
        )?;
        Ok(Saved {
            path: path.to_owned(),
            fingerprint_path,
            sha256: self.sha256.clone(),
            bytes: self.body.len() as u64,
        })
    }
}

/// `<path>.sha256`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it to `path`.
///
/// # Errors
/// [`FetchError::Io`] naming `path`; the temporary file is removed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let io = |source| FetchError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let result = result.and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(io)
}

/// Why a download failed. None of the messages holds a token or secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The URL is unusable, or plain `http://` to a host that is not loopback.
    #[error("cannot use {url}: {message}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// No access token could be obtained from the Entra ID credential (wrong secret, unknown
    /// tenant, no managed identity here, Azure CLI not signed in). Keeps the `AADSTS...` code.
    #[error("cannot obtain an access token from {credential}: {message}")]
    Credential {
        /// The kind of credential.
        credential: String,
        /// What the credential reported, secrets removed.
        message: String,
    },
    /// The service refused the credentials (401) or the caller's rights (403).
    #[error(
        "the service refused access (HTTP {status}) to GET {url} with {authorization}{}{}",
        challenge.as_deref().map(|c| format!(" (WWW-Authenticate: {c})")).unwrap_or_default(),
        if detail.is_empty() { String::new() } else { format!(": {detail}") }
    )]
    Unauthorized {
        /// The `$metadata` URL.
        url: String,
        /// 401 or 403.
        status: u16,
        /// What was sent (`a bearer token`, `ClientSecretCredential`), never the token.
        authorization: String,
        /// The `WWW-Authenticate` header, if any.
        challenge: Option<String>,
        /// The start of the response body.
        detail: String,
    },
    /// Any other error status.
    #[error("GET {url} answered {status}{}", if detail.is_empty() { String::new() } else { format!(": {detail}") })]
    Status {
        /// The `$metadata` URL.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the response body.
        detail: String,
    },
    /// The request could not be sent or the body could not be read (including timeouts).
    #[error("GET {url} failed: {source}")]
    Transport {
        /// The `$metadata` URL.
        url: String,
        /// The HTTP client's error.
        source: reqwest::Error,
    },
    /// The document is larger than [`Fetch::max_size`] (it declared more in `Content-Length`,
    /// or sent more). Reading stopped at the limit; nothing is saved.
    #[error(
        "GET {url}: the document is larger than the limit of {limit} bytes{}; nothing was saved \
         (raise it with Fetch::max_size)",
        declared.map(|d| format!(" (it declared {d} bytes)")).unwrap_or_default()
    )]
    TooLarge {
        /// The `$metadata` URL.
        url: String,
        /// The limit in bytes.
        limit: u64,
        /// The length the response declared, if any.
        declared: Option<u64>,
    },
    /// The body is not a CSDL `edmx:Edmx` document (a sign-in page, a JSON error, ...). Nothing
    /// is saved.
    #[error(
        "GET {url} returned {found}{}, not an edmx:Edmx metadata document; nothing was saved",
        content_type.as_deref().map(|c| format!(" (Content-Type: {c})")).unwrap_or_default()
    )]
    NotMetadata {
        /// The `$metadata` URL.
        url: String,
        /// The response's `Content-Type`.
        content_type: Option<String>,
        /// What the body is (`an HTML page`, `JSON: {"error":...`).
        found: String,
    },
    /// The body is an `edmx:Edmx` document but not valid CSDL (truncated, malformed). Nothing is
    /// saved.
    #[error("the downloaded document is not valid metadata; nothing was saved: {0}")]
    Invalid(#[source] csdl::Error),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What the first element of a body is.
#[derive(Debug, PartialEq, Eq)]
enum Root {
    /// The name of the first element.
    Element(String),
    /// Not XML (or not enough of it yet).
    NotXml,
    /// Only prolog so far.
    Incomplete,
}

fn root_element(body: &[u8]) -> Root {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.name();
                let name: &str = name.as_ref();
                return Root::Element(name.to_owned());
            }
            Ok(Event::Text(t)) => {
                let text: &str = t.as_ref();
                if !text.trim().is_empty() {
                    return Root::NotXml;
                }
            }
            Ok(Event::Eof) => return Root::Incomplete,
            Ok(_) => {}
            Err(_) => return Root::NotXml,
        }
        buf.clear();
    }
}

/// Whether enough of the body has arrived to tell what its root is.
fn root_is_known(body: &[u8]) -> bool {
    !matches!(root_element(body), Root::Incomplete)
}

/// Refuses a body whose root element is not `Edmx` (in any prefix).
fn check_root(body: &[u8], url: &url::Url, content_type: Option<&str>) -> Result<(), FetchError> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let found = match root_element(text) {
        Root::Element(name) if name.rsplit(':').next() == Some("Edmx") => return Ok(()),
        _ if first.is_none() => "an empty body".to_owned(),
        _ if matches!(first, Some(b'{' | b'[')) => format!("JSON: {}", snippet(text)),
        Root::Element(name) if name.eq_ignore_ascii_case("html") => {
            format!("an HTML page: {}", snippet(text))
        }
        Root::Element(name) => format!("an XML document with root element `{name}`"),
        Root::NotXml | Root::Incomplete => format!("a body that is not XML: {}", snippet(text)),
    };
    Err(FetchError::NotMetadata {
        url: url.to_string(),
        content_type: content_type.map(str::to_owned),
        found,
    })
}

/// The first 160 characters of a body on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(1024)]);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let collapsed = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 160 {
        let cut: String = collapsed.chars().take(160).collect();
        format!("{cut}...")
    } else {
        collapsed
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `bytes`, lowercase hex (the fingerprint `fetch` records).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> url::Url {
        url::Url::parse("http://127.0.0.1:1/data/$metadata").unwrap()
    }

    #[test]
    fn accepts_an_edmx_root_after_bom_declaration_and_comments() {
        let body = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- x -->\n<edmx:Edmx Version=\"4.0\">";
        assert!(check_root(body, &url(), None).is_ok());
    }

    #[test]
    fn refuses_an_html_login_page() {
        let body = b"<!DOCTYPE html>\n<html><head><title>Sign in to your account</title>";
        let error = check_root(body, &url(), Some("text/html")).unwrap_err();
        let shown = error.to_string();
        assert!(shown.contains("an HTML page"), "{shown}");
        assert!(shown.contains("Sign in"), "{shown}");
        assert!(shown.contains("nothing was saved"), "{shown}");
    }

    #[test]
    fn refuses_a_json_error() {
        let body = br#"{"error":{"code":"","message":"No HTTP resource was found"}}"#;
        let error = check_root(body, &url(), Some("application/json")).unwrap_err();
        assert!(error.to_string().contains("JSON: {\"error\""), "{error}");
    }

    #[test]
    fn refuses_another_xml_document_and_an_empty_body() {
        let error = check_root(b"<feed/>", &url(), None).unwrap_err();
        assert!(error.to_string().contains("root element `feed`"), "{error}");
        let error = check_root(b"  ", &url(), None).unwrap_err();
        assert!(error.to_string().contains("an empty body"), "{error}");
    }

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
    fn credential_errors_hide_the_secret() {
        let error = credential_error(
            "ClientSecretCredential",
            &"AADSTS7000215: Invalid client secret s3cr3t provided",
            &[Secret::new("s3cr3t")],
        );
        let shown = error.to_string();
        assert!(shown.contains("AADSTS7000215"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn debug_output_hides_the_token() {
        let shown = format!("{:?}", Authorization::bearer("tok-123"));
        assert!(!shown.contains("tok-123"), "{shown}");
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

    #[test]
    fn save_writes_the_file_and_its_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let body = b"<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices/></edmx:Edmx>".to_vec();
        let downloaded = Downloaded {
            url: url().to_string(),
            sha256: sha256_hex(&body),
            document: Document::parse(&body, "x").unwrap(),
            body,
            elapsed: Duration::ZERO,
        };
        let saved = downloaded.save(dir.path().join("fno.xml")).unwrap();
        let sidecar = std::fs::read_to_string(&saved.fingerprint_path).unwrap();
        assert_eq!(sidecar, format!("{}  fno.xml\n", saved.sha256));
        assert_eq!(saved.sha256.len(), 64);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }
}
