//! Retries of reads against the sandbox: transient failures (503, a connection cut mid-body) are
//! retried, client errors are not, a persistent failure ends after the attempt budget, and every
//! retry shows up in `tracing`. Every fault is tagged with the test's own tag.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use d365fo_odata::{Client, RetryPolicy};
use d365fo_sandbox::{Fault, Sandbox, TAG_HEADER};
use futures::TryStreamExt;

fn client(tag: &str, policy: RetryPolicy) -> Client {
    let sandbox = Sandbox::shared();
    Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .default_header(TAG_HEADER, tag)
        .unwrap()
        .retry_policy(policy)
        .build()
        .unwrap()
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

/// Reads the first page of `entity_set` with at most `top` rows; returns its row count.
async fn read(client: &Client, entity_set: &str, top: u64) -> d365fo_odata::Result<usize> {
    let mut pages = client
        .query(entity_set)
        .top(top)
        .pages::<serde_json::Value>();
    Ok(pages.try_next().await?.map_or(0, |page| page.rows.len()))
}

#[tokio::test]
async fn a_read_is_retried_after_503() {
    let tag = "retry-503";
    let client = client(tag, quick());
    fault(Fault::status(503).times(2).tagged(tag));
    assert_eq!(read(&client, "CustomerGroups", 3).await.unwrap(), 3);
}

#[tokio::test]
async fn a_read_is_retried_after_the_connection_is_cut_mid_body() {
    let tag = "retry-reset";
    let client = client(tag, quick());
    fault(Fault::reset().tagged(tag));
    assert_eq!(read(&client, "CustomersV3", 500).await.unwrap(), 500);
}

#[tokio::test]
async fn a_persistent_503_ends_after_max_attempts() {
    let tag = "retry-503-forever";
    let client = client(tag, quick().max_attempts(3));
    fault(Fault::status(503).always().tagged(tag));
    let began = Instant::now();
    let error = read(&client, "CustomerGroups", 1).await.unwrap_err();
    assert_eq!(error.status(), Some(503), "{error:?}");
    assert!(
        began.elapsed() < Duration::from_secs(3),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let tag = "retry-400";
    let client = client(tag, quick());
    // Hits once: a retry would succeed.
    fault(Fault::status(400).tagged(tag));
    let error = read(&client, "CustomerGroups", 1).await.unwrap_err();
    assert_eq!(error.status(), Some(400), "{error:?}");
}

#[tokio::test]
async fn retries_off_returns_the_first_503() {
    let tag = "retry-off";
    let client = client(tag, RetryPolicy::none());
    fault(Fault::status(503).tagged(tag));
    let error = read(&client, "CustomerGroups", 1).await.unwrap_err();
    assert_eq!(error.status(), Some(503), "{error:?}");
}

#[tokio::test]
async fn every_retry_is_logged_inside_the_request_span() {
    let tag = "retry-traced";
    let client = client(tag, quick());
    fault(Fault::status(503).times(2).tagged(tag));
    let log = Log::default();
    let _guard = tracing::subscriber::set_default(log.clone());
    read(&client, "CustomerGroups", 1).await.unwrap();
    let lines = log.lines.lock().unwrap().clone();
    let retries: Vec<&String> = lines.iter().filter(|l| l.contains("retrying")).collect();
    assert_eq!(retries.len(), 2, "{lines:#?}");
    assert!(
        retries.iter().all(|l| l.starts_with("odata.request: ")),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("span odata.request")
            && l.contains("method=GET")
            && l.contains("/data/CustomerGroups")),
        "{lines:#?}"
    );
}

/// A minimal `tracing` subscriber that keeps events (prefixed with the current span's name) and
/// new spans (with their fields) as lines, for the current thread.
#[derive(Clone, Default)]
struct Log {
    lines: Arc<Mutex<Vec<String>>>,
    spans: Arc<Mutex<Vec<&'static str>>>,
    current: Arc<Mutex<Vec<u64>>>,
}

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(&format!(" {}={value}", field.name()));
    }
}

impl tracing::Subscriber for Log {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut fields = Fields(String::new());
        span.record(&mut fields);
        let mut spans = self.spans.lock().unwrap();
        spans.push(span.metadata().name());
        self.lines
            .lock()
            .unwrap()
            .push(format!("span {}{}", span.metadata().name(), fields.0));
        tracing::span::Id::from_u64(spans.len() as u64)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        let span = self
            .current
            .lock()
            .unwrap()
            .last()
            .map_or("", |id| self.spans.lock().unwrap()[*id as usize - 1]);
        self.lines
            .lock()
            .unwrap()
            .push(format!("{span}:{}", fields.0));
    }
    fn enter(&self, span: &tracing::span::Id) {
        self.current.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, _: &tracing::span::Id) {
        self.current.lock().unwrap().pop();
    }
}
