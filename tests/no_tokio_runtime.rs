//! Polling a request outside a Tokio runtime returns a typed error instead of panicking with
//! "there is no reactor running".

use d365fo_odata::{Client, Error};

#[test]
fn a_request_outside_tokio_is_a_config_error_that_names_tokio() {
    // Port 9 (discard) on loopback: the request must fail before any connection is tried.
    let client = Client::builder("http://127.0.0.1:9")
        .allow_http_loopback()
        .build()
        .expect("a loopback client builds without a runtime");
    let result =
        futures::executor::block_on(client.query("CustomersV3").first::<serde_json::Value>());
    let err = result.expect_err("no runtime, no request");
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("no Tokio runtime"), "{shown}");
    assert!(shown.contains("#[tokio::main]"), "{shown}");
}
