//! `$batch` against the sandbox: typed results for reads and change sets, atomic rollback,
//! Content-ID references, chunking along change-set boundaries, and a throttled batch retried.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use d365fo_odata::edm::key_predicate;
use d365fo_odata::profile::Fno;
use d365fo_odata::{BatchError, Client, Entity, EntityKey, Error};
use d365fo_sandbox::{Fault, Sandbox, TAG_HEADER};
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

#[tokio::test]
async fn failing_line_rolls_back_the_header_of_its_change_set() {
    let client = sandbox_client(None);
    let number = unique();
    let mut batch = client.batch();
    let mut cs = batch.change_set();
    let h = cs.create::<SalesOrderHeaderV2>(&header(&number));
    // A lot id of the seed: the key already exists, so this create fails.
    let l =
        cs.create_referencing::<SalesOrderLine, _>(h, "SalesOrderLines", &line("US-LOT-0000001"));
    let mut results = batch.send().await.unwrap();

    let line_error = results.take(l).unwrap_err();
    assert_eq!(line_error.status(), Some(409), "{line_error}");
    let infolog = line_error.service_error().unwrap().infolog().join("\n");
    assert!(infolog.contains("already exists"), "{infolog}");

    let header_error = results.take(h).unwrap_err();
    let Error::Batch(batch_error) = &header_error else {
        panic!("expected a rolled-back header, got {header_error}")
    };
    assert!(
        matches!(**batch_error, BatchError::RolledBack { .. }),
        "{batch_error}"
    );
    assert_eq!(batch_error.cause().unwrap().status, 409);
    assert!(!results.all_succeeded());

    assert!(
        !header_exists(&client, &number).await,
        "the header of the failed change set must not exist"
    );
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
    assert_eq!(results.take(dup).unwrap_err().status(), Some(409));
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
    assert!(header_exists(&client, &number).await);
}
