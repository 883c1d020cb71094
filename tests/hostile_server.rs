//! The client against a hostile loopback server (`common/hostile.rs`): endless and oversized
//! bodies, redirects out of bounds, a paging link that loops, secrets that must not surface in
//! errors, `Debug` output or log events. Every test bounds its loops in count and time.

#[path = "common/hostile.rs"]
mod hostile;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use d365fo_odata::{Client, Error, RetryPolicy};
use futures::StreamExt as _;
use hostile::{Received, Reply, Server};

/// A client for `server` without retries, with a short timeout.
fn client(server: &Server) -> d365fo_odata::ClientBuilder {
    Client::builder(server.url(""))
        .allow_http_loopback()
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_secs(20))
}

/// The process's peak resident set size in bytes (Linux `VmHWM`).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

const MIB: u64 = 1024 * 1024;

/// A 200 whose body never ends (bounded here at 1 GiB) is refused once it passes the client's
/// limit; the client's memory stays near the limit.
#[tokio::test]
async fn an_endless_success_body_fails_at_the_limit_with_bounded_memory() {
    let server = Server::start(|_, _| Reply::Stream {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        prefix: br#"{"value":[""#.to_vec(),
        limit: 1024 * MIB,
        hold: Duration::ZERO,
    })
    .await;
    let client = client(&server).max_response_size(16 * MIB).build().unwrap();
    let started = Instant::now();
    let error = client
        .query("Things")
        .collect_all::<serde_json::Value>(10)
        .await
        .unwrap_err();
    match &error {
        Error::ResponseTooLarge {
            limit, declared, ..
        } => {
            assert_eq!(*limit, 16 * MIB);
            assert_eq!(*declared, None);
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert!(error.to_string().contains("max_response_size"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(15));
    // The server could push what fits into socket buffers past the limit, not the whole GiB.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        server.written() < 16 * MIB + 64 * MIB,
        "{} bytes were read",
        server.written()
    );
    if let Some(peak) = peak_rss() {
        assert!(peak < 400 * MIB, "peak RSS {} MiB", peak / MIB);
    }
}

/// A body that declares more than the limit is refused before it is read.
#[tokio::test]
async fn a_declared_oversized_success_body_is_refused_unread() {
    let server = Server::start(|_, _| Reply::Stream {
        status: 200,
        headers: vec![("Content-Length".into(), (600 * MIB).to_string())],
        prefix: Vec::new(),
        limit: MIB,
        hold: Duration::from_secs(10),
    })
    .await;
    let client = client(&server).build().unwrap();
    let started = Instant::now();
    let error = client
        .query("Things")
        .first::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::ResponseTooLarge {
                declared: Some(d),
                limit: d365fo_odata::DEFAULT_MAX_RESPONSE_SIZE,
                ..
            } if d == 600 * MIB
        ),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// An error body that never ends: only its start is read, and the error says it was cut.
#[tokio::test]
async fn an_endless_error_body_is_read_only_in_part() {
    let server = Server::start(|_, _| Reply::Stream {
        status: 500,
        headers: vec![("Content-Type".into(), "text/html".into())],
        prefix: b"<html><h1>broken proxy</h1>".to_vec(),
        limit: 1024 * MIB,
        hold: Duration::ZERO,
    })
    .await;
    let client = client(&server).build().unwrap();
    let started = Instant::now();
    let error = client
        .query("Things")
        .first::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500), "{error:?}");
    let shown = error.to_string();
    assert!(shown.contains("broken proxy"), "{shown}");
    assert!(shown.contains("error body cut"), "{shown}");
    assert!(started.elapsed() < Duration::from_secs(10));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(server.written() < 64 * MIB, "{} bytes", server.written());
}

/// An error body that declares 512 MB and sends 1 MiB, then stalls: the client answers with
/// what it read, without waiting for the rest.
#[tokio::test]
async fn a_512_mb_declared_error_body_does_not_hold_the_client() {
    let server = Server::start(|_, _| Reply::Stream {
        status: 500,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Content-Length".into(), (512 * MIB).to_string()),
        ],
        prefix: br#"{"error":{"code":"","message":""#.to_vec(),
        limit: MIB,
        hold: Duration::from_secs(25),
    })
    .await;
    let client = client(&server).build().unwrap();
    let started = Instant::now();
    let error = client
        .query("Things")
        .first::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500), "{error:?}");
    assert!(error.to_string().contains("error body cut"), "{error}");
    assert!(
        error.to_string().len() < 16 * 1024,
        "{} bytes",
        error.to_string().len()
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// Redirects to plain http on a remote host, to another scheme, and one hop too many are
/// refused with a typed error; no hop carries a `Referer` (the previous URL with its query).
#[tokio::test]
async fn redirects_out_of_the_crates_rules_are_refused() {
    for location in [
        "http://example.invalid/data/Things",
        "ftp://127.0.0.1/data/Things",
    ] {
        let server = Server::start(move |_, _| Reply::redirect(302, location)).await;
        let error = client(&server)
            .build()
            .unwrap()
            .query("Things")
            .first::<serde_json::Value>()
            .await
            .unwrap_err();
        match &error {
            Error::Redirect {
                location: to,
                reason,
                ..
            } => {
                assert_eq!(to, location);
                assert!(!reason.is_empty());
            }
            other => panic!("{location}: expected Redirect, got {other:?}"),
        }
    }
    // A server that redirects to itself forever: at most MAX_REDIRECTS hops.
    let server = Server::start(|request: &Received, port| {
        let n: u32 = request
            .target
            .rsplit_once("hop=")
            .and_then(|(_, n)| n.parse().ok())
            .unwrap_or(0);
        Reply::redirect(
            302,
            format!("http://127.0.0.1:{port}/data/Things?hop={}", n + 1),
        )
    })
    .await;
    let error = client(&server)
        .build()
        .unwrap()
        .query("Things")
        .first::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Redirect { reason, .. } if reason.contains("more than 10")),
        "{error:?}"
    );
    assert_eq!(server.received().len(), d365fo_odata::MAX_REDIRECTS + 1);
    assert!(
        server
            .received()
            .iter()
            .all(|r| r.header("referer").is_none()),
        "a Referer (the previous URL, query included) went along: {:?}",
        server.received()
    );
}

/// A 307 answer to a POST that points at another origin is not followed: the other server
/// receives nothing, the body stays where it was sent.
#[tokio::test]
async fn a_307_to_another_origin_does_not_resend_the_body() {
    let elsewhere = Server::start(|_, _| Reply::json(201, r#"{"MessageId":"x"}"#)).await;
    let target = elsewhere.url("/api/connector/enqueue/x");
    let server = Server::start(move |_, _| Reply::redirect(307, target.clone())).await;
    let job = client(&server)
        .bearer_token("t0ken-value")
        .build()
        .unwrap()
        .recurring_job("{6D31E09F-0249-459F-94F0-AAD9C2C47B64}")
        .unwrap();
    let error = job
        .enqueue(b"secret payload".to_vec())
        .entity("Customer groups")
        .send()
        .await
        .unwrap_err();
    match &error {
        Error::Redirect {
            method, location, ..
        } => {
            assert_eq!(method, "POST");
            assert!(location.contains(&elsewhere.port.to_string()), "{location}");
        }
        other => panic!("expected Redirect, got {other:?}"),
    }
    assert_eq!(server.received().len(), 1);
    assert_eq!(server.received()[0].body, b"secret payload");
    assert!(
        elsewhere.received().is_empty(),
        "the other origin received {:?}",
        elsewhere.received()
    );
}

/// A redirect to another origin is not followed by a client with an API key among its default
/// headers (reqwest would carry it along; it only drops `Authorization` and cookies).
#[tokio::test]
async fn a_credential_default_header_never_follows_a_redirect_to_another_origin() {
    let elsewhere = Server::start(|_, _| Reply::json(200, r#"{"value":[]}"#)).await;
    let target = elsewhere.url("/data/Things");
    let server = Server::start(move |_, _| Reply::redirect(302, target.clone())).await;
    let error = client(&server)
        .default_header("x-api-key", "K3YVALUE")
        .unwrap()
        .build()
        .unwrap()
        .query("Things")
        .first::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Redirect { reason, .. } if reason.contains("x-api-key")),
        "{error:?}"
    );
    assert!(
        !format!("{error} {error:?}").contains("K3YVALUE"),
        "{error:?}"
    );
    assert!(
        elsewhere.received().is_empty(),
        "the other origin received {:?}",
        elsewhere.received()
    );
}

/// A next link that points at the page itself ends the read after one page.
#[tokio::test]
async fn a_self_referential_next_link_fails_after_one_page() {
    let server = Server::start(|request: &Received, port| {
        let link = format!("http://127.0.0.1:{port}{}", request.target);
        Reply::json(
            200,
            format!(r#"{{"value":[{{"A":1}}],"@odata.nextLink":"{link}"}}"#),
        )
    })
    .await;
    let client = client(&server).build().unwrap();
    let pages: Vec<_> = client
        .query("Things")
        .pages::<serde_json::Value>()
        .take(50)
        .collect()
        .await;
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert_eq!(pages[0].as_ref().unwrap().rows.len(), 1);
    match &pages[1] {
        Err(Error::NextLinkLoop { pages, .. }) => assert_eq!(*pages, 1),
        other => panic!("expected NextLinkLoop, got {other:?}"),
    }
    assert_eq!(server.received().len(), 1);
    // collect_all stops on it too, whatever its cap.
    let error = client
        .query("Things")
        .collect_all::<serde_json::Value>(1_000_000)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NextLinkLoop { .. }), "{error:?}");
}

/// A `GetAzureWriteUrl` answer of unexpected shape: the decode error quotes what it got, but
/// never the SAS signature.
#[tokio::test]
async fn a_malformed_write_url_answer_does_not_leak_the_signature() {
    let server = Server::start(|_, _| {
        Reply::json(
            200,
            r#"{"value":"\"https://acct.blob.core.windows.net/dmf/p.zip?sv=2014-02-14&sr=b&sig=S3CR3TS1GNATURE&se=2030-01-01&sp=rw\""}"#,
        )
    })
    .await;
    let error = client(&server)
        .build()
        .unwrap()
        .dmf()
        .azure_write_url("p.zip")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    let shown = format!("{error}\n{error:?}");
    assert!(!shown.contains("S3CR3TS1GNATURE"), "{shown}");
    assert!(shown.contains("sig=REDACTED"), "{shown}");
}

/// Events captured from every test of this binary (a global subscriber: call-site interest is
/// cached process-wide, so a scoped one would miss events).
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

struct Text<'a>(&'a mut String);

impl tracing::field::Visit for Text<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl tracing::Subscriber for Events {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = format!("{}:", event.metadata().level());
        event.record(&mut Text(&mut text));
        let mut events = self.0.lock().unwrap();
        if events.len() < 10_000 {
            events.push(text);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn events() -> &'static Events {
    static EVENTS: OnceLock<Events> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let events = Events::default();
        tracing::subscriber::set_global_default(events.clone()).expect("first subscriber");
        events
    })
}

/// A retried 500 on a URL with secret query values, whose body quotes the URL and is huge: the
/// retrying and giving-up events name neither the secrets nor more than a few KiB of the body.
#[tokio::test]
async fn retry_log_events_hold_no_secret_and_are_bounded() {
    let events = events();
    let server = Server::start(|request: &Received, port| {
        let message = format!(
            "failed for http://127.0.0.1:{port}{} {}",
            request.target,
            "y".repeat(2 * 1024 * 1024)
        );
        Reply::json(
            500,
            serde_json::json!({"error": {"code": "", "message": message}}).to_string(),
        )
    })
    .await;
    let marker = format!("127.0.0.1:{}", server.port);
    let policy = RetryPolicy::standard()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(20));
    let error = client(&server)
        .retry_policy(policy)
        .build()
        .unwrap()
        .query("Things")
        .option("code", "C0DES3CR3T")
        .option("access_token", "T0KENS3CR3T")
        .first::<serde_json::Value>()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(server.received().len(), 3);
    let shown = format!("{error}\n{error:?}");
    assert!(
        !shown.contains("C0DES3CR3T") && !shown.contains("T0KENS3CR3T"),
        "{}",
        &shown[..shown.len().min(4000)]
    );
    assert!(
        error.to_string().len() < 16 * 1024,
        "{}",
        error.to_string().len()
    );
    let ours: Vec<String> = events
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.contains(&marker))
        .cloned()
        .collect();
    assert!(
        ours.iter().any(|e| e.contains("retrying")),
        "no retrying event: {ours:?}"
    );
    assert!(
        ours.iter().any(|e| e.contains("giving up")),
        "no giving-up event: {ours:?}"
    );
    for event in &ours {
        assert!(
            !event.contains("C0DES3CR3T") && !event.contains("T0KENS3CR3T"),
            "{}",
            &event[..event.len().min(4000)]
        );
        assert!(event.len() < 16 * 1024, "an event of {} bytes", event.len());
    }
}

/// `Debug` of a builder and a client with an `Authorization` (and an API key) default header
/// shows neither value.
#[test]
fn debug_output_hides_default_header_credentials() {
    let builder = Client::builder("https://env.operations.dynamics.com")
        .default_header("Authorization", "Bearer S3CR3TT0KEN")
        .unwrap()
        .default_header("Ocp-Apim-Subscription-Key", "K3YVALUE")
        .unwrap()
        .default_header("x-trace", "visible-value")
        .unwrap()
        .bearer_token("BEARERVALUE");
    let shown = format!("{builder:?}");
    for secret in ["S3CR3TT0KEN", "K3YVALUE", "BEARERVALUE"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("visible-value"), "{shown}");
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    for secret in ["S3CR3TT0KEN", "K3YVALUE", "BEARERVALUE"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

/// A `user:password@` environment URL is refused (it sent the password as a second
/// `Authorization` header), and the error does not show the password.
#[test]
fn user_information_in_the_environment_url_is_refused() {
    let error = Client::builder("https://svc:P4SSW0RD@env.operations.dynamics.com")
        .bearer_token("t")
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(
        !format!("{error} {error:?}").contains("P4SSW0RD"),
        "{error:?}"
    );
}

/// Measurement, run by hand: the client reads an endless 200 body with the limit given in
/// `HOSTILE_LIMIT_MIB` (default: the crate default, 256 MiB) and reports the process's peak RSS.
/// `cargo test --release --test hostile_server -- --ignored --nocapture measure_` (or the test
/// binary under `/usr/bin/time -v`).
#[tokio::test]
#[ignore = "a measurement; run by hand"]
async fn measure_peak_rss_for_an_endless_body() {
    let limit = std::env::var("HOSTILE_LIMIT_MIB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(d365fo_odata::DEFAULT_MAX_RESPONSE_SIZE, |m| m * MIB);
    let server = Server::start(|_, _| Reply::Stream {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        prefix: br#"{"value":[""#.to_vec(),
        limit: 4096 * MIB,
        hold: Duration::ZERO,
    })
    .await;
    let before = peak_rss().unwrap_or_default();
    let started = Instant::now();
    let error = client(&server)
        .max_response_size(limit)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
        .query("Things")
        .first::<serde_json::Value>()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let peak = peak_rss().unwrap_or_default();
    eprintln!(
        "limit {} MiB: {error}\npeak RSS before {} MiB, after {} MiB; server wrote {} MiB; {:.2} s",
        limit / MIB,
        before / MIB,
        peak / MIB,
        server.written() / MIB,
        elapsed.as_secs_f64()
    );
    assert!(matches!(error, Error::ResponseTooLarge { .. }), "{error:?}");
}
