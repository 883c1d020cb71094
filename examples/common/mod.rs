//! Connection set-up shared by the examples: a real environment from environment variables, or
//! else the local sandbox.
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it (or, instead, `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`
//!   and `AZURE_CLIENT_SECRET` of an app registration, read by [`Auth::from_env`])
//!
//! With no `D365FO_URL`, the sandbox (a real OData v4 server shaped like F&O, `tests/sandbox/`)
//! starts on a free loopback port and stops when the returned [`Connection`] is dropped.
#![allow(dead_code, clippy::print_stdout)]

pub(crate) mod export;

use std::error::Error;
use std::time::{SystemTime, UNIX_EPOCH};

use d365fo_odata::{Auth, Client, ClientBuilder};
use d365fo_sandbox::Sandbox;

/// The bearer token the examples' sandbox accepts.
const SANDBOX_TOKEN: &str = "examples";

/// A client, and the sandbox behind it when no environment was configured.
pub(crate) struct Connection {
    /// The client.
    pub(crate) client: Client,
    /// The local sandbox, kept alive for as long as the connection (`None` for a real environment).
    pub(crate) sandbox: Option<Sandbox>,
    /// The environment URL the client talks to.
    url: String,
}

impl Connection {
    /// True when talking to the local sandbox.
    pub(crate) fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// The environment URL the client talks to.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The bearer token the client sends when it is a fixed one (the sandbox's, or
    /// `D365FO_TOKEN`); `None` when tokens come from an app registration or another Entra ID
    /// credential.
    pub(crate) fn fixed_token(&self) -> Option<String> {
        if self.is_sandbox() {
            Some(SANDBOX_TOKEN.to_owned())
        } else {
            std::env::var("D365FO_TOKEN").ok()
        }
    }

    /// Another client for the same environment and credentials, with other settings (say a
    /// different retry policy or limits). Clients do not share their throttle gate or limits.
    pub(crate) fn client_with(
        &self,
        configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Result<Client, Box<dyn Error>> {
        build_client(&self.url, self.is_sandbox(), configure)
    }
}

/// Connects with default client settings.
pub(crate) fn connect() -> Result<Connection, Box<dyn Error>> {
    connect_with(|builder| builder)
}

/// Connects, letting the caller adjust the client builder (retry policy, limits, page size...).
pub(crate) fn connect_with(
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<Connection, Box<dyn Error>> {
    if let Ok(url) = std::env::var("D365FO_URL") {
        return Ok(Connection {
            client: build_client(&url, false, configure)?,
            sandbox: None,
            url,
        });
    }
    println!(
        "D365FO_URL is not set: starting the local sandbox (first run installs its npm packages)..."
    );
    let sandbox = Sandbox::builder().token(SANDBOX_TOKEN).start()?;
    println!(
        "sandbox ready at {} in {:.1?}",
        sandbox.base_url(),
        sandbox.started_in()
    );
    let url = sandbox.base_url().to_owned();
    Ok(Connection {
        client: build_client(&url, true, configure)?,
        sandbox: Some(sandbox),
        url,
    })
}

/// A client for `url`: the sandbox's token on loopback, or else the token or app registration
/// from the environment variables.
fn build_client(
    url: &str,
    sandbox: bool,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> Result<Client, Box<dyn Error>> {
    let builder = configure(Client::builder(url));
    let client = if sandbox {
        builder
            .allow_http_loopback()
            .bearer_token(SANDBOX_TOKEN)
            .build()?
    } else {
        match std::env::var("D365FO_TOKEN") {
            Ok(token) => builder.bearer_token(token).build()?,
            Err(_) => builder.auth(Auth::from_env()?).build()?,
        }
    };
    Ok(client)
}

/// An environment variable, or `default` when it is not set.
pub(crate) fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// A short suffix that no earlier run used (milliseconds since 1970 in hex, 11 characters), for
/// keys the examples create: F&O keys such as customer accounts allow 20 characters.
pub(crate) fn unique_suffix() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("{:x}", now.as_millis() & 0xfff_ffff_ffff)
}
