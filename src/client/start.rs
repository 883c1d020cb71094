//! Starting: [`Client::builder`] and the [`service_root`](Client::service_root) every request
//! is resolved against.

use std::time::Duration;

use reqwest::header::HeaderMap;
use url::Url;

use super::{
    Client, ClientBuilder, DEFAULT_MAX_PAGE_SIZE, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT,
};
use crate::auth::Auth;
use crate::policy::DEFAULT_CONCURRENCY_LIMIT;
use crate::policy::RetryPolicy;

impl Client {
    /// Starts configuring a client for the environment at `environment_url`
    /// (e.g. `https://contoso.operations.dynamics.com`; a trailing `/data` is accepted).
    pub fn builder(environment_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            environment_url: environment_url.into(),
            auth: Auth::None,
            allow_http_loopback: false,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(30),
            max_page_size: Some(DEFAULT_MAX_PAGE_SIZE),
            user_agent: None,
            default_headers: HeaderMap::new(),
            retry: RetryPolicy::standard(),
            concurrency_limit: Some(DEFAULT_CONCURRENCY_LIMIT),
            rate_limit: None,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            http_client: None,
        }
    }

    /// The service root every request is resolved against, ending in `/data/`.
    pub fn service_root(&self) -> &Url {
        &self.inner.root
    }
}
