//! Bulk reads against the local sandbox: offset windows and key ranges deliver exactly the rows
//! of a sequential read; rows written mid-read end offset windows with a typed error and leave
//! key ranges exact; a storm of 429s is waited out through the client's throttle gate.
//!
//! One private sandbox serves this file, answering every `/data` request after 15 ms (so that
//! parts really overlap in time). Tests that write own a company each: `demf` (inserts under
//! offset windows), `gbsi` (deletes under offset windows), `usrt` (writes under key ranges);
//! the others only read `usmf`.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use d365fo_odata::bulk::{BulkError, Progress};
use d365fo_odata::{Client, Error, RetryPolicy};
use d365fo_sandbox::{Fault, Sandbox, TAG_HEADER};
use d365fo_sandbox_bindings::{CustomerV3, CustomerV3Key, NewCustomerV3, customer_v3 as c};
use futures::{StreamExt as _, TryStreamExt};

/// Every test ends within this.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);

type Row = (String, String, Option<String>);

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        Sandbox::builder()
            .latency(Duration::from_millis(15))
            .start()
            .unwrap_or_else(|e| panic!("cannot start the sandbox: {e}"))
    })
}

fn client_tagged(tag: Option<&str>) -> Client {
    let mut builder = Client::builder(sandbox().base_url()).allow_http_loopback();
    if let Some(tag) = tag {
        builder = builder.default_header(TAG_HEADER, tag).unwrap();
    }
    builder.build().unwrap()
}

fn client() -> Client {
    client_tagged(None)
}

/// `usmf` customers with accounts in `[from, to)`, projected to key and name.
fn usmf(client: &Client, from: &str, to: &str) -> d365fo_odata::Query<CustomerV3> {
    client
        .entity_set::<CustomerV3>()
        .filter(c::DATA_AREA_ID.eq("usmf"))
        .filter(c::CUSTOMER_ACCOUNT.ge(from))
        .filter(c::CUSTOMER_ACCOUNT.lt(to))
}

/// The sequential read: `stream()` following next links, ordered by the key.
async fn sequential(query: d365fo_odata::Query<CustomerV3>) -> Vec<Row> {
    query
        .order_by(c::DATA_AREA_ID.asc())
        .order_by(c::CUSTOMER_ACCOUNT.asc())
        .select((
            c::DATA_AREA_ID.required(),
            c::CUSTOMER_ACCOUNT.required(),
            c::ORGANIZATION_NAME,
        ))
        .stream()
        .try_collect()
        .await
        .unwrap()
}

fn assert_distinct(rows: &[Row]) {
    let keys: HashSet<(&str, &str)> = rows.iter().map(|(a, b, _)| (&**a, &**b)).collect();
    assert_eq!(keys.len(), rows.len(), "a row was delivered twice");
}

async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_TIMEOUT, test)
        .await
        .expect("the test ran past its time limit")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offset_windows_deliver_exactly_the_rows_of_a_sequential_read_in_order() {
    within(async {
        let client = client();
        let expected = sequential(usmf(&client, "US-001000", "US-004000")).await;
        assert_eq!(expected.len(), 3000);
        let progress: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let seen = progress.clone();
        let rows: Vec<Row> = usmf(&client, "US-001000", "US-004000")
            .select((
                c::DATA_AREA_ID.required(),
                c::CUSTOMER_ACCOUNT.required(),
                c::ORGANIZATION_NAME,
            ))
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .concurrency(8)
            .page_size(250)
            .on_progress(move |p| seen.lock().unwrap().push(p.clone()))
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rows, expected, "the same rows in the same order");
        let progress = progress.lock().unwrap();
        let last = progress.last().expect("progress was reported");
        assert_eq!(last.rows, 3000);
        assert_eq!(last.expected_rows, Some(3000));
        // 3000 rows in windows of 250 overlapping by one: 13 windows.
        assert_eq!(last.pages, 13);
        assert_eq!(last.eta(), Some(Duration::ZERO));
        assert!(progress.windows(2).all(|w| w[0].rows < w[1].rows));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unordered_offset_windows_deliver_every_whole_row_once() {
    within(async {
        let client = client();
        let expected = sequential(usmf(&client, "US-004000", "US-006500")).await;
        let rows: Vec<CustomerV3> = usmf(&client, "US-004000", "US-006500")
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .concurrency(6)
            .page_size(300)
            .unordered()
            .collect_all(10_000)
            .await
            .unwrap();
        let mut got: Vec<Row> = rows
            .into_iter()
            .map(|r| (r.data_area_id, r.customer_account, r.organization_name))
            .collect();
        assert_distinct(&got);
        got.sort();
        assert_eq!(got, expected);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_ranges_on_the_key_deliver_exactly_the_rows_of_a_sequential_read() {
    within(async {
        let client = client();
        let expected = sequential(usmf(&client, "US-006500", "US-009000")).await;
        let rows: Vec<Row> = usmf(&client, "US-006500", "US-009000")
            .select((
                c::DATA_AREA_ID.required(),
                c::CUSTOMER_ACCOUNT.required(),
                c::ORGANIZATION_NAME,
            ))
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .key_ranges(c::CUSTOMER_ACCOUNT)
            .ranges(7)
            .concurrency(4)
            .page_size(200)
            .stream()
            .try_collect()
            .await
            .unwrap();
        // Ordered by (CustomerAccount, dataAreaId): one company, so the same order.
        assert_eq!(rows, expected);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_ranges_on_modified_date_time_and_partitions_are_exact() {
    within(async {
        let client = client();
        let expected = sequential(usmf(&client, "US-009000", "US-011000")).await;
        let select = || {
            usmf(&client, "US-009000", "US-011000").select((
                c::DATA_AREA_ID.required(),
                c::CUSTOMER_ACCOUNT.required(),
                c::ORGANIZATION_NAME,
            ))
        };
        // Seeded rows share one ModifiedDateTime: the probes find one boundary, and the
        // pages inside a range still follow (ModifiedDateTime, key).
        let mut by_time: Vec<Row> = select()
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .key_ranges(c::MODIFIED_DATE_TIME)
            .concurrency(4)
            .page_size(150)
            .unordered()
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_distinct(&by_time);
        by_time.sort();
        assert_eq!(by_time, expected);

        let mut by_group: Vec<Row> = select()
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .partition_by(c::CUSTOMER_GROUP_ID, ["10", "20", "30", "40", "80", "90"])
            .concurrency(6)
            .page_size(200)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_distinct(&by_group);
        by_group.sort();
        assert_eq!(
            by_group, expected,
            "every seeded customer is in one of the six groups"
        );

        let halves: Vec<Row> = select()
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .partitions([
                c::CUSTOMER_ACCOUNT.lt("US-010000"),
                c::CUSTOMER_ACCOUNT.ge("US-010000"),
            ])
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(halves, expected, "partitions in order, each in key order");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misconfigured_bulk_reads_fail_before_sending() {
    within(async {
        let client = client();
        let set = || client.entity_set::<CustomerV3>();
        let key = (c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT);
        let cases: Vec<(&str, d365fo_odata::bulk::BulkRows<CustomerV3>)> = vec![
            ("no key given", set().bulk().stream()),
            ("sets $top", set().top(5).bulk().key(key).stream()),
            (
                "sets $orderby",
                set().order_by(c::NAME_ALIAS.asc()).bulk().key(key).stream(),
            ),
            (
                "concurrency 0",
                set().bulk().key(key).concurrency(0).stream(),
            ),
            ("page size 1", set().bulk().key(key).page_size(1).stream()),
            (
                "given twice",
                set()
                    .bulk()
                    .key(key)
                    .partition_by(c::DATA_AREA_ID, ["usmf", "USMF"])
                    .stream(),
            ),
            (
                "no partitions",
                set().bulk().key(key).partitions([]).stream(),
            ),
            ("ranges() applies", set().bulk().key(key).ranges(3).stream()),
        ];
        for (needle, mut rows) in cases {
            let e = rows.try_next().await.unwrap_err();
            assert!(
                matches!(e, Error::Config { .. }) && e.to_string().contains(needle),
                "{needle}: {e}"
            );
        }
    })
    .await;
}

/// Creates `accounts` in `company` (four at a time).
async fn create(client: &Client, company: &str, accounts: &[String]) {
    futures::stream::iter(accounts)
        .map(|account| async move {
            let new = NewCustomerV3::new(company, account.as_str());
            client.create::<CustomerV3, _>(&new).send().await.map(drop)
        })
        .buffer_unordered(4)
        .try_collect::<Vec<()>>()
        .await
        .unwrap();
}

async fn delete(client: &Client, company: &str, accounts: &[String]) {
    for account in accounts {
        client
            .delete::<CustomerV3>(&CustomerV3Key::new(company, account.as_str()))
            .cross_company()
            .send()
            .await
            .unwrap();
    }
}

/// Reads `company` in offset windows; after the first row, `write` runs. Returns what the read
/// ended with and the rows seen before.
async fn windows_with_write_after_first_row<F: Future<Output = ()>>(
    company: &str,
    write: impl FnOnce() -> F,
) -> (Vec<Row>, Result<(), Error>) {
    let client = client();
    let mut rows = client
        .entity_set::<CustomerV3>()
        .cross_company()
        .filter(c::DATA_AREA_ID.eq(company))
        .select((
            c::DATA_AREA_ID.required(),
            c::CUSTOMER_ACCOUNT.required(),
            c::ORGANIZATION_NAME,
        ))
        .bulk()
        .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
        .concurrency(2)
        .page_size(100)
        .stream();
    let mut seen = Vec::new();
    let mut write = Some(write);
    loop {
        match rows.try_next().await {
            Ok(Some(row)) => {
                seen.push(row);
                if let Some(write) = write.take() {
                    write().await;
                }
            }
            Ok(None) => return (seen, Ok(())),
            Err(e) => return (seen, Err(e)),
        }
    }
}

fn assert_shifted(result: Result<(), Error>, seen: &[Row], total: usize) {
    let e = result.expect_err("the read must not end as if it were whole");
    let Error::Bulk(bulk) = &e else {
        panic!("expected a bulk error, got {e}")
    };
    assert!(
        matches!(**bulk, BulkError::WindowsShifted { .. }),
        "{bulk:?}"
    );
    assert!(e.to_string().contains("shifted"), "{e}");
    assert_distinct(seen);
    assert!(seen.len() < total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_inserted_mid_read_ends_offset_windows_with_a_typed_error() {
    within(async {
        let writer = client();
        // demf: 1500 customers DE-000001.., 16 windows of 100.
        let (seen, result) = windows_with_write_after_first_row("demf", || async {
            create(&writer, "demf", &["DE-000050A".to_owned()]).await;
        })
        .await;
        assert_shifted(result, &seen, 1501);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_deleted_mid_read_ends_offset_windows_with_a_typed_error() {
    within(async {
        let writer = client();
        let (seen, result) = windows_with_write_after_first_row("gbsi", || async {
            delete(&writer, "gbsi", &["GB-000020".to_owned()]).await;
        })
        .await;
        assert_shifted(result, &seen, 500);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_ranges_stay_exact_while_rows_are_inserted_and_deleted() {
    within(async {
        let client = client();
        let company = "usrt";
        let read = || {
            client
                .entity_set::<CustomerV3>()
                .cross_company()
                .filter(c::DATA_AREA_ID.eq(company))
                .select((
                    c::DATA_AREA_ID.required(),
                    c::CUSTOMER_ACCOUNT.required(),
                    c::ORGANIZATION_NAME,
                ))
        };
        let before: Vec<Row> = read().stream().try_collect().await.unwrap();
        assert_eq!(before.len(), 3000);
        // Deleted mid-read: every 97th account; inserted: one after every 113th.
        let deleted: Vec<String> = before.iter().step_by(97).map(|r| r.1.clone()).collect();
        let inserted: Vec<String> = before
            .iter()
            .step_by(113)
            .map(|r| format!("{}X", r.1))
            .collect();

        let mut rows = read()
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .key_ranges(c::CUSTOMER_ACCOUNT)
            .ranges(6)
            .concurrency(3)
            .page_size(100)
            .stream();
        let mut got: Vec<Row> = Vec::new();
        while let Some(row) = rows.try_next().await.unwrap() {
            got.push(row);
            if got.len() == 1 {
                create(&client, company, &inserted).await;
                delete(&client, company, &deleted).await;
            }
        }
        assert_distinct(&got);
        let got_keys: BTreeSet<&str> = got.iter().map(|r| r.1.as_str()).collect();
        let deleted: HashSet<&str> = deleted.iter().map(String::as_str).collect();
        let inserted: HashSet<&str> = inserted.iter().map(String::as_str).collect();
        for row in &before {
            if !deleted.contains(row.1.as_str()) {
                assert!(got_keys.contains(row.1.as_str()), "{} was lost", row.1);
            }
        }
        for key in &got_keys {
            assert!(
                inserted.contains(key) || before.iter().any(|r| r.1 == *key),
                "{key} never existed"
            );
        }
        // Offset windows over the same rows now would have shifted; a fresh read is exact.
        let after: Vec<Row> = read()
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .concurrency(4)
            .page_size(100)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(after.len(), 3000 - deleted.len() + inserted.len());
        assert_distinct(&after);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_429s_is_waited_out_and_the_rows_are_still_exact() {
    within(async {
        let tag = "bulk-read-429-storm";
        let throttles = 12;
        sandbox()
            .add_fault(
                // The window requests (not the count before them), several at once.
                &Fault::throttle("1")
                    .path_contains("$skip=")
                    .times(throttles)
                    .tagged(tag),
            )
            .unwrap();
        let expected = sequential(usmf(&client(), "US-011000", "US-013000")).await;
        let client = client_tagged(Some(tag));
        let started = std::time::Instant::now();
        let rows: Vec<Row> = usmf(&client, "US-011000", "US-013000")
            .select((
                c::DATA_AREA_ID.required(),
                c::CUSTOMER_ACCOUNT.required(),
                c::ORGANIZATION_NAME,
            ))
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .concurrency(8)
            .page_size(100)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(rows, expected);
        // The throttled requests waited out Retry-After (the gate pauses every part).
        assert!(started.elapsed() >= Duration::from_secs(1));
        // Every 429 was served: a further request with the tag, sent once, is answered.
        let once = Client::builder(sandbox().base_url())
            .allow_http_loopback()
            .default_header(TAG_HEADER, tag)
            .unwrap()
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        let first = once.entity_set::<CustomerV3>().skip(1).first().await;
        assert!(first.is_ok(), "the fault rule was not used up: {first:?}");
    })
    .await;
}

/// What a read under writes and 429s must be judged against: the rows before, and the keys
/// deleted and inserted while it ran.
struct Churn {
    before: Vec<Row>,
    deleted: Vec<String>,
    inserted: Vec<String>,
}

impl Churn {
    /// 1% of `usmf` accounts in `[from, to)` to delete, and 1% new accounts between them.
    async fn plan(from: &str, to: &str) -> Churn {
        let before = sequential(usmf(&client(), from, to)).await;
        let deleted = before
            .iter()
            .skip(50)
            .step_by(100)
            .map(|r| r.1.clone())
            .collect();
        let inserted = before
            .iter()
            .step_by(100)
            .map(|r| format!("{}W", r.1))
            .collect();
        Churn {
            before,
            deleted,
            inserted,
        }
    }

    async fn write(&self, client: &Client) {
        create(client, "usmf", &self.inserted).await;
        delete(client, "usmf", &self.deleted).await;
    }

    /// No row twice, every row that existed throughout present, none that never existed.
    fn check(&self, rows: &[Row], whole: bool) {
        assert_distinct(rows);
        let got: HashSet<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        let deleted: HashSet<&str> = self.deleted.iter().map(String::as_str).collect();
        let inserted: HashSet<&str> = self.inserted.iter().map(String::as_str).collect();
        let existed: HashSet<&str> = self.before.iter().map(|r| r.1.as_str()).collect();
        for key in &got {
            assert!(
                existed.contains(key) || inserted.contains(key),
                "{key} never existed"
            );
        }
        if whole {
            for key in existed.difference(&deleted) {
                assert!(got.contains(key), "{key} was lost");
            }
        }
    }
}

/// A client whose requests carry `tag` (for the fault rule) and retry through a long storm.
fn storm_client(tag: &str) -> Client {
    Client::builder(sandbox().base_url())
        .allow_http_loopback()
        .default_header(TAG_HEADER, tag)
        .unwrap()
        .retry_policy(RetryPolicy::standard().max_attempts(10))
        .build()
        .unwrap()
}

/// Reads `[from, to)` of `usmf` in bulk through a storm of 429s; once the first row is in, 1% of
/// the rows are inserted and 1% deleted. Returns the churn, the rows seen and how it ended.
async fn read_under_churn_and_429s(
    from: &str,
    to: &str,
    tag: &str,
    key_ranges: bool,
) -> (Churn, Vec<Row>, Result<(), Error>) {
    let churn = Churn::plan(from, to).await;
    assert_eq!(churn.before.len(), 5000);
    sandbox()
        .add_fault(
            // The page requests (not the count or probes before them), several at once.
            &Fault::throttle("1")
                .path_contains("$top=250")
                .times(12)
                .tagged(tag),
        )
        .unwrap();
    let reader = storm_client(tag);
    let writer = client();
    let bulk = usmf(&reader, from, to)
        .select((
            c::DATA_AREA_ID.required(),
            c::CUSTOMER_ACCOUNT.required(),
            c::ORGANIZATION_NAME,
        ))
        .bulk()
        .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
        .concurrency(4)
        .page_size(250);
    let bulk = if key_ranges {
        bulk.key_ranges(c::CUSTOMER_ACCOUNT).ranges(8)
    } else {
        bulk
    };
    let mut rows = bulk.stream();
    let mut seen = Vec::new();
    let mut written = false;
    let end = loop {
        match rows.try_next().await {
            Ok(Some(row)) => {
                seen.push(row);
                assert!(seen.len() <= 10_000, "the read ends");
                if !written {
                    written = true;
                    churn.write(&writer).await;
                }
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    assert!(written, "the read ended before its first row: {end:?}");
    (churn, seen, end)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_ranges_under_one_percent_churn_and_429s_give_exactly_the_right_rows() {
    within(async {
        let (churn, rows, end) =
            read_under_churn_and_429s("US-014000", "US-019000", "bulk-churn-ranges", true).await;
        end.expect("key ranges read through writes and 429s");
        churn.check(&rows, true);
        // In key order: one company, ranges of the account.
        assert!(rows.windows(2).all(|w| w[0].1 < w[1].1), "in key order");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offset_windows_under_one_percent_churn_and_429s_fail_loudly_or_are_exact() {
    within(async {
        let (churn, rows, end) =
            read_under_churn_and_429s("US-019000", "US-024000", "bulk-churn-windows", false).await;
        match end {
            // Every window was read after the writes landed: then the result must be whole.
            Ok(()) => churn.check(&rows, true),
            Err(e) => {
                let Error::Bulk(bulk) = &e else {
                    panic!("expected a bulk error, got {e}")
                };
                assert!(
                    matches!(**bulk, BulkError::WindowsShifted { .. }),
                    "{bulk:?}"
                );
                // What was delivered before the error is still exact: no row twice, none
                // invented.
                churn.check(&rows, false);
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_reads_one_round_in_offset_windows_and_more_in_key_ranges() {
    within(async {
        let client = client();
        // (from, to, rows, page size, pages of offset windows, pages of 8 key ranges)
        for (from, to, rows, page, windows, ranges) in [
            ("US-024000", "US-024900", 900, 250, 4, None),
            ("US-024000", "US-025001", 1001, 100, 11, Some(12..=16)),
        ] {
            let expected = sequential(usmf(&client, from, to)).await;
            assert_eq!(expected.len(), rows);
            let pages: Arc<Mutex<u64>> = Arc::default();
            let seen = pages.clone();
            let got: Vec<Row> = usmf(&client, from, to)
                .select((
                    c::DATA_AREA_ID.required(),
                    c::CUSTOMER_ACCOUNT.required(),
                    c::ORGANIZATION_NAME,
                ))
                .bulk()
                .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
                .auto(c::CUSTOMER_ACCOUNT)
                .concurrency(4)
                .page_size(page)
                .on_progress(move |p| *seen.lock().unwrap() = p.pages)
                .stream()
                .try_collect()
                .await
                .unwrap();
            assert_eq!(got, expected, "{from}..{to}");
            let pages = *pages.lock().unwrap();
            match ranges {
                // One round: every window at once, `windows` of them.
                None => assert_eq!(pages, windows),
                // Key ranges: each of the 8 ranges ends with a short page.
                Some(range) => assert!(range.contains(&pages) && pages != windows, "{pages}"),
            }
        }
    })
    .await;
}
