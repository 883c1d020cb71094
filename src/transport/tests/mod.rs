//! The engine against the in-process scripted server ([`super::test_server`]): what is sent
//! again and what is not, counted where the server reads it, the typed error the caller gets,
//! the throttle gate's budgets, and the limits. No Node sandbox needed; every test is bounded in
//! time (waits of at most a few hundred milliseconds, a budget of a few seconds at most).

mod engine;
mod throttling;
mod writes;

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue, IF_MATCH, RETRY_AFTER};
use url::Url;

use super::request_id::CLIENT_REQUEST_ID;
use super::test_server::{Reply, Step, TestServer, refusing_address};
use super::{Authorizer, Limits, Request, Transport};
use crate::auth::Auth;
use crate::{Error, RetryPolicy};

const THINGS: &str = "/data/Things";

fn engine(policy: RetryPolicy) -> Transport {
    engine_with(policy, Some(52), Duration::from_secs(5))
}

fn engine_with(policy: RetryPolicy, concurrency: Option<usize>, timeout: Duration) -> Transport {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    Transport::new(
        http,
        HeaderMap::new(),
        Authorizer::new(Auth::None, None),
        policy,
        Limits::new(concurrency, None),
        timeout,
        crate::DEFAULT_MAX_RESPONSE_SIZE,
    )
}

/// Short waits for tests.
fn quick() -> RetryPolicy {
    RetryPolicy::standard()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(100))
        .max_elapsed(Duration::from_secs(5))
}

fn create(url: Url) -> Request {
    Request::new(Method::POST, url).body("application/json", r#"{"Id":1}"#)
}

fn get(url: Url) -> Request {
    Request::new(Method::GET, url)
}

/// The error of a write that may have been applied, taken apart.
fn may_have_been_applied(error: &Error) -> (&str, u32, &Error) {
    match error {
        Error::MayHaveBeenApplied {
            request_id,
            attempts,
            source,
            ..
        } => (request_id, *attempts, source),
        other => panic!("expected Error::MayHaveBeenApplied, got {other:?}"),
    }
}
