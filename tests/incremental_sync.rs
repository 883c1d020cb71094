//! Incremental sync against the local sandbox: a first run reads every row, a later run only
//! what changed; a run dropped mid-way resumes from its saved state with no row lost or
//! delivered twice; rows written while a run reads are delivered by that run or the next, each
//! version once; a storm of 429s is waited out.
//!
//! One private sandbox serves this file. The seeded rows of a company share one
//! `ModifiedDateTime` (the load time), so every run here also crosses a timestamp shared by
//! hundreds of rows. Tests own a company each: `gbsi` (changes after a first run), `demf` (a
//! run dropped mid-way), `usrt` (writes during a run); the 429 storm reads a slice of `usmf`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use std::time::Duration;

use d365fo_odata::Client;
use d365fo_odata::bulk::SyncState;
use d365fo_odata::edm::DateTimeOffset;
use d365fo_sandbox::{Fault, Sandbox, TAG_HEADER};
use d365fo_sandbox_bindings::{
    CustomerV3, CustomerV3Key, CustomerV3Patch, NewCustomerV3, customer_v3 as c,
};
use futures::{StreamExt as _, TryStreamExt as _};

/// Every test ends within this.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Key, name and watermark of a row.
type Row = (String, String, Option<String>, DateTimeOffset);

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        Sandbox::builder()
            .latency(Duration::from_millis(2))
            .start()
            .unwrap_or_else(|e| panic!("cannot start the sandbox: {e}"))
    })
}

fn client() -> Client {
    Client::builder(sandbox().base_url())
        .allow_http_loopback()
        .build()
        .unwrap()
}

async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(TEST_TIMEOUT, test)
        .await
        .expect("the test ran past its time limit")
}

/// The projection read by every test: key, name and watermark.
type Projection = (
    d365fo_odata::Required<CustomerV3, String>,
    d365fo_odata::Required<CustomerV3, String>,
    d365fo_odata::Field<CustomerV3, String>,
    d365fo_odata::Required<CustomerV3, DateTimeOffset>,
);

/// The customers of `company`, projected to key, name and watermark.
fn company(client: &Client, company: &str) -> d365fo_odata::Query<CustomerV3, Projection> {
    client
        .entity_set::<CustomerV3>()
        .cross_company()
        .filter(c::DATA_AREA_ID.eq(company))
        .select((
            c::DATA_AREA_ID.required(),
            c::CUSTOMER_ACCOUNT.required(),
            c::ORGANIZATION_NAME,
            c::MODIFIED_DATE_TIME.required(),
        ))
}

/// One run from `state`, pages of `page` rows, with `overlap`; returns the rows and the state.
async fn run(
    client: &Client,
    name: &str,
    state: SyncState,
    page: u64,
    overlap: Duration,
) -> (Vec<Row>, SyncState) {
    company(client, name)
        .bulk()
        .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
        .page_size(page)
        .changes(c::MODIFIED_DATE_TIME, state)
        .overlap(overlap)
        .collect_all(100_000)
        .await
        .unwrap()
}

/// Everything the service holds for `name` now.
async fn now(client: &Client, name: &str) -> Vec<Row> {
    company(client, name).stream().try_collect().await.unwrap()
}

/// `(key, watermark)` of each row: one row version.
fn versions(rows: &[Row]) -> Vec<(String, DateTimeOffset)> {
    rows.iter().map(|r| (r.1.clone(), r.3)).collect()
}

fn assert_no_version_twice(rows: &[Row]) {
    let mut seen = HashSet::new();
    for version in versions(rows) {
        assert!(
            seen.insert(version.clone()),
            "{version:?} was delivered twice"
        );
    }
}

/// Saves and loads the state as JSON, as a user storing it would.
fn stored(state: &SyncState) -> SyncState {
    let text = serde_json::to_string(state).unwrap();
    assert!(
        text.len() < 200_000,
        "the state stays small: {} bytes",
        text.len()
    );
    serde_json::from_str(&text).unwrap()
}

async fn rename(client: &Client, name: &str, account: &str, to: &str) {
    let changes = CustomerV3Patch {
        organization_name: Some(to.to_owned()),
        ..CustomerV3Patch::default()
    };
    client
        .update::<CustomerV3, _>(&CustomerV3Key::new(name, account), &changes)
        .cross_company()
        .await
        .unwrap();
}

async fn create(client: &Client, name: &str, accounts: &[String]) {
    futures::stream::iter(accounts)
        .map(|account| async move {
            let new = NewCustomerV3::new(name, account.as_str());
            client.create::<CustomerV3, _>(&new).send().await.map(drop)
        })
        .buffer_unordered(4)
        .try_collect::<Vec<()>>()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_run_delivers_only_what_changed_since_the_saved_watermark() {
    within(async {
        let client = client();
        let all = now(&client, "gbsi").await;
        assert_eq!(all.len(), 500);
        let (first, state) = run(
            &client,
            "gbsi",
            SyncState::new(),
            64,
            Duration::from_secs(300),
        )
        .await;
        assert_eq!(first.len(), 500, "the first run reads every row");
        assert_no_version_twice(&first);
        let watermark = state.watermark().expect("a watermark after rows");
        assert_eq!(Some(&watermark), all.iter().map(|r| &r.3).max());

        // Nothing changed: the overlap is read again and every row in it is remembered.
        let (none, state) = run(
            &client,
            "gbsi",
            stored(&state),
            64,
            Duration::from_secs(300),
        )
        .await;
        assert!(none.is_empty(), "{} rows delivered again", none.len());

        // Rows that were not yet visible when the run passed them (a write stamped before the
        // watermark but committed after): the state does not remember them, so the re-check of
        // the overlap window delivers exactly those.
        let mut edited = serde_json::to_value(&state).unwrap();
        let recent = edited["recent"].as_array_mut().unwrap();
        assert_eq!(recent.len(), 500);
        let late: Vec<serde_json::Value> =
            vec![recent.remove(300), recent.remove(120), recent.remove(7)];
        let mut late: Vec<String> = late
            .iter()
            .map(|p| p["key"][1].as_str().unwrap().to_owned())
            .collect();
        late.sort();
        let edited: SyncState = serde_json::from_value(edited).unwrap();
        let (found, after) = run(&client, "gbsi", edited, 64, Duration::from_secs(300)).await;
        let mut found: Vec<String> = found.into_iter().map(|r| r.1).collect();
        found.sort();
        assert_eq!(found, late, "the late rows, and only they");
        assert_eq!(after.remembered(), 500, "and they are remembered now");

        tokio::time::sleep(Duration::from_millis(5)).await;
        rename(&client, "gbsi", "GB-000007", "Renamed by the sync test").await;
        create(
            &client,
            "gbsi",
            &["GB-000007A".to_owned(), "GB-900000".to_owned()],
        )
        .await;
        let (changed, state) = run(
            &client,
            "gbsi",
            stored(&state),
            64,
            Duration::from_secs(300),
        )
        .await;
        let mut keys: Vec<&str> = changed.iter().map(|r| r.1.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["GB-000007", "GB-000007A", "GB-900000"]);
        let renamed = changed.iter().find(|r| r.1 == "GB-000007").unwrap();
        assert_eq!(renamed.2.as_deref(), Some("Renamed by the sync test"));
        assert!(state.watermark() > Some(watermark));

        // Without an overlap, a run reads only after the saved position.
        let (none, _) = run(&client, "gbsi", stored(&state), 64, Duration::ZERO).await;
        assert!(none.is_empty());
        // A first run from a time reads what changed since then.
        let since = SyncState::since(renamed.3);
        let (recent, _) = run(&client, "gbsi", since, 64, Duration::ZERO).await;
        assert!(recent.len() >= 3 && recent.len() < 10, "{}", recent.len());
    })
    .await;
}

/// Reads `pages` pages of a run from `state`, saving the state after each, then drops the run
/// (a crash); returns the rows delivered and the last state saved.
async fn crash_after(
    client: &Client,
    state: SyncState,
    pages: usize,
    overlap: Duration,
    remember: usize,
) -> (Vec<Row>, SyncState) {
    let mut changes = company(client, "demf")
        .bulk()
        .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
        .page_size(100)
        .changes(c::MODIFIED_DATE_TIME, state)
        .overlap(overlap)
        .remember(remember);
    let mut rows = Vec::new();
    let mut saved = stored(changes.state());
    for _ in 0..pages {
        let Some(page) = changes.next_page().await.unwrap() else {
            break;
        };
        rows.extend(page);
        saved = stored(changes.state());
    }
    // A page in flight when the process dies: its rows are never recorded as delivered.
    let in_flight = tokio::time::timeout(Duration::from_millis(1), changes.next_page()).await;
    drop(in_flight);
    drop(changes);
    (rows, saved)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_dropped_mid_way_resumes_from_the_saved_state_without_loss_or_repeat() {
    within(async {
        let client = client();
        let all = now(&client, "demf").await;
        assert_eq!(all.len(), 1500);
        let expected: HashSet<(String, DateTimeOffset)> = versions(&all).into_iter().collect();
        // Overlap on and off; a bound on remembered rows above and below the 1500 rows that
        // share one timestamp (below it, the re-check cannot reach them: no repeat either).
        for (overlap, remember) in [
            (Duration::from_secs(300), 10_000),
            (Duration::ZERO, 10_000),
            (Duration::from_secs(300), 250),
        ] {
            let (mut rows, saved) =
                crash_after(&client, SyncState::new(), 4, overlap, remember).await;
            assert_eq!(rows.len(), 400);
            assert!(saved.remembered() <= remember);
            // Resumed twice more, crashing again, then to the end.
            let (more, saved) = crash_after(&client, saved, 3, overlap, remember).await;
            rows.extend(more);
            let (rest, state) = crash_after(&client, saved, 1000, overlap, remember).await;
            rows.extend(rest);
            assert_no_version_twice(&rows);
            let got: HashSet<(String, DateTimeOffset)> = versions(&rows).into_iter().collect();
            assert_eq!(got, expected, "overlap {overlap:?}, remember {remember}");
            // A run after the end delivers nothing.
            let (again, _) = crash_after(&client, state, 1000, overlap, remember).await;
            assert!(again.is_empty(), "{} delivered again", again.len());
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_written_during_a_run_are_delivered_by_it_or_the_next_each_version_once() {
    within(async {
        let client = client();
        let name = "usrt";
        let before = now(&client, name).await;
        assert_eq!(before.len(), 3000);
        // Renamed while the run reads: rows already delivered and rows not yet read.
        let renamed: Vec<String> = before.iter().step_by(150).map(|r| r.1.clone()).collect();
        let created: Vec<String> = (0..15).map(|i| format!("RT-9{i:05}")).collect();

        let mut changes = company(&client, name)
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .page_size(200)
            .changes(c::MODIFIED_DATE_TIME, SyncState::new());
        let mut rows: Vec<Row> = Vec::new();
        let mut pages = 0;
        while let Some(page) = changes.next_page().await.unwrap() {
            rows.extend(page);
            pages += 1;
            assert!(pages < 100, "the run ends");
            if pages == 3 {
                for account in &renamed {
                    rename(&client, name, account, "Renamed mid-sync").await;
                }
                create(&client, name, &created).await;
            }
        }
        assert_no_version_twice(&rows);
        let (next, _) = run(
            &client,
            name,
            stored(changes.state()),
            200,
            Duration::from_secs(300),
        )
        .await;
        let mut all = rows.clone();
        all.extend(next.iter().cloned());
        assert_no_version_twice(&all);
        // Every row as it is now was delivered by one of the two runs.
        let latest: HashMap<String, DateTimeOffset> =
            all.iter().fold(HashMap::new(), |mut m, r| {
                let e = m.entry(r.1.clone()).or_insert(r.3);
                *e = (*e).max(r.3);
                m
            });
        let current = now(&client, name).await;
        assert_eq!(current.len(), 3015);
        for row in &current {
            assert_eq!(
                latest.get(&row.1),
                Some(&row.3),
                "{} as it is now was not delivered",
                row.1
            );
        }
        // The second run holds only versions written during the first.
        let written: HashSet<&str> = renamed.iter().chain(&created).map(String::as_str).collect();
        for row in &next {
            assert!(
                written.contains(row.1.as_str()),
                "{} was not written",
                row.1
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_429s_is_waited_out_and_the_run_is_exact() {
    within(async {
        let tag = "incremental-sync-429-storm";
        sandbox()
            .add_fault(
                &Fault::throttle("1")
                    .path_contains("ModifiedDateTime")
                    .times(8)
                    .tagged(tag),
            )
            .unwrap();
        let plain = client();
        let slice = |client: &Client| {
            client
                .entity_set::<CustomerV3>()
                .filter(c::DATA_AREA_ID.eq("usmf"))
                .filter(c::CUSTOMER_ACCOUNT.lt("US-001500"))
                .select((
                    c::DATA_AREA_ID.required(),
                    c::CUSTOMER_ACCOUNT.required(),
                    c::ORGANIZATION_NAME,
                    c::MODIFIED_DATE_TIME.required(),
                ))
        };
        let expected: Vec<Row> = slice(&plain).stream().try_collect().await.unwrap();
        // One request at a time: the storm falls on a few requests, each retried past it.
        let client = Client::builder(sandbox().base_url())
            .allow_http_loopback()
            .default_header(TAG_HEADER, tag)
            .unwrap()
            .retry_policy(d365fo_odata::RetryPolicy::standard().max_attempts(10))
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let (rows, state) = slice(&client)
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .page_size(100)
            .changes(c::MODIFIED_DATE_TIME, SyncState::new())
            .collect_all(10_000)
            .await
            .unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "Retry-After was waited out"
        );
        assert_no_version_twice(&rows);
        let mut got = versions(&rows);
        got.sort();
        let mut want = versions(&expected);
        want.sort();
        assert_eq!(got, want);
        // The second run re-checks the overlap through the rest of the storm: nothing new.
        let (again, _) = slice(&client)
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .page_size(100)
            .changes(c::MODIFIED_DATE_TIME, state)
            .collect_all(10_000)
            .await
            .unwrap();
        assert!(again.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_or_mismatched_state_is_refused_before_anything_is_sent() {
    within(async {
        let client = client();
        let (_, state) = run(&client, "gbsi", SyncState::new(), 500, Duration::ZERO).await;
        let good = serde_json::to_value(&state).unwrap();
        let cases = [
            ("key", serde_json::json!(["dataAreaId"]), "made for the key"),
            (
                "field",
                serde_json::json!("CreatedDateTime"),
                "made for the watermark",
            ),
            ("format", serde_json::json!(9), "format 9"),
            (
                "cursor",
                serde_json::json!({"at": "2024-01-01T00:00:00Z", "key": ["gbsi", 7]}),
                "CustomerAccount = 7",
            ),
            (
                "cursor",
                serde_json::json!({"at": "2024-01-01T00:00:00Z", "key": ["gbsi"]}),
                "1 key values",
            ),
        ];
        for (name, value, needle) in cases {
            let mut damaged = good.clone();
            damaged[name] = value;
            let state: SyncState = serde_json::from_value(damaged).unwrap();
            let e = company(&client, "gbsi")
                .bulk()
                .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
                .changes(c::MODIFIED_DATE_TIME, state)
                .next_page()
                .await
                .unwrap_err();
            assert!(
                matches!(e, d365fo_odata::Error::Config { .. }) && e.to_string().contains(needle),
                "{name}: {e}"
            );
        }
        // Text that is not a state at all fails to deserialize, naming the problem.
        let e = serde_json::from_str::<SyncState>(r#"{"cursor":{"at":"yesterday","key":[]}}"#)
            .unwrap_err();
        assert!(
            e.to_string().contains("Edm.DateTimeOffset") || e.to_string().contains("at"),
            "{e}"
        );
        let e = serde_json::from_str::<SyncState>(r#"{"surprise":1}"#).unwrap_err();
        assert!(e.to_string().contains("surprise"), "{e}");
        // An option out of range is refused too.
        let e = company(&client, "gbsi")
            .bulk()
            .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
            .changes(c::MODIFIED_DATE_TIME, SyncState::new())
            .overlap(Duration::from_secs(400 * 24 * 3600))
            .next_page()
            .await
            .unwrap_err();
        assert!(e.to_string().contains("overlap"), "{e}");
    })
    .await;
}
