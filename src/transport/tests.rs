//! The send path against the sandbox with injected faults: what is retried for writes, and the
//! client-side concurrency limit measured where it is enforced. Every fault is tagged, so tests
//! running in parallel fault only their own requests.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use d365fo_sandbox::{Fault, Sandbox, TAG_HEADER};
use reqwest::Method;
use reqwest::header::{HeaderValue, IF_MATCH};
use url::Url;

use super::{Request, send};
use crate::{Client, Error, RetryPolicy};

/// A client for the shared sandbox whose requests carry `x-sandbox-tag: <tag>`.
fn client(tag: &str, policy: RetryPolicy) -> Client {
    builder(tag).retry_policy(policy).build().unwrap()
}

fn builder(tag: &str) -> crate::ClientBuilder {
    let sandbox = Sandbox::shared();
    Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .default_header(TAG_HEADER, tag)
        .unwrap()
}

/// A policy with short waits for tests.
fn quick() -> RetryPolicy {
    RetryPolicy::standard()
        .initial_backoff(Duration::from_millis(50))
        .max_backoff(Duration::from_millis(200))
        .max_elapsed(Duration::from_secs(20))
}

/// A customer group id no other test uses (at most 10 characters).
fn fresh_group_id(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{:05}", NEXT.fetch_add(1, Ordering::SeqCst))
}

fn url(client: &Client, path: &str) -> Url {
    client.service_root().join(path).unwrap()
}

async fn create_group(client: &Client, id: &str) -> crate::Result<super::Response> {
    let body = serde_json::json!({
        "dataAreaId": "usmf",
        "CustomerGroupId": id,
        "Description": "created by a retry test",
    });
    let request = Request::new(Method::POST, url(client, "CustomerGroups"))
        .body("application/json", body.to_string());
    send(client, request).await
}

/// How many `usmf` customer groups have `id`, read without faults.
async fn count_groups(id: &str) -> usize {
    let reader = client("no-faults-reader", RetryPolicy::none());
    let mut url = url(&reader, "CustomerGroups");
    url.query_pairs_mut()
        .append_pair("$filter", &format!("CustomerGroupId eq '{id}'"));
    let response = send(&reader, Request::new(Method::GET, url)).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    body["value"].as_array().unwrap().len()
}

#[test]
fn idempotency_follows_the_method_and_if_match() {
    let u = Url::parse("http://127.0.0.1/data/X").unwrap();
    let r = |m: Method| Request::new(m, u.clone());
    for method in [Method::GET, Method::PUT, Method::DELETE, Method::HEAD] {
        assert!(r(method.clone()).is_idempotent(), "{method}");
    }
    assert!(!r(Method::POST).is_idempotent());
    assert!(!r(Method::PATCH).is_idempotent());
    assert!(
        r(Method::PATCH)
            .header(IF_MATCH, HeaderValue::from_static("W/\"1\""))
            .is_idempotent()
    );
    assert!(r(Method::POST).idempotent(true).is_idempotent());
    assert!(!r(Method::GET).idempotent(false).is_idempotent());
}

#[tokio::test]
async fn post_is_not_retried_after_a_reset_mid_body() {
    let tag = "tx-post-reset";
    let client = client(tag, quick());
    Sandbox::shared()
        .add_fault(
            &Fault::reset()
                .method("POST")
                .path_contains("CustomerGroups")
                .tagged(tag),
        )
        .unwrap();
    let id = fresh_group_id("RS");
    let error = create_group(&client, &id).await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { .. }),
        "the cut-off response is the caller's to judge: {error:?}"
    );
    assert_eq!(
        count_groups(&id).await,
        1,
        "processed once by the server, and not sent again"
    );
}

#[tokio::test]
async fn post_is_retried_after_429_and_the_row_exists_once() {
    let tag = "tx-post-429";
    let client = client(tag, quick());
    Sandbox::shared()
        .add_fault(&Fault::throttle("1").method("POST").tagged(tag))
        .unwrap();
    let id = fresh_group_id("TH");
    let began = Instant::now();
    let response = create_group(&client, &id).await.unwrap();
    assert_eq!(response.status.as_u16(), 201);
    assert!(
        began.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was honoured, took {:?}",
        began.elapsed()
    );
    assert_eq!(count_groups(&id).await, 1);
}

#[tokio::test]
async fn post_is_retried_after_503_and_the_row_exists_once() {
    let tag = "tx-post-503";
    let client = client(tag, quick());
    Sandbox::shared()
        .add_fault(&Fault::status(503).times(2).method("POST").tagged(tag))
        .unwrap();
    let id = fresh_group_id("SU");
    create_group(&client, &id).await.unwrap();
    assert_eq!(count_groups(&id).await, 1);
}

#[tokio::test]
async fn post_is_not_retried_after_500() {
    let tag = "tx-post-500";
    let client = client(tag, quick());
    Sandbox::shared()
        .add_fault(&Fault::status(500).method("POST").tagged(tag))
        .unwrap();
    let id = fresh_group_id("IE");
    let error = create_group(&client, &id).await.unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(
        count_groups(&id).await,
        0,
        "a retry would have created the row (the fault hits once)"
    );
}

#[tokio::test]
async fn post_marked_idempotent_is_retried_after_a_reset() {
    // A change set is never marked so; a `$batch` of reads may be.
    let tag = "tx-post-idem";
    let client = client(tag, quick());
    Sandbox::shared()
        .add_fault(&Fault::reset().method("POST").tagged(tag))
        .unwrap();
    let id = fresh_group_id("ID");
    let body = serde_json::json!({"dataAreaId": "usmf", "CustomerGroupId": id});
    let request = Request::new(Method::POST, url(&client, "CustomerGroups"))
        .body("application/json", body.to_string())
        .idempotent(true);
    let error = send(&client, request).await.unwrap_err();
    // The first attempt created the row; the retry was sent and hit the duplicate key.
    assert!(
        error.is_conflict(),
        "the duplicate key (409, or 400 as F&O answers): {error:?}"
    );
    assert_eq!(count_groups(&id).await, 1);
}

#[tokio::test]
async fn concurrency_limit_bounds_the_requests_in_flight() {
    let tag = "tx-concurrency";
    let limit = 3;
    let client = builder(tag)
        .retry_policy(quick())
        .concurrency_limit(Some(limit))
        .build()
        .unwrap();
    Sandbox::shared()
        .add_fault(
            &Fault::slow(Duration::from_millis(300))
                .times(12)
                .tagged(tag),
        )
        .unwrap();
    let began = Instant::now();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let url = url(&client, "CustomerGroups?$top=1");
                send(&client, Request::new(Method::GET, url)).await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let max = client.inner().limits.max_in_flight();
    assert_eq!(
        max, limit,
        "never more than the limit, and the limit reached"
    );
    assert!(
        began.elapsed() >= Duration::from_millis(1200),
        "12 slow requests, 3 at a time, took {:?}",
        began.elapsed()
    );
}

/// 200 concurrent reads while 20% of them get 429 with `Retry-After: 1`. Prints the numbers;
/// run with `cargo test -p d365fo-odata --lib measure_ -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, prints numbers"]
async fn measure_200_reads_with_20_percent_throttled() {
    async fn run(client: &Client, reads: usize) -> (usize, Duration) {
        let began = Instant::now();
        let tasks: Vec<_> = (0..reads)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    let url = url(&client, "CustomersV3?$top=20");
                    send(&client, Request::new(Method::GET, url)).await
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            ok += usize::from(task.await.unwrap().is_ok());
        }
        (ok, began.elapsed())
    }
    let reads = 200;
    let baseline = client("measure-baseline", RetryPolicy::standard());
    run(&baseline, reads).await; // warm the server and the connection pool
    let (_, before) = run(&baseline, reads).await;
    let tag = "measure-throttled";
    let client = client(tag, RetryPolicy::standard());
    run(&client, 52).await;
    Sandbox::shared()
        .add_fault(&Fault::throttle("1").times(reads as u32 / 5).tagged(tag))
        .unwrap();
    let (ok, took) = run(&client, reads).await;
    let (_, after) = run(&baseline, reads).await;
    let unthrottled = before.min(after);
    let minimum = unthrottled + Duration::from_secs(1);
    #[allow(clippy::print_stdout, reason = "a measurement prints its numbers")]
    {
        println!("reads: {reads}, 429s injected: {}", reads / 5);
        println!(
            "completed: {ok}/{reads} ({:.0}%)",
            ok as f64 * 100.0 / reads as f64
        );
        println!("without faults: {before:?} before, {after:?} after");
        println!(
            "with faults: {took:?} (theoretical minimum: {minimum:?} = unfaulted time + one 1 s pause; ratio {:.2})",
            took.as_secs_f64() / minimum.as_secs_f64()
        );
        println!(
            "max in flight: {} (limit {})",
            client.inner().limits.max_in_flight(),
            crate::limits::DEFAULT_CONCURRENCY_LIMIT
        );
    }
    assert_eq!(ok, reads);
}
