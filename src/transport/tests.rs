//! The engine against the in-process scripted server ([`super::test_server`]): what is sent
//! again and what is not, counted where the server reads it, the typed error the caller gets,
//! the throttle gate's budgets, and the limits. No Node sandbox needed; every test is bounded in
//! time (waits of at most a few hundred milliseconds, a budget of a few seconds at most).

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
async fn a_post_answered_503_without_retry_after_is_sent_once_and_may_have_been_applied() {
    let server = TestServer::start().await;
    server.script("POST", THINGS, [Step::Reply(Reply::status(503))]);
    let error = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(server.count("POST", THINGS), 1, "never sent a second time");
    let (request_id, attempts, source) = may_have_been_applied(&error);
    assert_eq!(attempts, 1);
    assert!(matches!(source, Error::Service(_)), "{source:?}");
    assert_eq!(error.status(), Some(503), "the status is still there");
    assert!(error.may_have_been_applied());
    let sent = &server.received()[0];
    assert_eq!(sent.header("x-ms-client-request-id"), Some(request_id));
    assert_eq!(error.request_id(), Some(request_id));
    let shown = error.to_string();
    assert!(
        shown.contains("may have been applied") && shown.contains(request_id),
        "{shown}"
    );
}

#[tokio::test]
async fn a_post_answered_500_502_504_or_408_is_sent_once() {
    for code in [408, 500, 502, 504] {
        let server = TestServer::start().await;
        server.script(
            "POST",
            THINGS,
            [Step::Reply(Reply::status(code).header("Retry-After", "0"))],
        );
        let error = engine(quick())
            .send(create(server.url(THINGS)))
            .await
            .unwrap_err();
        assert_eq!(server.count("POST", THINGS), 1, "{code}");
        assert!(error.may_have_been_applied(), "{code}: {error:?}");
        assert_eq!(error.status(), Some(code));
    }
}

#[tokio::test]
async fn a_post_answered_503_with_retry_after_is_sent_again() {
    let server = TestServer::start().await;
    server.script(
        "POST",
        THINGS,
        [Step::Reply(Reply::status(503).header("Retry-After", "0"))],
    );
    let response = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 201);
    assert_eq!(server.count("POST", THINGS), 2);
}

#[tokio::test]
async fn a_throttled_post_is_sent_again_with_the_same_request_id() {
    let server = TestServer::start().await;
    server.script(
        "POST",
        THINGS,
        [
            Step::Reply(Reply::throttled("0")),
            Step::Reply(Reply::throttled("0")),
        ],
    );
    let response = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 201);
    let received = server.received();
    assert_eq!(received.len(), 3);
    let ids: Vec<_> = received
        .iter()
        .map(|r| r.header("x-ms-client-request-id").unwrap().to_owned())
        .collect();
    assert!(ids.iter().all(|id| id == &ids[0]), "{ids:?}");
}

#[tokio::test]
async fn a_post_throttled_then_reset_may_have_been_applied_after_two_attempts() {
    let server = TestServer::start().await;
    server.script(
        "POST",
        THINGS,
        [
            Step::Reply(Reply::throttled("0")),
            Step::ResetBeforeResponse,
        ],
    );
    let error = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(server.count("POST", THINGS), 2);
    let (_, attempts, source) = may_have_been_applied(&error);
    assert_eq!(attempts, 2);
    assert!(matches!(source, Error::Transport { .. }), "{source:?}");
}

#[tokio::test]
async fn a_post_whose_connection_is_reset_before_the_response_is_not_sent_again() {
    let server = TestServer::start().await;
    server.script("POST", THINGS, [Step::ResetBeforeResponse]);
    let error = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(server.count("POST", THINGS), 1);
    let (_, attempts, source) = may_have_been_applied(&error);
    assert_eq!(attempts, 1);
    assert!(matches!(source, Error::Transport { .. }), "{source:?}");
}

#[tokio::test]
async fn a_post_whose_body_is_cut_off_is_not_sent_again() {
    let server = TestServer::start().await;
    let created = Reply::json(201, &format!(r#"{{"Id":1,"Name":"{}"}}"#, "x".repeat(4000)));
    server.script("POST", THINGS, [Step::ResetMidBody(created)]);
    let error = engine(quick())
        .send(create(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(server.count("POST", THINGS), 1);
    assert!(error.may_have_been_applied(), "{error:?}");
}

#[tokio::test]
async fn a_get_whose_connection_is_reset_is_sent_again() {
    let server = TestServer::start().await;
    let page = Reply::json(200, &format!(r#"{{"value":["{}"]}}"#, "y".repeat(4000)));
    server.script(
        "GET",
        THINGS,
        [Step::ResetBeforeResponse, Step::ResetMidBody(page)],
    );
    let response = engine(quick()).send(get(server.url(THINGS))).await.unwrap();
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(server.count("GET", THINGS), 3);
}

#[tokio::test]
async fn a_post_marked_idempotent_is_sent_again_after_a_reset() {
    // A `$batch` of reads only is marked so; one with a change set never is.
    let server = TestServer::start().await;
    server.script("POST", THINGS, [Step::ResetBeforeResponse]);
    let request = create(server.url(THINGS)).idempotent(true);
    engine(quick()).send(request).await.unwrap();
    assert_eq!(server.count("POST", THINGS), 2);
}

#[tokio::test]
async fn a_post_to_a_server_not_yet_listening_is_sent_once_it_listens() {
    let addr = refusing_address().await;
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        TestServer::start_on(addr).await
    });
    let url = Url::parse(&format!("http://{addr}{THINGS}")).unwrap();
    let policy = quick().max_attempts(30);
    let response = engine(policy).send(create(url)).await.unwrap();
    assert_eq!(response.status.as_u16(), 201);
    let server = late.await.unwrap();
    assert_eq!(
        server.count("POST", THINGS),
        1,
        "refused attempts never arrived"
    );
}

#[tokio::test]
async fn a_refused_connection_is_not_a_write_that_may_have_been_applied() {
    let addr = refusing_address().await;
    let url = Url::parse(&format!("http://{addr}{THINGS}")).unwrap();
    let error = engine(quick().max_attempts(3))
        .send(create(url))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(!error.may_have_been_applied());
}

#[tokio::test]
async fn a_huge_retry_after_fails_at_once_with_throttled_and_pauses_nobody() {
    let server = TestServer::start().await;
    server.script(
        "GET",
        THINGS,
        [Step::Reply(Reply::throttled("99999999999999999999999"))],
    );
    let engine = engine(
        quick()
            .max_retry_after(Duration::MAX)
            .max_elapsed(Duration::from_secs(2)),
    );
    let began = Instant::now();
    let error = engine.send(get(server.url(THINGS))).await.unwrap_err();
    match &error {
        Error::Throttled {
            attempts,
            retry_after,
            ..
        } => {
            assert_eq!(*attempts, 1);
            assert_eq!(*retry_after, Some(Duration::from_secs(u64::MAX)));
        }
        other => panic!("expected Error::Throttled, got {other:?}"),
    }
    // The request gave up, so the gate stayed open for the next one.
    engine.send(get(server.url(THINGS))).await.unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
    assert_eq!(server.count("GET", THINGS), 2);
}

#[tokio::test]
async fn a_policy_without_limits_survives_a_huge_retry_after() {
    let server = TestServer::start().await;
    server.script(
        "GET",
        THINGS,
        [Step::Reply(Reply::throttled("99999999999999999999"))],
    );
    let policy = RetryPolicy::standard()
        .max_attempts(u32::MAX)
        .max_elapsed(Duration::MAX)
        .max_retry_after(Duration::MAX)
        .initial_backoff(Duration::MAX)
        .max_backoff(Duration::MAX);
    let engine = std::sync::Arc::new(engine(policy));
    let waiting = {
        let engine = engine.clone();
        let url = server.url(THINGS);
        tokio::spawn(async move { engine.send(get(url)).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "neither a panic nor an error: it waits, as the server asked"
    );
    assert!(engine.gate.remaining() > Duration::from_secs(86_400 * 365));
    waiting.abort();
    assert_eq!(server.count("GET", THINGS), 1);
}

#[tokio::test]
async fn a_retry_after_of_zero_waits_the_floor() {
    let server = TestServer::start().await;
    server.script("GET", THINGS, [Step::Reply(Reply::throttled("0"))]);
    let began = Instant::now();
    engine(quick()).send(get(server.url(THINGS))).await.unwrap();
    let took = began.elapsed();
    assert!(
        took >= RetryPolicy::MIN_RETRY_AFTER && took < Duration::from_secs(2),
        "{took:?}"
    );
    assert_eq!(server.count("GET", THINGS), 2);
}

#[tokio::test]
async fn max_elapsed_bounds_the_attempt_in_flight() {
    let server = TestServer::start().await;
    let slow = Step::Delay(Duration::from_secs(5), Reply::json(200, r#"{"value":[]}"#));
    server.script("GET", THINGS, [slow.clone()]);
    server.script("POST", THINGS, [slow]);
    let budget = Duration::from_millis(700);
    let engine = engine_with(
        quick().max_elapsed(budget),
        Some(52),
        Duration::from_secs(10),
    );

    let began = Instant::now();
    let error = engine.send(get(server.url(THINGS))).await.unwrap_err();
    let took = began.elapsed();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        took >= budget && took < budget + Duration::from_millis(500),
        "the 10 s timeout was cut to the budget: {took:?}"
    );
    assert_eq!(server.count("GET", THINGS), 1, "no time left for a retry");

    let error = engine.send(create(server.url(THINGS))).await.unwrap_err();
    assert!(
        error.may_have_been_applied() && error.is_timeout(),
        "{error:?}"
    );
    assert_eq!(server.count("POST", THINGS), 1);
}

#[tokio::test]
async fn a_request_fails_fast_when_the_gate_outlasts_its_budget() {
    let server = TestServer::start().await;
    let engine = engine(
        quick()
            .max_elapsed(Duration::from_secs(2))
            .max_retry_after(Duration::from_secs(60)),
    );
    // A `$batch` part answered 429 with Retry-After: 8 closes the gate for 8 s.
    let mut headers = HeaderMap::new();
    headers.insert(RETRY_AFTER, HeaderValue::from_static("8"));
    assert_eq!(engine.report_throttling(&headers), Duration::from_secs(8));

    let began = Instant::now();
    let error = engine.send(get(server.url(THINGS))).await.unwrap_err();
    assert!(
        began.elapsed() < Duration::from_millis(200),
        "{:?}",
        began.elapsed()
    );
    match &error {
        Error::Throttled {
            attempts,
            retry_after,
            ..
        } => {
            assert_eq!(*attempts, 0, "never sent");
            assert_eq!(*retry_after, Some(Duration::from_secs(8)));
        }
        other => panic!("expected Error::Throttled, got {other:?}"),
    }
    assert!(error.to_string().contains("not sent"), "{error}");
    assert_eq!(server.count("GET", THINGS), 0);
}

#[tokio::test]
async fn a_throttled_request_that_retries_pauses_the_others() {
    let server = TestServer::start().await;
    server.script("GET", "/data/Slow", [Step::Reply(Reply::throttled("1"))]);
    let engine = std::sync::Arc::new(engine(quick()));
    let throttled = {
        let engine = engine.clone();
        let url = server.url("/data/Slow");
        tokio::spawn(async move { engine.send(get(url)).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let began = Instant::now();
    engine.send(get(server.url(THINGS))).await.unwrap();
    let held = began.elapsed();
    throttled.await.unwrap().unwrap();
    assert!(
        held >= Duration::from_millis(600),
        "the second request waited at the gate: {held:?}"
    );
}

#[tokio::test]
async fn retries_off_returns_the_first_429_and_pauses_nobody() {
    let server = TestServer::start().await;
    server.script("GET", THINGS, [Step::Reply(Reply::throttled("5"))]);
    let engine = engine(RetryPolicy::none());
    let began = Instant::now();
    let error = engine.send(get(server.url(THINGS))).await.unwrap_err();
    assert!(
        matches!(error, Error::Throttled { attempts: 1, .. }),
        "{error:?}"
    );
    engine.send(get(server.url(THINGS))).await.unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(1),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn an_interrupted_if_match_patch_answered_412_says_the_first_may_have_been_applied() {
    let server = TestServer::start().await;
    server.script(
        "PATCH",
        THINGS,
        [Step::ResetBeforeResponse, Step::Reply(Reply::status(412))],
    );
    let patch = Request::new(Method::PATCH, server.url(THINGS))
        .header(IF_MATCH, HeaderValue::from_static("W/\"1\""))
        .body("application/json", r#"{"Name":"x"}"#);
    let error = engine(quick()).send(patch).await.unwrap_err();
    assert_eq!(server.count("PATCH", THINGS), 2);
    let Error::PreconditionFailed(service) = &error else {
        panic!("expected Error::PreconditionFailed, got {error:?}");
    };
    assert!(service.earlier_attempt_interrupted);
    assert!(error.may_have_been_applied());
    assert!(
        error.to_string().contains("may have been applied"),
        "{error}"
    );
}

#[tokio::test]
async fn an_interrupted_delete_answered_404_says_so_and_a_plain_412_does_not() {
    let server = TestServer::start().await;
    server.script(
        "DELETE",
        THINGS,
        [Step::ResetBeforeResponse, Step::Reply(Reply::status(404))],
    );
    let error = engine(quick())
        .send(Request::new(Method::DELETE, server.url(THINGS)))
        .await
        .unwrap_err();
    assert!(
        error.is_not_found() && error.may_have_been_applied(),
        "{error:?}"
    );

    server.script("PATCH", THINGS, [Step::Reply(Reply::status(412))]);
    let patch = Request::new(Method::PATCH, server.url(THINGS))
        .header(IF_MATCH, HeaderValue::from_static("W/\"1\""));
    let error = engine(quick()).send(patch).await.unwrap_err();
    assert!(
        matches!(error, Error::PreconditionFailed(_)) && !error.may_have_been_applied(),
        "{error:?}"
    );

    // A read is never said to have applied anything.
    server.script(
        "GET",
        THINGS,
        [Step::ResetBeforeResponse, Step::Reply(Reply::status(404))],
    );
    let error = engine(quick())
        .send(get(server.url(THINGS)))
        .await
        .unwrap_err();
    assert!(error.is_not_found() && !error.may_have_been_applied());
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = TestServer::start().await;
    server.script("GET", THINGS, [Step::Reply(Reply::status(400))]);
    let error = engine(quick())
        .send(get(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(400));
    assert_eq!(server.count("GET", THINGS), 1);
}

#[tokio::test]
async fn a_persistent_503_ends_after_max_attempts() {
    let server = TestServer::start().await;
    server.default_reply("GET", THINGS, Reply::status(503));
    let error = engine(quick().max_attempts(3))
        .send(get(server.url(THINGS)))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.count("GET", THINGS), 3);
}

#[tokio::test]
async fn a_caller_http_client_is_used_with_the_crate_headers_on_top() {
    let server = TestServer::start().await;
    let mut theirs = HeaderMap::new();
    theirs.insert("x-from-caller", HeaderValue::from_static("yes"));
    let http = reqwest::Client::builder()
        .no_proxy()
        .default_headers(theirs)
        .build()
        .unwrap();
    let client = crate::Client::builder(server.url("/").as_str())
        .allow_http_loopback()
        .bearer_token("t0ken")
        .http_client(http)
        .build()
        .unwrap();
    let url = client.service_root().join("Things").unwrap();
    client.transport().send(get(url)).await.unwrap();
    let sent = &server.received()[0];
    assert_eq!(sent.path, THINGS);
    assert_eq!(sent.header("x-from-caller"), Some("yes"));
    assert_eq!(sent.header("odata-version"), Some("4.0"));
    assert_eq!(sent.header("authorization"), Some("Bearer t0ken"));
    assert!(sent.header(CLIENT_REQUEST_ID.as_str()).is_some());
    assert_eq!(
        sent.header("user-agent"),
        None,
        "the caller's client keeps its own User-Agent (none)"
    );
}

#[tokio::test]
async fn the_default_client_sends_the_crate_user_agent() {
    let server = TestServer::start().await;
    let client = crate::Client::builder(server.url("/").as_str())
        .allow_http_loopback()
        .build()
        .unwrap();
    let url = client.service_root().join("Things").unwrap();
    client.transport().send(get(url)).await.unwrap();
    let agent = server.received()[0].header("user-agent").map(str::to_owned);
    assert!(
        agent
            .as_deref()
            .is_some_and(|a| a.starts_with("d365fo-odata/")),
        "{agent:?}"
    );
}

#[tokio::test]
async fn concurrency_limit_bounds_the_requests_in_flight() {
    let server = TestServer::start().await;
    let slow = Step::Delay(
        Duration::from_millis(200),
        Reply::json(200, r#"{"value":[]}"#),
    );
    server.script("GET", THINGS, std::iter::repeat_n(slow, 9));
    let limit = 3;
    let engine = std::sync::Arc::new(engine_with(quick(), Some(limit), Duration::from_secs(5)));
    let began = Instant::now();
    let tasks: Vec<_> = (0..9)
        .map(|_| {
            let engine = engine.clone();
            let url = server.url(THINGS);
            tokio::spawn(async move { engine.send(get(url)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(
        engine.limits().max_in_flight(),
        limit,
        "never more than the limit, and the limit reached"
    );
    assert!(
        began.elapsed() >= Duration::from_millis(600),
        "9 slow requests, 3 at a time, took {:?}",
        began.elapsed()
    );
}

/// 200 concurrent reads while 20% of them get 429 with `Retry-After: 1`. Prints the numbers;
/// run with `cargo test -p d365fo-odata --lib measure_ -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement, prints numbers"]
async fn measure_200_reads_with_20_percent_throttled() {
    async fn run(engine: &std::sync::Arc<Transport>, url: &Url, reads: usize) -> (usize, Duration) {
        let began = Instant::now();
        let tasks: Vec<_> = (0..reads)
            .map(|_| {
                let engine = engine.clone();
                let url = url.clone();
                tokio::spawn(async move { engine.send(get(url)).await })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            ok += usize::from(task.await.unwrap().is_ok());
        }
        (ok, began.elapsed())
    }
    let reads = 200;
    let server = TestServer::start().await;
    let url = server.url(THINGS);
    let engine = std::sync::Arc::new(engine(RetryPolicy::standard()));
    run(&engine, &url, reads).await; // warm the connection pool
    let (_, before) = run(&engine, &url, reads).await;
    server.script(
        "GET",
        THINGS,
        std::iter::repeat_n(Step::Reply(Reply::throttled("1")), reads / 5),
    );
    let (ok, took) = run(&engine, &url, reads).await;
    #[allow(clippy::print_stdout, reason = "a measurement prints its numbers")]
    {
        println!("reads: {reads}, 429s injected: {}", reads / 5);
        println!("completed: {ok}/{reads}");
        println!("without faults: {before:?}; with faults: {took:?} (minimum: one 1 s pause)");
        println!(
            "max in flight: {} (limit 52)",
            engine.limits().max_in_flight()
        );
    }
    assert_eq!(ok, reads);
}
