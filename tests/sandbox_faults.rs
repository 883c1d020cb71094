//! The sandbox's fault injection, observed with a plain HTTP client: each fault kind does what it
//! says, only to the requests it matches.

use std::time::{Duration, Instant};

use d365fo_sandbox::{Fault, Sandbox, TAG_HEADER};
use reqwest::StatusCode;

fn get(tag: &str, path: &str) -> reqwest::RequestBuilder {
    let sandbox = Sandbox::shared();
    reqwest::Client::new()
        .get(format!("{}/data/{path}", sandbox.base_url()))
        .bearer_auth(sandbox.token().unwrap())
        .header(TAG_HEADER, tag)
}

#[tokio::test]
async fn throttle_fault_answers_429_with_retry_after_seconds_once() {
    let tag = "throttle-seconds";
    Sandbox::shared()
        .add_fault(&Fault::throttle("7").tagged(tag))
        .unwrap();
    let first = get(tag, "CustomerGroups?$top=1").send().await.unwrap();
    assert_eq!(first.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(first.headers()["retry-after"], "7");
    let second = get(tag, "CustomerGroups?$top=1").send().await.unwrap();
    assert_eq!(
        second.status(),
        StatusCode::OK,
        "the rule applies to one request"
    );
}

#[tokio::test]
async fn throttle_fault_sends_http_date_retry_after_verbatim() {
    let tag = "throttle-date";
    let date = "Wed, 21 Oct 2026 07:28:00 GMT";
    Sandbox::shared()
        .add_fault(&Fault::throttle(date).tagged(tag))
        .unwrap();
    let response = get(tag, "CustomersV3?$top=1").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], date);
}

#[tokio::test]
async fn status_fault_answers_503_for_the_next_n_matching_requests() {
    let tag = "unavailable";
    Sandbox::shared()
        .add_fault(
            &Fault::status(503)
                .times(2)
                .path_contains("SalesOrderHeadersV2")
                .tagged(tag),
        )
        .unwrap();
    let other = get(tag, "CustomerGroups?$top=1").send().await.unwrap();
    assert_eq!(
        other.status(),
        StatusCode::OK,
        "other paths are not faulted"
    );
    for _ in 0..2 {
        let r = get(tag, "SalesOrderHeadersV2?$top=1").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    let r = get(tag, "SalesOrderHeadersV2?$top=1").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn reset_fault_cuts_the_body_mid_stream() {
    let tag = "reset";
    Sandbox::shared()
        .add_fault(&Fault::reset().tagged(tag))
        .unwrap();
    let response = get(tag, "CustomersV3?$top=500").send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "headers arrive before the reset"
    );
    let body = response.bytes().await;
    assert!(
        body.is_err(),
        "reading the body must fail, got {} bytes",
        body.map(|b| b.len()).unwrap_or(0)
    );
    let again = get(tag, "CustomersV3?$top=500").send().await.unwrap();
    assert!(again.bytes().await.is_ok(), "the next request is whole");
}

#[tokio::test]
async fn slow_fault_delays_the_response() {
    let tag = "slow";
    Sandbox::shared()
        .add_fault(&Fault::slow(Duration::from_millis(1500)).tagged(tag))
        .unwrap();
    let began = Instant::now();
    let response = get(tag, "CustomerGroups?$top=1").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.unwrap();
    assert!(
        began.elapsed() >= Duration::from_millis(1500),
        "took {:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn untagged_requests_are_not_hit_by_tagged_faults() {
    let tag = "only-mine";
    Sandbox::shared()
        .add_fault(&Fault::status(500).always().tagged(tag))
        .unwrap();
    let untagged = get("someone-else", "CustomerGroups?$top=1")
        .send()
        .await
        .unwrap();
    assert_eq!(untagged.status(), StatusCode::OK);
    let mine = get(tag, "CustomerGroups?$top=1").send().await.unwrap();
    assert_eq!(mine.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
