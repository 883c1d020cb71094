//! Measures 1,000 creates sent as single requests against the same creates in `$batch` requests.
//! Prints the numbers; asserts only that every create succeeded. Run with
//! `cargo test -p d365fo-odata --release --test batch_measure -- --ignored --nocapture`.

mod common;

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use d365fo_odata::edm::key_predicate;
use d365fo_odata::profile::Fno;
use d365fo_odata::{Entity, EntityKey};
use d365fo_sandbox::Sandbox;
use serde::Deserialize;
use serde_json::json;

use common::sandbox_client;

const CREATES: usize = 1000;

#[derive(Debug, Deserialize)]
struct SalesOrderHeaderV2 {}

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

fn prefix(run: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("M{run}{:06x}", nanos & 0xff_ffff)
}

fn body(number: &str) -> serde_json::Value {
    json!({"dataAreaId": "usmf", "SalesOrderNumber": number, "SalesOrderName": "measure"})
}

fn report(what: &str, round_trips: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{what:<44} {CREATES} creates, {round_trips:>4} round trips, {secs:>7.2} s, {:>7.0} ops/s",
        CREATES as f64 / secs
    );
}

#[tokio::test]
#[ignore = "measurement: run on demand with --ignored --nocapture"]
async fn measure_single_requests_against_batched_creates() {
    let sandbox = Sandbox::shared();
    let http = reqwest::Client::new();
    let url = format!("{}/data/SalesOrderHeadersV2", sandbox.base_url());
    let run = prefix("S");
    let started = Instant::now();
    for i in 0..CREATES {
        let response = http
            .post(&url)
            .bearer_auth(sandbox.token().unwrap())
            .header("Content-Type", "application/json")
            .body(body(&format!("{run}-{i}")).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    report("single POST requests (sequential)", CREATES, started);

    let client = sandbox_client(None);
    // The sandbox refuses request bodies over about 100 kB (413), so caps stay at 200 or less.
    for (cap, per_change_set) in [(200, 1), (100, 1), (200, 200), (100, 100), (25, 1)] {
        let run = prefix(&format!("{}", cap / 100));
        let mut batch = client.batch();
        batch.max_operations(cap);
        let mut slots = Vec::new();
        for chunk in 0..CREATES / per_change_set {
            let mut cs = batch.change_set();
            for i in 0..per_change_set {
                let n = chunk * per_change_set + i;
                slots.push(cs.create::<SalesOrderHeaderV2>(&body(&format!("{run}-{n}"))));
            }
        }
        let started = Instant::now();
        let mut results = batch.send().await.unwrap();
        report(
            &format!("$batch, cap {cap}, {per_change_set} per change set"),
            results.round_trips(),
            started,
        );
        for slot in slots {
            results.take(slot).unwrap();
        }
    }
}
