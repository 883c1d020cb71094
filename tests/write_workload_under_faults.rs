//! A write workload under injected throttling (429), unavailability (503) and connections reset
//! mid-body: afterwards every create exists exactly once. Nothing is lost, and nothing is sent a
//! second time after the server processed it (keys are unique, so a repeated POST would come
//! back as 409 Conflict rather than as a second row).

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::fno::{CustomerV3, NewCustomerV3, customer_v3 as c};
use common::sandbox_client;
use d365fo_odata::{Client, Error, RetryPolicy};
use d365fo_sandbox::{Fault, Sandbox, TAG_HEADER};
use futures::{StreamExt, TryStreamExt, stream};

const CREATES: usize = 100;
const THROTTLED: u32 = 10;
const UNAVAILABLE: u32 = 10;
const RESETS: u32 = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_under_429_503_and_resets_exist_exactly_once() {
    let sandbox = Sandbox::shared();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let prefix = format!("WL{nanos:08x}-");
    let tag = format!("workload-{prefix}");
    for fault in [
        Fault::throttle("1").times(THROTTLED),
        Fault::status(503).times(UNAVAILABLE),
        Fault::reset().times(RESETS),
    ] {
        sandbox
            .add_fault(
                &fault
                    .method("POST")
                    .path_contains("CustomersV3")
                    .tagged(&tag),
            )
            .unwrap();
    }
    let client = Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .default_header(TAG_HEADER, &tag)
        .unwrap()
        .retry_policy(
            RetryPolicy::standard()
                .max_attempts(8)
                .initial_backoff(Duration::from_millis(50))
                .max_backoff(Duration::from_millis(200)),
        )
        .build()
        .unwrap();

    let accounts: Vec<String> = (0..CREATES).map(|i| format!("{prefix}{i:03}")).collect();
    let began = Instant::now();
    let outcomes: Vec<(String, Result<CustomerV3, Error>)> = stream::iter(accounts.clone())
        .map(|account| {
            let client = client.clone();
            async move {
                let new = NewCustomerV3 {
                    data_area_id: Some("usmf".into()),
                    customer_account: Some(account.clone()),
                    organization_name: Some("Workload Test".into()),
                    ..NewCustomerV3::default()
                };
                let created = client.create::<CustomerV3, _>(&new).await;
                (account, created)
            }
        })
        .buffer_unordered(10)
        .collect()
        .await;
    let elapsed = began.elapsed();

    let mut failed = Vec::new();
    for (account, outcome) in &outcomes {
        match outcome {
            Ok(row) => assert_eq!(&row.customer_account, account),
            Err(e) => {
                assert_ne!(
                    e.status(),
                    Some(409),
                    "{account} was sent again after it was processed: {e}"
                );
                assert!(
                    matches!(e, Error::Transport { .. }),
                    "only resets mid-body may fail a create (the server committed it, the client cannot know): {account}: {e:?}"
                );
                failed.push(account.clone());
            }
        }
    }
    assert_eq!(
        failed.len() as u32,
        RESETS,
        "each reset fails exactly its own create"
    );

    // Count with a clean client: every key once, none missing, none extra.
    let stored: Vec<CustomerV3> = sandbox_client(None)
        .entity_set::<CustomerV3>()
        .filter(c::CUSTOMER_ACCOUNT.starts_with(&prefix))
        .stream()
        .try_collect()
        .await
        .unwrap();
    let stored_keys: HashSet<&str> = stored.iter().map(|r| r.customer_account.as_str()).collect();
    assert_eq!(stored.len(), stored_keys.len(), "no key stored twice");
    let expected: HashSet<&str> = accounts.iter().map(String::as_str).collect();
    assert_eq!(
        stored_keys, expected,
        "every create stored, including the reset ones"
    );
    eprintln!(
        "{CREATES} creates with {THROTTLED}×429, {UNAVAILABLE}×503, {RESETS}×reset injected: \
         {} succeeded, {} failed by reset (stored anyway), {} rows stored, 0 duplicates, {elapsed:.2?}",
        CREATES - failed.len(),
        failed.len(),
        stored.len()
    );
}
