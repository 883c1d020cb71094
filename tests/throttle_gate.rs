//! Throttling against the sandbox: one 429 pauses every task of a client, `Retry-After` in both
//! forms is waited out (capped when absurd), a server that never stops throttling ends in a typed
//! error within the budget, and the client's concurrency and rate limits hold. Every fault is
//! tagged with the test's own tag, so tests running in parallel do not see each other's faults.

use std::time::{Duration, Instant};

use d365fo_odata::{Client, ClientBuilder, Error, RateLimit, RetryPolicy};
use d365fo_sandbox::{Fault, Sandbox, TAG_HEADER};
use futures::TryStreamExt;
use time::OffsetDateTime;
use time::macros::format_description;

fn builder(tag: &str) -> ClientBuilder {
    let sandbox = Sandbox::shared();
    Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .default_header(TAG_HEADER, tag)
        .unwrap()
}

fn client(tag: &str, policy: RetryPolicy) -> Client {
    builder(tag).retry_policy(policy).build().unwrap()
}

/// Short waits for tests.
fn quick() -> RetryPolicy {
    RetryPolicy::standard()
        .initial_backoff(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(200))
        .max_elapsed(Duration::from_secs(20))
}

fn fault(rule: Fault) {
    Sandbox::shared().add_fault(&rule).unwrap();
}

/// Reads the first page of `entity_set` (one row) and returns its row count.
async fn read(client: &Client, entity_set: &str) -> d365fo_odata::Result<usize> {
    let mut pages = client.query(entity_set).top(1).pages::<serde_json::Value>();
    Ok(pages.try_next().await?.map_or(0, |page| page.rows.len()))
}

fn http_date(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .unwrap()
}

#[tokio::test]
async fn one_429_pauses_every_task_of_the_client() {
    let tag = "gate-shared";
    let client = client(tag, quick());
    let other_client = client_without_faults();
    read(&client, "ReleasedProductsV2").await.unwrap(); // a warm connection
    fault(
        Fault::throttle("1")
            .path_contains("CustomerGroups")
            .tagged(tag),
    );

    let throttled = {
        let client = client.clone();
        tokio::spawn(async move {
            let began = Instant::now();
            read(&client, "CustomerGroups")
                .await
                .map(|_| began.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(250)).await; // the 429 has arrived by now

    // Not faulted itself, but the same client: it waits for the gate.
    let began = Instant::now();
    read(&client, "ReleasedProductsV2").await.unwrap();
    let second_task = began.elapsed();
    // Another client shares nothing with the throttled one.
    let began = Instant::now();
    read(&other_client, "ReleasedProductsV2").await.unwrap();
    let other = began.elapsed();

    let first_task = throttled.await.unwrap().unwrap();
    assert!(
        first_task >= Duration::from_millis(950),
        "the throttled task waited out Retry-After: {first_task:?}"
    );
    assert!(
        second_task >= Duration::from_millis(450),
        "the second task of the client was held at the gate: {second_task:?}"
    );
    assert!(
        other < Duration::from_millis(500),
        "another client is not paused: {other:?}"
    );
}

fn client_without_faults() -> Client {
    client("gate-untouched", quick())
}

#[tokio::test]
async fn retry_after_in_delta_seconds_is_waited_out() {
    let tag = "gate-delta";
    let client = client(tag, quick());
    fault(Fault::throttle("1").tagged(tag));
    let began = Instant::now();
    assert_eq!(read(&client, "CustomerGroups").await.unwrap(), 1);
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(950) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_waited_out() {
    let tag = "gate-date";
    let client = client(tag, quick());
    // Whole seconds: the wait is between 1 and 2 s.
    let date = http_date(OffsetDateTime::now_utc() + Duration::from_secs(2));
    fault(Fault::throttle(date).tagged(tag));
    let began = Instant::now();
    read(&client, "CustomerGroups").await.unwrap();
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn an_absurd_retry_after_is_capped() {
    let tag = "gate-absurd";
    let client = client(tag, quick().max_retry_after(Duration::from_secs(1)));
    fault(Fault::throttle("31536000").tagged(tag)); // a year
    fault(Fault::throttle("Fri, 31 Dec 9999 23:59:59 GMT").tagged(tag));
    let began = Instant::now();
    read(&client, "CustomerGroups").await.unwrap();
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(6),
        "two waits capped at 1 s each: {took:?}"
    );
}

#[tokio::test]
async fn an_unreadable_retry_after_waits_the_default() {
    let tag = "gate-unreadable";
    let client = client(tag, quick().default_retry_after(Duration::from_millis(600)));
    fault(Fault::throttle("in a little while").tagged(tag));
    let began = Instant::now();
    read(&client, "CustomerGroups").await.unwrap();
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(550) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_server_that_always_throttles_ends_after_max_attempts() {
    let tag = "gate-forever-attempts";
    let client = client(tag, quick().max_attempts(3));
    fault(Fault::throttle("1").always().tagged(tag));
    let began = Instant::now();
    let error = read(&client, "CustomerGroups").await.unwrap_err();
    let took = began.elapsed();
    let Error::Throttled {
        attempts,
        waited,
        retry_after,
        ..
    } = &error
    else {
        panic!("expected Error::Throttled, got {error:?}");
    };
    assert_eq!(*attempts, 3);
    assert_eq!(*retry_after, Some(Duration::from_secs(1)));
    assert!(
        *waited >= Duration::from_millis(1900) && *waited < Duration::from_secs(4),
        "two waits of 1 s: {waited:?}"
    );
    assert!(took < Duration::from_secs(6), "bounded: {took:?}");
    assert!(error.is_throttled() && error.status() == Some(429));
    assert!(error.to_string().contains("3 attempt(s)"), "{error}");
}

#[tokio::test]
async fn a_server_that_always_throttles_ends_within_max_elapsed() {
    let tag = "gate-forever-elapsed";
    let client = client(
        tag,
        quick()
            .max_attempts(1000)
            .max_elapsed(Duration::from_millis(2500)),
    );
    fault(Fault::throttle("1").always().tagged(tag));
    let began = Instant::now();
    let error = read(&client, "CustomerGroups").await.unwrap_err();
    let took = began.elapsed();
    assert!(
        took < Duration::from_millis(3500),
        "no retry starts whose wait ends after the budget: {took:?}"
    );
    match error {
        Error::Throttled { attempts, .. } => assert_eq!(attempts, 3, "at 0 s, 1 s and 2 s"),
        other => panic!("expected Error::Throttled, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wait_longer_than_the_budget_fails_at_once() {
    let tag = "gate-too-long";
    let client = client(tag, quick().max_elapsed(Duration::from_secs(10)));
    fault(Fault::throttle("120").tagged(tag));
    let began = Instant::now();
    let error = read(&client, "CustomerGroups").await.unwrap_err();
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "{:?}",
        began.elapsed()
    );
    match error {
        Error::Throttled {
            attempts,
            retry_after,
            ..
        } => {
            assert_eq!(attempts, 1);
            assert_eq!(retry_after, Some(Duration::from_secs(120)));
        }
        other => panic!("expected Error::Throttled, got {other:?}"),
    }
}

#[tokio::test]
async fn retries_off_returns_the_first_429_and_pauses_nobody() {
    let tag = "gate-off";
    let client = client(tag, RetryPolicy::none());
    fault(
        Fault::throttle("5")
            .path_contains("CustomerGroups")
            .tagged(tag),
    );
    let began = Instant::now();
    let error = read(&client, "CustomerGroups").await.unwrap_err();
    assert!(
        matches!(error, Error::Throttled { attempts: 1, .. }),
        "{error:?}"
    );
    read(&client, "ReleasedProductsV2").await.unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "no wait: {:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn the_concurrency_limit_makes_requests_take_turns() {
    let tag = "gate-concurrency";
    let client = builder(tag)
        .retry_policy(quick())
        .concurrency_limit(Some(2))
        .build()
        .unwrap();
    fault(Fault::slow(Duration::from_millis(400)).times(6).tagged(tag));
    let began = Instant::now();
    let reads: Vec<_> = (0..6)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { read(&client, "CustomerGroups").await })
        })
        .collect();
    for read in reads {
        read.await.unwrap().unwrap();
    }
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(1200),
        "6 requests of 400 ms, 2 at a time: {took:?}"
    );
}

#[tokio::test]
async fn the_rate_limit_spaces_requests() {
    let client = builder("gate-rate")
        .rate_limit(RateLimit::per_second(10))
        .build()
        .unwrap();
    let began = Instant::now();
    for _ in 0..6 {
        read(&client, "CustomerGroups").await.unwrap();
    }
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(500),
        "6 requests at 10/s: {took:?}"
    );
}

#[test]
fn a_concurrency_limit_of_zero_is_refused() {
    let error = Client::builder("http://127.0.0.1:9/")
        .allow_http_loopback()
        .concurrency_limit(Some(0))
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
}
