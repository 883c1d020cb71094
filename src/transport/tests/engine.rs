//! The engine's HTTP client: a caller's `reqwest::Client`, the crate's headers on top, and the
//! concurrency limit.

use super::*;

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
