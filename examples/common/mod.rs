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

use std::error::Error;

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
}

impl Connection {
    /// True when talking to the local sandbox.
    pub(crate) fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
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
        let builder = configure(Client::builder(url));
        let client = match std::env::var("D365FO_TOKEN") {
            Ok(token) => builder.bearer_token(token).build()?,
            Err(_) => builder.auth(Auth::from_env()?).build()?,
        };
        return Ok(Connection {
            client,
            sandbox: None,
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
    let client = configure(Client::builder(sandbox.base_url()))
        .allow_http_loopback()
        .bearer_token(SANDBOX_TOKEN)
        .build()?;
    Ok(Connection {
        client,
        sandbox: Some(sandbox),
    })
}
