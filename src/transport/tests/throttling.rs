//! Throttling: `Retry-After` waits and their floor, the budgets that bound them, and the gate
//! that pauses every request of the client while one waits.

use super::*;

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
