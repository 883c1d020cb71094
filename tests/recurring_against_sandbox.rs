//! Recurring integrations against the sandbox's connector API: enqueue and status polling,
//! dequeue / download / acknowledge, redelivery of unacknowledged messages, and the errors.

mod common;

use std::time::Duration;

use common::sandbox_client;
use d365fo_odata::PollPolicy;
use d365fo_odata::recurring::{MessageId, MessageStatus, RecurringJob};
use d365fo_odata::{Client, Error};
use d365fo_sandbox::{Fault, Sandbox};
use serde_json::Value;

/// The sandbox's fixed import job that takes Customer groups files.
const FILE_IMPORT_JOB: &str = "{6D31E09F-0249-459F-94F0-AAD9C2C47B64}";
/// The sandbox's fixed import job that takes data packages.
const PACKAGE_IMPORT_JOB: &str = "{2B8E1F40-3C5D-4E6F-8A9B-0C1D2E3F4A5B}";

const GROUPS_FILE: &str =
    "CUSTOMERGROUPID,DESCRIPTION,PAYMENTTERMID\r\nRI-01,Recurring one,Net30\r\n";

fn quick() -> PollPolicy {
    PollPolicy::default()
        .first_delay(Duration::from_millis(50))
        .max_delay(Duration::from_millis(200))
        .timeout(Duration::from_secs(20))
}

/// Sends a request to the sandbox's control API and returns the JSON answer.
async fn control(method: reqwest::Method, path: &str, body: Value) -> Value {
    let url = format!("{}{path}", Sandbox::shared().base_url());
    let mut request = reqwest::Client::new().request(method, &url);
    if !body.is_null() {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_string());
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    assert!(
        status.is_success(),
        "{url}: {status} {}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).unwrap()
}

/// A new export job of the sandbox, private to one test, with the given visibility timeout.
async fn new_export_job(client: &Client, visibility_timeout: Duration) -> RecurringJob {
    let created = control(
        reqwest::Method::POST,
        "/_sandbox/recurring/jobs",
        serde_json::json!({
            "direction": "export",
            "entity": "Customer groups",
            "visibilityTimeoutMs": visibility_timeout.as_millis() as u64,
        }),
    )
    .await;
    client
        .recurring_job(created["activityId"].as_str().unwrap())
        .unwrap()
}

/// Has the sandbox produce an export file for `job`; returns its correlation id.
async fn export_file(job: &RecurringJob) -> String {
    let path = format!(
        "/_sandbox/recurring/jobs/%7B{}%7D/export",
        job.activity_id()
    );
    let made = control(reqwest::Method::POST, &path, serde_json::json!({})).await;
    made["correlationId"].as_str().unwrap().to_owned()
}

fn temp_file(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("d365fo-recurring-{}-{name}", std::process::id()))
}

#[tokio::test]
async fn an_enqueued_file_is_polled_until_processed() {
    let client = sandbox_client(None);
    let job = client.recurring_job(FILE_IMPORT_JOB).unwrap();
    let id = job
        .enqueue(GROUPS_FILE)
        .entity("Customer groups")
        .company("usmf")
        .external_id("batch-2026-11-23")
        .send()
        .await
        .unwrap();
    assert!(
        id.as_str().starts_with('{') && id.as_str().ends_with('}'),
        "{id}"
    );
    assert_eq!(
        job.message_status(&id).await.unwrap(),
        MessageStatus::Enqueued
    );
    let status = job.wait_for_status(&id, quick()).await.unwrap();
    assert_eq!(status, MessageStatus::Processed);
    let seen = control(
        reqwest::Method::GET,
        &format!("/_sandbox/recurring/messages/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(seen["externalId"], "batch-2026-11-23");
    assert_eq!(seen["company"], "usmf");
    assert_eq!(seen["rows"], 1);
}

#[tokio::test]
async fn a_bad_file_or_package_ends_with_a_failure_status() {
    let client = sandbox_client(None);
    let files = client.recurring_job(FILE_IMPORT_JOB).unwrap();
    let id = files
        .enqueue("NAME,DESCRIPTION\r\nx,y\r\n")
        .entity("Customer groups")
        .send()
        .await
        .unwrap();
    let status = files.wait_for_status(&id, quick()).await.unwrap();
    assert_eq!(status, MessageStatus::ProcessedWithErrors);
    assert!(status.is_failure());

    let packages = client.recurring_job(PACKAGE_IMPORT_JOB).unwrap();
    let id = packages
        .enqueue(&b"PK\x03\x04 not really a zip"[..])
        .send()
        .await
        .unwrap();
    assert!(
        packages
            .wait_for_status(&id, quick())
            .await
            .unwrap()
            .is_failure()
    );
}

#[tokio::test]
async fn waiting_gives_up_with_a_timeout_that_names_the_last_status() {
    let client = sandbox_client(None);
    let job = client.recurring_job(FILE_IMPORT_JOB).unwrap();
    let id = job
        .enqueue(GROUPS_FILE)
        .entity("Customer groups")
        .send()
        .await
        .unwrap();
    let wait = PollPolicy::default().timeout(Duration::ZERO);
    let e = job.wait_for_status(&id, wait).await.unwrap_err();
    let Error::Timeout { url, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(url.contains("GetMessageStatus"), "{url}");
    assert!(url.contains("last status Enqueued"), "{url}");
    assert!(url.contains(id.as_str()), "{url}");
}

#[tokio::test]
async fn the_export_cycle_dequeues_downloads_and_acknowledges_until_the_queue_is_empty() {
    let client = sandbox_client(None);
    let job = new_export_job(&client, Duration::from_secs(1800)).await;
    assert!(
        job.dequeue().await.unwrap().is_none(),
        "a new job's queue is empty"
    );
    let first = export_file(&job).await;
    let second = export_file(&job).await;

    let message = job.dequeue().await.unwrap().expect("a queued message");
    assert_eq!(message.correlation_id, first);
    assert!(message.has_file);
    assert!(
        message
            .download_location
            .contains("/api/connector/download/"),
        "{}",
        message.download_location
    );
    let path = temp_file("first.csv");
    let written = job.download_to_file(&message, &path).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(written, text.len() as u64);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "CUSTOMERGROUPID,DESCRIPTION,PAYMENTTERMID");
    let groups = Sandbox::seed_counts()
        .unwrap()
        .rows("CustomerGroups", "usmf")
        .unwrap();
    assert_eq!(lines.len() as u64, groups + 1, "{text}");
    assert_eq!(
        job.message_status(&MessageId::new(&first)).await.unwrap(),
        MessageStatus::Dequeued
    );
    job.ack(&message).await.unwrap();
    assert_eq!(
        job.message_status(&MessageId::new(&first)).await.unwrap(),
        MessageStatus::Acked
    );

    let message = job.dequeue().await.unwrap().expect("the second message");
    assert_eq!(message.correlation_id, second);
    let mut in_memory: Vec<u8> = Vec::new();
    let written = job.download_to(&message, &mut in_memory).await.unwrap();
    assert_eq!(written, in_memory.len() as u64);
    assert_eq!(String::from_utf8(in_memory).unwrap(), text);
    job.ack(&message).await.unwrap();

    assert!(job.dequeue().await.unwrap().is_none(), "all acknowledged");
}

#[tokio::test]
async fn an_unacknowledged_message_is_handed_out_again_after_the_visibility_timeout() {
    let client = sandbox_client(None);
    let job = new_export_job(&client, Duration::from_millis(300)).await;
    let id = export_file(&job).await;
    let first = job.dequeue().await.unwrap().unwrap();
    assert_eq!(first.correlation_id, id);
    assert!(
        job.dequeue().await.unwrap().is_none(),
        "invisible while dequeued"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let again = job.dequeue().await.unwrap().expect("handed out again");
    assert_eq!(again.correlation_id, id);
    assert_ne!(again.pop_receipt, first.pop_receipt);

    // Only the latest dequeue can be acknowledged.
    let e = job.ack(&first).await.unwrap_err();
    assert_eq!(e.status(), Some(400), "{e:?}");
    assert!(e.to_string().contains("pop receipt"), "{e}");
    job.ack(&again).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(job.dequeue().await.unwrap().is_none());
}

#[tokio::test]
async fn a_download_location_on_another_host_is_refused() {
    // The client talks to `localhost`; the sandbox writes download locations for 127.0.0.1.
    let sandbox = Sandbox::shared();
    let localhost = sandbox.base_url().replace("127.0.0.1", "localhost");
    let client = Client::builder(localhost)
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .build()
        .unwrap();
    let job = new_export_job(&client, Duration::from_secs(1800)).await;
    export_file(&job).await;
    let message = job.dequeue().await.unwrap().unwrap();
    let path = temp_file("refused.csv");
    let e = job.download_to_file(&message, &path).await.unwrap_err();
    assert!(matches!(e, Error::Config { .. }), "{e:?}");
    assert!(e.to_string().contains("host"), "{e}");
    assert!(!path.exists(), "no partial file is left behind");
}

#[tokio::test]
async fn a_download_cut_off_mid_body_is_a_transport_error_and_leaves_no_file() {
    let sandbox = Sandbox::shared();
    let client = sandbox_client(None);
    let job = new_export_job(&client, Duration::from_secs(1800)).await;
    export_file(&job).await;
    let message = job.dequeue().await.unwrap().unwrap();
    let path = temp_file("cut.csv");
    std::fs::write(&path, "an earlier download").unwrap();
    sandbox
        .add_fault(
            &Fault::reset()
                .method("GET")
                .path_contains(format!("correlation-id={}", message.correlation_id)),
        )
        .unwrap();
    let e = job.download_to_file(&message, &path).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "an earlier download",
        "the earlier file is untouched"
    );
    let mut part = path.clone().into_os_string();
    part.push(".part");
    assert!(!std::path::Path::new(&part).exists(), "no partial file");

    // The message is still there to download again.
    let written = job.download_to_file(&message, &path).await.unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), written);
    std::fs::remove_file(&path).unwrap();
    job.ack(&message).await.unwrap();
}

#[tokio::test]
async fn unknown_and_malformed_activity_ids_are_typed_errors() {
    let client = sandbox_client(None);
    let e = client.recurring_job("not-a-guid").unwrap_err();
    assert!(matches!(e, Error::Config { .. }), "{e:?}");

    let unknown = client
        .recurring_job("00000000-1111-2222-3333-444444444444")
        .unwrap();
    let e = unknown.dequeue().await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert!(
        e.to_string()
            .contains("{00000000-1111-2222-3333-444444444444}"),
        "{e}"
    );
    let e = unknown.enqueue(GROUPS_FILE).send().await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");

    // A file job needs the entity name; an import job cannot be dequeued from.
    let files = client.recurring_job(FILE_IMPORT_JOB).unwrap();
    let e = files.enqueue(GROUPS_FILE).send().await.unwrap_err();
    assert_eq!(e.status(), Some(400), "{e:?}");
    assert!(e.to_string().contains("entity"), "{e}");
    let e = files.dequeue().await.unwrap_err();
    assert_eq!(e.status(), Some(400), "{e:?}");

    let e = files
        .message_status(&MessageId::new("{11111111-2222-3333-4444-555555555555}"))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

#[tokio::test]
async fn the_connector_needs_the_token() {
    let client = Client::builder(Sandbox::shared().base_url())
        .allow_http_loopback()
        .build()
        .unwrap();
    let e = client
        .recurring_job(FILE_IMPORT_JOB)
        .unwrap()
        .enqueue(GROUPS_FILE)
        .entity("Customer groups")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Auth(_)), "{e:?}");
}

#[tokio::test]
async fn a_throttled_enqueue_is_sent_again_and_enqueues_once() {
    let sandbox = Sandbox::shared();
    let tag = format!("recurring-429-{}", std::process::id());
    sandbox
        .add_fault(
            &Fault::throttle("1")
                .method("POST")
                .path_contains("/api/connector/enqueue/")
                .tagged(&tag),
        )
        .unwrap();
    let client = Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .default_header(d365fo_sandbox::TAG_HEADER, &tag)
        .unwrap()
        .build()
        .unwrap();
    let job = client.recurring_job(FILE_IMPORT_JOB).unwrap();
    let external = format!("throttled-{tag}");
    let id = job
        .enqueue(GROUPS_FILE)
        .entity("Customer groups")
        .external_id(&external)
        .send()
        .await
        .unwrap();
    let faults = control(reqwest::Method::GET, "/_sandbox/faults", Value::Null).await;
    let hits: u64 = faults["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.to_string().contains(&tag))
        .map(|r| r["hits"].as_u64().unwrap())
        .sum();
    assert_eq!(hits, 1, "the first attempt was throttled: {faults}");
    let enqueued = control(
        reqwest::Method::GET,
        &format!("/_sandbox/recurring/messages?externalId={external}"),
        Value::Null,
    )
    .await;
    let messages = enqueued["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{enqueued}");
    assert_eq!(messages[0]["id"], id.as_str().trim_matches(['{', '}']));
    assert_eq!(
        job.wait_for_status(&id, quick()).await.unwrap(),
        MessageStatus::Processed
    );
}
