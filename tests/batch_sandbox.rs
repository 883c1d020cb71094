//! `$batch` against the sandbox: typed results for reads and change sets, atomic rollback in
//! F&O's answer shape and in the spec/CAP shape, absolute and relative inner URLs, Content-ID
//! references, chunking along change-set boundaries, a throttled batch retried, writes never
//! sent twice without proof, and progress reports that survive a failed or dropped send.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use d365fo_odata::edm::key_predicate;
use d365fo_odata::profile::Fno;
use d365fo_odata::{
    BatchError, ChunkProgress, Client, ETag, Entity, EntityKey, Error, OperationStatus,
};
use d365fo_sandbox::{Fault, SHARED_TOKEN, Sandbox, TAG_HEADER, Wire};
use serde::Deserialize;
use serde_json::json;

use common::fno::{CustomerV3, CustomerV3Key};
use common::sandbox_client;

#[derive(Debug, Clone, Deserialize)]
struct SalesOrderHeaderV2 {
    #[serde(rename = "dataAreaId")]
    data_area_id: String,
    #[serde(rename = "SalesOrderNumber")]
    sales_order_number: String,
    #[serde(rename = "SalesOrderName")]
    sales_order_name: Option<String>,
}

struct SalesOrderKey(String);

impl EntityKey for SalesOrderKey {
    fn write_predicate(&self, out: &mut String) {
        out.push_str(&key_predicate(&[
            ("dataAreaId", &"usmf"),
            ("SalesOrderNumber", &self.0.as_str()),
        ]));
    }
}

impl Entity for SalesOrderHeaderV2 {
    const ENTITY_SET: &'static str = "SalesOrderHeadersV2";
    const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2";
    type Key = SalesOrderKey;
    type Profile = Fno;
}

#[derive(Debug, Clone, Deserialize)]
struct SalesOrderLine {
    #[serde(rename = "InventoryLotId")]
    inventory_lot_id: String,
    #[serde(rename = "SalesOrderNumber")]
    sales_order_number: Option<String>,
}

struct LotKey(String);

impl EntityKey for LotKey {
    fn write_predicate(&self, out: &mut String) {
        out.push_str(&key_predicate(&[
            ("dataAreaId", &"usmf"),
            ("InventoryLotId", &self.0.as_str()),
        ]));
    }
}

impl Entity for SalesOrderLine {
    const ENTITY_SET: &'static str = "SalesOrderLines";
    const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.SalesOrderLine";
    type Key = LotKey;
    type Profile = Fno;
}

/// A key no other test or run uses, short enough for F&O's 20-character order and lot numbers
/// with a `-4-L2` suffix.
fn unique() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let salt = (std::process::id() << 12) ^ nanos;
    format!(
        "B{:07x}{:02x}",
        salt & 0x0fff_ffff,
        N.fetch_add(1, Ordering::Relaxed) & 0xff
    )
}

fn header(number: &str) -> serde_json::Value {
    json!({"dataAreaId": "usmf", "SalesOrderNumber": number, "SalesOrderName": "batch test"})
}

fn line(lot: &str) -> serde_json::Value {
    json!({"dataAreaId": "usmf", "InventoryLotId": lot, "ItemNumber": "D0001"})
}

/// The sandbox answering in `wire`'s shapes: the shared one for F&O, a private one for CAP.
fn sandbox(wire: Wire) -> &'static Sandbox {
    static CAP: OnceLock<Sandbox> = OnceLock::new();
    match wire {
        Wire::Cap => CAP.get_or_init(|| {
            Sandbox::builder()
                .token(SHARED_TOKEN)
                .wire(Wire::Cap)
                .start()
                .expect("a sandbox with the CAP wire shapes")
        }),
        _ => Sandbox::shared(),
    }
}

/// A client for `wire`'s sandbox whose requests carry `tag` (for tagged faults and counters).
fn client(wire: Wire, tag: &str) -> Client {
    let sandbox = sandbox(wire);
    Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .default_header(TAG_HEADER, tag)
        .unwrap()
        .build()
        .unwrap()
}

/// `(batches, writes)`: multipart `$batch` requests with `tag` that reached the service, and
/// the write operations they held.
fn reached(wire: Wire, tag: &str) -> (u64, u64) {
    let authority = sandbox(wire).base_url().trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /_sandbox/batch/stats?tag={tag} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1;
    let stats: serde_json::Value = serde_json::from_str(body).unwrap();
    (
        stats["batches"].as_u64().unwrap(),
        stats["writes"].as_u64().unwrap(),
    )
}

async fn header_exists(client: &Client, number: &str) -> bool {
    let mut batch = client.batch();
    let read = batch.get_by_key::<SalesOrderHeaderV2>(&SalesOrderKey(number.to_owned()));
    let mut results = batch.send().await.unwrap();
    match results.take(read) {
        Ok(_) => true,
        Err(e) if e.is_not_found() => false,
        Err(e) => panic!("reading {number}: {e}"),
    }
}

#[tokio::test]
async fn line_created_against_content_id_reference_belongs_to_the_new_header() {
    let client = sandbox_client(None);
    let number = unique();
    let mut batch = client.batch();
    let mut cs = batch.change_set();
    let h = cs.create::<SalesOrderHeaderV2>(&header(&number));
    let l = cs.create_referencing::<SalesOrderLine, _>(
        h,
        "SalesOrderLines",
        &line(&format!("{number}-L1")),
    );
    let mut results = batch.send().await.unwrap();
    assert_eq!(results.round_trips(), 1);
    let created: SalesOrderHeaderV2 = results.take(h).unwrap();
    assert_eq!(created.sales_order_number, number);
    assert_eq!(created.data_area_id, "usmf");
    assert!(results.etag(l).is_some(), "a create returns the new ETag");
    let line: SalesOrderLine = results.take(l).unwrap();
    assert_eq!(
        line.sales_order_number.as_deref(),
        Some(number.as_str()),
        "the service linked the line to the header created at $1"
    );
    let again = results.take(h).unwrap_err();
    assert!(
        matches!(&again, Error::Batch(b) if matches!(**b, BatchError::AlreadyTaken { .. })),
        "{again}"
    );
}

/// A change set whose line reuses an existing lot id: the line gets the service's error, the
/// header is rolled back. F&O answers with a nested change set holding only the line's part
/// (500, `AxODataWriteException`); CAP with one 409 part in place of the change set.
async fn failing_line_rolls_back_the_header(wire: Wire) {
    let client = client(wire, &unique());
    let number = unique();
    let mut batch = client.batch();
    let mut cs = batch.change_set();
    let h = cs.create::<SalesOrderHeaderV2>(&header(&number));
    // A lot id of the seed: the key already exists, so this create fails.
    let l =
        cs.create_referencing::<SalesOrderLine, _>(h, "SalesOrderLines", &line("US-LOT-0000001"));
    let mut results = batch.send().await.unwrap();
    let status = if wire == Wire::Cap { 409 } else { 500 };

    let line_error = results.take(l).unwrap_err();
    assert_eq!(line_error.status(), Some(status), "{line_error}");
    let service = line_error.service_error().unwrap();
    assert!(
        service.infolog().join("\n").contains("already exists"),
        "{service:?}"
    );
    assert_eq!(results.operation_status(l), Some(OperationStatus::Failed));

    let header_error = results.take(h).unwrap_err();
    let Error::Batch(batch_error) = &header_error else {
        panic!("expected a rolled-back header, got {header_error}")
    };
    assert!(
        matches!(**batch_error, BatchError::RolledBack { .. }),
        "{batch_error}"
    );
    assert_eq!(batch_error.cause().unwrap().status, status);
    assert!(!batch_error.may_have_been_applied());
    assert!(!results.all_succeeded());

    assert!(
        !header_exists(&client, &number).await,
        "the header of the failed change set must not exist"
    );
}

#[tokio::test]
async fn failing_line_rolls_back_the_header_in_the_fno_shape() {
    failing_line_rolls_back_the_header(Wire::Fno).await;
}

#[tokio::test]
async fn failing_line_rolls_back_the_header_in_the_cap_shape() {
    failing_line_rolls_back_the_header(Wire::Cap).await;
}

/// Inner requests with absolute URLs (the default) and relative ones, in both wire shapes.
#[tokio::test]
async fn absolute_and_relative_inner_urls_both_work() {
    for wire in [Wire::Fno, Wire::Cap] {
        for relative in [false, true] {
            let client = client(wire, &unique());
            let number = unique();
            let mut batch = client.batch();
            if relative {
                batch.relative_urls();
            }
            let page = batch.get(client.entity_set::<CustomerV3>().top(2));
            let mut cs = batch.change_set();
            let h = cs.create::<SalesOrderHeaderV2>(&header(&number));
            let l = cs.create_referencing::<SalesOrderLine, _>(
                h,
                "SalesOrderLines",
                &line(&format!("{number}-L")),
            );
            let mut results = batch.send().await.unwrap();
            let what = format!("{wire:?}, relative {relative}");
            assert_eq!(results.take(page).unwrap().rows.len(), 2, "{what}");
            assert_eq!(
                results.take(h).unwrap().sales_order_number,
                number,
                "{what}"
            );
            let line = results.take(l).unwrap();
            assert_eq!(
                line.sales_order_number.as_deref(),
                Some(number.as_str()),
                "{what}"
            );
            assert!(results.all_succeeded(), "{what}");
        }
    }
}

/// The connection is cut after the service processed the batch: whether it applied the change
/// set is unknown to the client, so it must not send it again.
#[tokio::test]
async fn a_batch_cut_off_after_processing_is_not_sent_again() {
    for wire in [Wire::Fno, Wire::Cap] {
        let tag = unique();
        let client = client(wire, &tag);
        sandbox(wire)
            .add_fault(&Fault::reset().path_contains("$batch").tagged(&tag))
            .unwrap();
        let number = unique();
        let mut batch = client.batch();
        let _h = batch
            .change_set()
            .create::<SalesOrderHeaderV2>(&header(&number));
        let error = batch.send().await.unwrap_err();
        assert!(error.status().is_none(), "a transport failure: {error}");
        assert_eq!(
            reached(wire, &tag),
            (1, 1),
            "sent once, never again ({wire:?})"
        );
        assert!(
            header_exists(&client, &number).await,
            "the service applied it"
        );
    }
}

#[tokio::test]
async fn reads_and_a_change_set_in_one_batch_give_typed_results() {
    let client = sandbox_client(None);
    let number = unique();
    let mut batch = client.batch();
    let page = batch.get(client.entity_set::<CustomerV3>().top(3));
    let special = batch.get_by_key::<CustomerV3>(&CustomerV3Key {
        data_area_id: "usmf".into(),
        customer_account: "US-DECIMAL".into(),
    });
    let missing = batch.get_by_key::<SalesOrderHeaderV2>(&SalesOrderKey(unique()));
    let mut cs = batch.change_set();
    let h = cs.create::<SalesOrderHeaderV2>(&header(&number));
    let l = cs.create_referencing::<SalesOrderLine, _>(
        h,
        "SalesOrderLines",
        &line(&format!("{number}-L")),
    );
    batch.continue_on_error();
    let mut results = batch.send().await.unwrap();
    assert_eq!(results.len(), 5);

    let page = results.take(page).unwrap();
    assert_eq!(page.rows.len(), 3);
    let special = results.take(special).unwrap();
    assert_eq!(
        special.credit_limit.unwrap().to_string(),
        "12345678901234.123456"
    );
    assert!(results.take(missing).unwrap_err().is_not_found());
    let created = results.take(h).unwrap();
    assert_eq!(created.sales_order_name.as_deref(), Some("batch test"));
    assert_eq!(results.status(l), Some(201));
    let line: SalesOrderLine = results.take(l).unwrap();
    assert_eq!(line.sales_order_number, Some(number));
    assert_eq!(results.status(l), None, "taken");
}

#[tokio::test]
async fn without_continue_on_error_operations_after_a_failure_are_not_executed() {
    let client = sandbox_client(None);
    let mut batch = client.batch();
    let mut cs = batch.change_set();
    let dup = cs.create::<SalesOrderLine>(&line("US-LOT-0000001"));
    let read = batch.get(client.entity_set::<CustomerV3>().top(1));
    let mut results = batch.send().await.unwrap();
    // F&O answers a failed write inside $batch with 500.
    assert_eq!(results.take(dup).unwrap_err().status(), Some(500));
    let not_run = results.take(read).unwrap_err();
    assert!(
        matches!(&not_run, Error::Batch(b) if matches!(**b, BatchError::NotExecuted { .. })),
        "{not_run}"
    );

    let mut batch = client.batch();
    batch.continue_on_error();
    let mut cs = batch.change_set();
    let dup = cs.create::<SalesOrderLine>(&line("US-LOT-0000001"));
    let read = batch.get(client.entity_set::<CustomerV3>().top(1));
    let mut results = batch.send().await.unwrap();
    assert!(results.take(dup).is_err());
    assert_eq!(results.take(read).unwrap().rows.len(), 1);
}

#[tokio::test]
async fn chunking_splits_between_change_sets_and_each_stays_atomic() {
    let client = sandbox_client(None);
    let prefix = unique();
    let mut batch = client.batch();
    batch.max_operations(5).continue_on_error();
    let mut sets = Vec::new();
    for i in 0..5 {
        let number = format!("{prefix}-{i}");
        let mut cs = batch.change_set();
        let h = cs.create::<SalesOrderHeaderV2>(&header(&number));
        // The third change set fails on its second line (an existing lot id).
        let lot2 = if i == 2 {
            "US-LOT-0000001".to_owned()
        } else {
            format!("{number}-L2")
        };
        let l1 = cs.create_referencing::<SalesOrderLine, _>(
            h,
            "SalesOrderLines",
            &line(&format!("{number}-L1")),
        );
        let l2 = cs.create_referencing::<SalesOrderLine, _>(h, "SalesOrderLines", &line(&lot2));
        sets.push((number, h, l1, l2));
    }
    let read = batch.get(client.entity_set::<CustomerV3>().top(2));
    assert_eq!(batch.len(), 16);
    let mut results = batch.send().await.unwrap();

    // 3 operations per change set, a cap of 5: one change set per request, the read with the last.
    assert_eq!(results.round_trips(), 5);
    for (i, (number, h, l1, l2)) in sets.iter().enumerate() {
        let trips: Vec<Option<usize>> = vec![
            results.round_trip_of(*h),
            results.round_trip_of(*l1),
            results.round_trip_of(*l2),
        ];
        assert!(
            trips.iter().all(|t| *t == trips[0]),
            "change set {i} was split across requests: {trips:?}"
        );
        if i == 2 {
            assert!(results.take(*h).is_err());
            assert!(results.take(*l1).is_err());
            assert!(
                !header_exists(&client, number).await,
                "change set 2 rolled back"
            );
        } else {
            let line: SalesOrderLine = results.take(*l2).unwrap();
            assert_eq!(line.sales_order_number.as_deref(), Some(number.as_str()));
            assert!(line.inventory_lot_id.ends_with("-L2"));
            assert!(header_exists(&client, number).await);
        }
    }
    assert_eq!(results.round_trip_of(read), Some(4));
    assert_eq!(results.take(read).unwrap().rows.len(), 2);
}

#[tokio::test]
async fn change_set_larger_than_the_cap_is_refused_before_sending() {
    let client = sandbox_client(None);
    let number = unique();
    let mut batch = client.batch();
    batch.max_operations(1);
    let mut cs = batch.change_set();
    let h = cs.create::<SalesOrderHeaderV2>(&header(&number));
    cs.create_referencing::<SalesOrderLine, _>(h, "SalesOrderLines", &line(&format!("{number}-L")));
    let error = batch.send().await.unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error}");
    assert!(!header_exists(&client, &number).await);
}

#[tokio::test]
async fn reference_to_another_change_set_is_refused_before_sending() {
    let client = sandbox_client(None);
    let number = unique();
    let mut batch = client.batch();
    let h = batch
        .change_set()
        .create::<SalesOrderHeaderV2>(&header(&number));
    batch.change_set().create_referencing::<SalesOrderLine, _>(
        h,
        "SalesOrderLines",
        &line(&format!("{number}-L")),
    );
    let error = batch.send().await.unwrap_err();
    assert!(
        error.to_string().contains("not in this change set"),
        "{error}"
    );
}

#[tokio::test]
async fn update_and_delete_in_a_change_set() {
    let client = sandbox_client(None);
    let number = unique();
    let mut batch = client.batch();
    let h = batch
        .change_set()
        .create::<SalesOrderHeaderV2>(&header(&number));
    let mut results = batch.send().await.unwrap();
    let etag = results.etag(h).unwrap().to_owned();
    results.take(h).unwrap();

    let key = SalesOrderKey(number.clone());
    let mut batch = client.batch();
    let stale = batch.change_set().update_if_match::<SalesOrderHeaderV2>(
        &key,
        "W/\"stale\"",
        &json!({"SalesOrderName": "x"}),
    );
    let mut cs = batch.change_set();
    let updated =
        cs.update_if_match::<SalesOrderHeaderV2>(&key, &etag, &json!({"SalesOrderName": "y"}));
    let read = batch.get_by_key::<SalesOrderHeaderV2>(&key);
    batch.continue_on_error();
    let mut results = batch.send().await.unwrap();
    let stale = results.take(stale).unwrap_err();
    assert!(matches!(stale, Error::PreconditionFailed(_)), "{stale}");
    results.take(updated).unwrap();
    assert_eq!(
        results.take(read).unwrap().sales_order_name.as_deref(),
        Some("y")
    );

    let mut batch = client.batch();
    let deleted = batch.change_set().delete::<SalesOrderHeaderV2>(&key);
    let mut results = batch.send().await.unwrap();
    results.take(deleted).unwrap();
    assert!(!header_exists(&client, &number).await);
}

#[tokio::test]
async fn single_call_builders_in_a_batch_keep_if_match_and_cross_company() {
    let client = sandbox_client(None);
    let number = unique();
    let mut batch = client.batch();
    let h = batch
        .change_set()
        .add(client.create::<SalesOrderHeaderV2, _>(&header(&number)));
    let mut results = batch.send().await.unwrap();
    let etag = ETag::new(results.etag(h).unwrap());
    results.take(h).unwrap();

    let key = SalesOrderKey(number.clone());
    let update =
        |name: &str| client.update::<SalesOrderHeaderV2, _>(&key, &json!({"SalesOrderName": name}));
    let mut batch = client.batch();
    let stale = batch
        .change_set()
        .add(update("x").if_match(&ETag::new("W/\"stale\"")));
    let updated = batch.change_set().add(update("y").if_match(&etag));
    // Another company's row: found by key only with cross-company=true, in a batch as alone.
    let other = CustomerV3Key::new("usrt", "RT-000001");
    let without = batch.add(client.get::<CustomerV3>(&other));
    let with = batch.add(client.get::<CustomerV3>(&other).cross_company());
    let page = batch.add(client.entity_set::<CustomerV3>().top(2).cross_company());
    batch.continue_on_error();
    let mut results = batch.send().await.unwrap();
    let stale = results.take(stale).unwrap_err();
    assert!(matches!(stale, Error::PreconditionFailed(_)), "{stale}");
    let new_etag = results.take(updated).unwrap();
    assert!(
        new_etag.as_ref().is_some_and(|e| *e != etag),
        "the update's slot yields the new ETag: {new_etag:?}"
    );
    let e = results.take(without).unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(results.take(with).unwrap().data_area_id, "usrt");
    assert_eq!(results.take(page).unwrap().rows.len(), 2);

    let mut batch = client.batch();
    let deleted = batch.change_set().add(
        client
            .delete::<SalesOrderHeaderV2>(&key)
            .if_match(new_etag.as_ref()),
    );
    let mut results = batch.send().await.unwrap();
    results.take(deleted).unwrap();
    assert!(!header_exists(&client, &number).await);
}

#[tokio::test]
async fn throttled_batch_is_sent_again_after_retry_after() {
    let tag = unique();
    let sandbox = Sandbox::shared();
    let client = Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .default_header(TAG_HEADER, &tag)
        .unwrap()
        .build()
        .unwrap();
    sandbox
        .add_fault(&Fault::throttle("1").path_contains("$batch").tagged(&tag))
        .unwrap();
    let number = unique();
    let mut batch = client.batch();
    let read = batch.get(client.entity_set::<CustomerV3>().top(1));
    let h = batch
        .change_set()
        .create::<SalesOrderHeaderV2>(&header(&number));
    let started = Instant::now();
    let mut results = batch.send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "sent again only after Retry-After: {:?}",
        started.elapsed()
    );
    assert_eq!(results.take(read).unwrap().rows.len(), 1);
    assert_eq!(results.take(h).unwrap().sales_order_number, number);
    assert_eq!(
        reached(Wire::Fno, &tag),
        (1, 1),
        "the 429 reached nothing; the change set was applied once"
    );
    assert!(header_exists(&client, &number).await);
}

/// Three change sets, one per request; the observer cuts the connection of the second request
/// after the service processed it. The first request's commit is reported before the second
/// fails, and the results keep it.
#[tokio::test]
async fn progress_reports_the_committed_chunk_when_a_later_one_fails() {
    let tag = unique();
    let client = client(Wire::Fno, &tag);
    let reports: Arc<Mutex<Vec<ChunkProgress>>> = Arc::default();
    let mut batch = client.batch();
    batch.max_operations(1);
    let seen = reports.clone();
    let fault_tag = tag.clone();
    batch.on_progress(move |progress| {
        if progress.round_trip == 0 {
            Sandbox::shared()
                .add_fault(&Fault::reset().path_contains("$batch").tagged(&fault_tag))
                .unwrap();
        }
        seen.lock().unwrap().push(progress.clone());
    });
    let numbers: Vec<String> = (0..3).map(|_| unique()).collect();
    let slots: Vec<_> = numbers
        .iter()
        .map(|n| batch.change_set().create::<SalesOrderHeaderV2>(&header(n)))
        .collect();
    let mut results = batch.send().await.unwrap();

    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(reports[0].succeeded().collect::<Vec<_>>(), [1]);
    assert_eq!(reports[0].failure, None);
    assert_eq!(reports[1].unknown().collect::<Vec<_>>(), [2]);
    assert!(reports[1].failure.is_some());

    results.take(slots[0]).unwrap();
    let cut = results.take(slots[1]).unwrap_err();
    assert!(
        matches!(&cut, Error::Batch(b) if matches!(**b, BatchError::NoResponse { .. }) && b.may_have_been_applied()),
        "{cut}"
    );
    let unsent = results.take(slots[2]).unwrap_err();
    assert!(
        matches!(&unsent, Error::Batch(b) if matches!(**b, BatchError::NotExecuted { .. })),
        "{unsent}"
    );
    assert_eq!(reached(Wire::Fno, &tag), (2, 2), "the third was never sent");
    assert!(header_exists(&client, &numbers[0]).await);
    assert!(!header_exists(&client, &numbers[2]).await);
}

/// The send future is dropped while its second request is in flight: the observer already
/// reported the first request's commit.
#[tokio::test]
async fn progress_reports_the_committed_chunk_when_the_send_is_dropped() {
    let tag = unique();
    let client = client(Wire::Fno, &tag);
    let reports: Arc<Mutex<Vec<ChunkProgress>>> = Arc::default();
    let first = Arc::new(tokio::sync::Notify::new());
    let mut batch = client.batch();
    batch.max_operations(1);
    let (seen, notify, fault_tag) = (reports.clone(), first.clone(), tag.clone());
    batch.on_progress(move |progress| {
        if progress.round_trip == 0 {
            // Holds the next request long enough for the send to be dropped meanwhile.
            Sandbox::shared()
                .add_fault(
                    &Fault::slow(Duration::from_secs(3))
                        .path_contains("$batch")
                        .tagged(&fault_tag),
                )
                .unwrap();
            notify.notify_one();
        }
        seen.lock().unwrap().push(progress.clone());
    });
    let numbers: Vec<String> = (0..2).map(|_| unique()).collect();
    for n in &numbers {
        batch.change_set().create::<SalesOrderHeaderV2>(&header(n));
    }
    let send = batch.send();
    tokio::select! {
        result = send => panic!("the send finished before it was dropped: {result:?}"),
        () = first.notified() => {}
    }
    // The future is gone, with its second request in flight.
    let reports = reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].round_trip, 0);
    assert_eq!(
        reports[0].operations,
        [(1, OperationStatus::Succeeded)],
        "the first change set committed"
    );
    assert!(header_exists(&client, &numbers[0]).await);
}
