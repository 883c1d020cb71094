//! The [`Client`]: one configured connection to an OData service, cheap to clone into every task.

mod send;
mod service_root;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use url::Url;

use crate::auth::{Auth, Secret, TokenCache, TokenCredential, default_scope};
use crate::error::{Error, Result};
use crate::policy::RateLimit;
use crate::policy::RetryPolicy;
use crate::redact;
use crate::transport::{Authorizer, Limits, RedirectRules, Transport, redirect_policy};

#[cfg(feature = "dmf")]
use crate::transport::permits_scheme;

/// Default page size asked for with `Prefer: odata.maxpagesize`.
pub const DEFAULT_MAX_PAGE_SIZE: u32 = 1000;

/// Default timeout for one request, body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Default largest response body read into memory: 256 MiB. F&O's largest real pages (10,000
/// rows of a wide entity, a big `$batch` answer) stay well below it; a body that declares or
/// sends more fails with [`Error::ResponseTooLarge`] instead of filling memory. Downloads that
/// stream to a file (DMF packages, recurring integration files) are not bounded by it.
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 256 * 1024 * 1024;

pub use crate::transport::MAX_REDIRECTS;

/// A client for one OData service (one F&O environment).
///
/// Cloning is cheap (an `Arc` inside); clone it into every task rather than building new ones, so
/// that connections are pooled.
///
/// ```no_run
/// # async fn run() -> d365fo_odata::Result<()> {
/// let client = d365fo_odata::Client::builder("https://contoso.sandbox.operations.dynamics.com")
///     .bearer_token("eyJ0eXAi...")
///     .build()?;
/// assert_eq!(
///     client.service_root().as_str(),
///     "https://contoso.sandbox.operations.dynamics.com/data/"
/// );
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// The engine every request goes through: HTTP client, authorization, retries, the throttle
    /// gate and the limits shared by every task of this client.
    pub(crate) transport: Transport,
    pub(crate) root: Url,
    /// The timeout of one request (also inside [`Inner::transport`]), for bodies read later.
    pub(crate) timeout: Duration,
    pub(crate) max_page_size: Option<u32>,
    /// Whether plain `http://` to loopback hosts was allowed
    /// ([`ClientBuilder::allow_http_loopback`]); also governs storage URLs.
    pub(crate) allow_http_loopback: bool,
}

/// Shows the settings, never the HTTP client inside (whose default headers may hold
/// credentials).
impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("root", &redact::url(&self.root))
            .field("transport", &self.transport)
            .field("timeout", &self.timeout)
            .field("max_page_size", &self.max_page_size)
            .field("allow_http_loopback", &self.allow_http_loopback)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Whether `url` may be requested by this client without TLS concerns: `https`, or plain
    /// `http` to a loopback host when [`ClientBuilder::allow_http_loopback`] was set.
    #[cfg(feature = "dmf")]
    pub(crate) fn permits_scheme_of(&self, url: &Url) -> bool {
        permits_scheme(url, self.inner.allow_http_loopback)
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The engine that sends this client's requests.
    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }
}

// Building a client and reading its settings; the methods that start each kind of call are in
// `crate::calls`, declared right after this module so that `Client`'s documentation reads
// top-down.
mod start;

/// Configures a [`Client`]; made by [`Client::builder`].
///
/// Its `Debug` output hides the values of default headers named like credentials
/// (`Authorization`, cookies, anything with `key`, `token`, `secret`, `signature`, `password`,
/// `auth`, ...) and user information in the environment URL.
#[must_use = "a builder does nothing until build() is called"]
pub struct ClientBuilder {
    environment_url: String,
    auth: Auth,
    allow_http_loopback: bool,
    timeout: Duration,
    connect_timeout: Duration,
    max_page_size: Option<u32>,
    user_agent: Option<String>,
    default_headers: HeaderMap,
    retry: RetryPolicy,
    concurrency_limit: Option<usize>,
    rate_limit: Option<RateLimit>,
    http_client: Option<reqwest::Client>,
    max_response_size: u64,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment_url", &redact::url_text(&self.environment_url))
            .field("auth", &self.auth)
            .field("allow_http_loopback", &self.allow_http_loopback)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_page_size", &self.max_page_size)
            .field("max_response_size", &self.max_response_size)
            .field("user_agent", &self.user_agent)
            .field("default_headers", &redact::Headers(&self.default_headers))
            .field("retry", &self.retry)
            .field("concurrency_limit", &self.concurrency_limit)
            .field("rate_limit", &self.rate_limit)
            .field(
                "http_client",
                &self
                    .http_client
                    .as_ref()
                    .map(|_| "caller's reqwest::Client"),
            )
            .finish()
    }
}

impl ClientBuilder {
    /// Sends `Authorization: Bearer <token>` with every request.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Auth::Bearer(Secret::new(token));
        self
    }

    /// Authorizes requests with tokens from a Microsoft Entra ID credential (any of
    /// `azure_identity`'s, e.g. `ClientSecretCredential::new(...)?`), cached and refreshed by this
    /// client. Same as `.auth(Auth::credential(credential))`; see [`Auth`] for the shortcuts.
    pub fn credential(mut self, credential: Arc<dyn TokenCredential>) -> Self {
        self.auth = Auth::credential(credential);
        self
    }

    /// Sets how requests are authorized.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Permits plain `http://` when the host is loopback (`127.0.0.0/8`, `::1`, `localhost`),
    /// for local servers. Remote hosts always require https.
    pub fn allow_http_loopback(mut self) -> Self {
        self.allow_http_loopback = true;
        self
    }

    /// Timeout for one request, from sending to the end of the body. Default: 120 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends with `client` instead of a `reqwest::Client` built by this builder: for a proxy,
    /// custom TLS roots, a shared connection pool, or anything else reqwest can be configured
    /// with.
    ///
    /// On top of it the crate still applies, per request: the [`timeout`](Self::timeout)
    /// (bounding each attempt), its headers (`OData-Version`, `OData-MaxVersion`, those added
    /// with [`default_header`](Self::default_header), `x-ms-client-request-id`, and
    /// `User-Agent` only when set with [`user_agent`](Self::user_agent)), authorization,
    /// retries, throttling, the [`max_response_size`](Self::max_response_size) limit and the
    /// concurrency and rate limits. Everything configured on
    /// `client` itself is then the caller's: redirect policy, connect timeout
    /// ([`connect_timeout`](Self::connect_timeout) has no effect), proxies, TLS, cookies (F&O's
    /// throughput guidance is to keep its affinity cookie off, which reqwest does unless a
    /// cookie store is enabled), and its own default headers for any name the crate does not
    /// set.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Timeout for establishing a connection. Default: 30 s. Not applied to a client handed in
    /// with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Page size asked for with `Prefer: odata.maxpagesize` on collection reads (default 1000);
    /// `None` sends no preference and takes the server's default.
    pub fn max_page_size(mut self, rows: Option<u32>) -> Self {
        self.max_page_size = rows;
        self
    }

    /// Replaces the `User-Agent` header (default: `d365fo-odata/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Adds a header sent with every request.
    ///
    /// A value whose name looks like a credential (`Authorization`, cookies, anything with
    /// `key`, `token`, `secret`, `signature`, `password`, `auth`, ...) is marked sensitive and
    /// never shown in `Debug` output or logs; a client with such a header (other than
    /// `Authorization` and cookies, which are dropped on such a hop) follows no redirect to
    /// another origin ([`Error::Redirect`]), so that the header never travels there. Prefer
    /// [`bearer_token`](Self::bearer_token) or [`auth`](Self::auth) for the `Authorization`
    /// header.
    ///
    /// # Errors
    /// [`Error::Config`] when the name or value is not a valid HTTP header.
    pub fn default_header(mut self, name: &str, value: &str) -> Result<Self> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| Error::config(format!("header name {name:?}: {e}")))?;
        let mut value = HeaderValue::from_str(value)
            .map_err(|e| Error::config(format!("value of header {name}: {e}")))?;
        if redact::is_secret_header(name.as_str()) {
            value.set_sensitive(true);
        }
        self.default_headers.insert(name, value);
        Ok(self)
    }

    /// Sets when and how often failed requests are retried, and how throttling is waited out.
    /// Default: [`RetryPolicy::standard`]; [`RetryPolicy::none`] turns retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Most requests in flight at once, across every clone of the client (retries included);
    /// further requests wait for a slot. Default: 52
    /// ([`DEFAULT_CONCURRENCY_LIMIT`](crate::policy::DEFAULT_CONCURRENCY_LIMIT), F&O's per-user
    /// concurrency limit); `None`: no limit. `Some(0)` is refused by [`build`](Self::build).
    pub fn concurrency_limit(mut self, limit: Option<usize>) -> Self {
        self.concurrency_limit = limit;
        self
    }

    /// Limits how many requests the client starts per unit of time (retries included); requests
    /// over it wait. Default: no rate limit.
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Largest response body read into memory, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_SIZE`], 256 MiB). A page, an entity or any other answer that
    /// declares more in `Content-Length` is refused before it is read, one that sends more is
    /// refused when it passes the limit: [`Error::ResponseTooLarge`], not retried. Error bodies
    /// are read up to 256 KiB whatever this says. Streamed downloads to a file are not bounded
    /// by it.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] or [`Error::Url`] when the environment URL is unusable (see
    /// [`Client::builder`]; also when it carries a user name or password: credentials go
    /// through [`auth`](Self::auth)), when the concurrency limit is zero, or when the HTTP stack
    /// cannot be initialised.
    pub fn build(self) -> Result<Client> {
        if self.concurrency_limit == Some(0) {
            return Err(Error::config(
                "concurrency limit 0 would block every request; use None for no limit",
            ));
        }
        let root = service_root::service_root(&self.environment_url, self.allow_http_loopback)?;
        let redirects = RedirectRules {
            allow_http_loopback: self.allow_http_loopback,
            // reqwest drops Authorization and cookies on a hop to another origin, not these.
            credential_header: self
                .default_headers
                .keys()
                .map(|name| name.as_str())
                .find(|name| {
                    redact::is_secret_header(name)
                        && !matches!(*name, "authorization" | "cookie" | "proxy-authorization")
                })
                .map(str::to_owned),
        };
        let mut headers = self.default_headers;
        headers.insert("OData-Version", HeaderValue::from_static("4.0"));
        headers.insert("OData-MaxVersion", HeaderValue::from_static("4.0"));
        let user_agent = match (&self.user_agent, &self.http_client) {
            (Some(agent), _) => Some(agent.clone()),
            // A caller's client keeps its own User-Agent unless one is set here.
            (None, Some(_)) => None,
            (None, None) => Some(concat!("d365fo-odata/", env!("CARGO_PKG_VERSION")).to_owned()),
        };
        if let Some(agent) = user_agent {
            let value = HeaderValue::from_str(&agent)
                .map_err(|e| Error::config(format!("User-Agent {agent:?}: {e}")))?;
            headers.insert(USER_AGENT, value);
        }
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                // Each hop must pass the same scheme rules as the service root; see `redirect`.
                .redirect(redirect_policy(redirects))
                // A Referer would carry the previous URL, secret query values included, to the
                // next hop.
                .referer(false)
                // F&O pins a client to one web server with an affinity cookie; its throughput
                // guidance is to drop it so that load spreads. No cookie store does exactly that.
                .build()
                .map_err(|e| Error::config(format!("cannot initialise the HTTP client: {e}")))?,
        };
        let tokens = self
            .auth
            .as_credential()
            .map(|c| TokenCache::new(c.clone(), default_scope(&root)));
        let transport = Transport::new(
            http,
            headers,
            Authorizer::new(self.auth, tokens),
            self.retry,
            Limits::new(self.concurrency_limit, self.rate_limit),
            self.timeout,
            self.max_response_size,
        );
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                root,
                timeout: self.timeout,
                max_page_size: self.max_page_size,
                allow_http_loopback: self.allow_http_loopback,
            }),
        })
    }
}
