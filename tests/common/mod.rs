//! Shared by the integration tests: a client for the shared sandbox and hand-written bindings
//! for a few sandbox entities, shaped like the generated ones.
#![allow(dead_code, unreachable_pub, missing_docs)]

pub mod fno;

use d365fo_odata::Client;
use d365fo_sandbox::Sandbox;

/// A client for the shared sandbox, with the given `Prefer: odata.maxpagesize`.
pub fn sandbox_client(max_page_size: Option<u32>) -> Client {
    let sandbox = Sandbox::shared();
    Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(
            sandbox
                .token()
                .expect("the shared sandbox requires a token"),
        )
        .max_page_size(max_page_size)
        .build()
        .expect("client for the sandbox")
}
