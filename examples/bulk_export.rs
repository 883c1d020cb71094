//! Export a large entity set to CSV with several requests in flight: every customer of every
//! company, read in parallel key ranges.
//!
//! ```text
//! cargo run --example bulk_export [-- OUTPUT.csv]
//! ```
//!
//! Instead of following `@odata.nextLink` one page at a time, the read is cut into ranges of
//! the customer account (boundaries found by probes) read concurrently, each paged by the key,
//! so that rows written meanwhile neither repeat nor go missing. Rows arrive in key order; a
//! progress bar (on stderr, when it is a terminal) shows rows against the counted total, the
//! rate and the time left. Each account is checked to arrive once.
//!
//! With no `D365FO_URL` set, it runs against the local sandbox (about 30,000 customers in
//! several companies). Against a real environment set `D365FO_URL` and `D365FO_TOKEN` (or
//! `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`), and optionally
//! `D365FO_CONCURRENCY` (requests in flight, default 16; F&O allows 52 per user in all).
//!
//! The output file is the first argument, else `D365FO_EXPORT_PATH`, else
//! `customers-bulk.csv` in the system's temporary directory.
#![allow(clippy::print_stdout)]

use std::collections::HashSet;
use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use d365fo_sandbox_bindings::{CustomerV3, customer_v3 as c};
use futures::TryStreamExt;

mod common;

use common::export::{ExportProgress, output_path};

const COLUMNS: [&str; 5] = [
    "dataAreaId",
    "CustomerAccount",
    "OrganizationName",
    "CustomerGroupId",
    "AddressCity",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let connection = common::connect()?;
    let client = &connection.client;
    let path = output_path("customers-bulk.csv");
    let concurrency: usize = common::env_or("D365FO_CONCURRENCY", "16").parse()?;

    let file = File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut csv = csv::Writer::from_writer(BufWriter::new(file));
    csv.write_record(COLUMNS)?;

    let progress = ExportProgress::new()?;
    let bar = progress.clone();
    let mut rows = client
        .entity_set::<CustomerV3>()
        .cross_company()
        .select((
            c::DATA_AREA_ID.required(),
            c::CUSTOMER_ACCOUNT.required(),
            c::ORGANIZATION_NAME,
            c::CUSTOMER_GROUP_ID,
            c::ADDRESS_CITY,
        ))
        .bulk()
        .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
        .key_ranges(c::CUSTOMER_ACCOUNT)
        .concurrency(concurrency)
        .on_progress(move |p| bar.show_bulk(p))
        .stream();
    println!("writing {}", path.display());

    let started = Instant::now();
    let mut seen = HashSet::new();
    while let Some((company, account, name, group, city)) = rows.try_next().await? {
        csv.write_record([
            company.as_str(),
            account.as_str(),
            name.as_deref().unwrap_or(""),
            group.as_deref().unwrap_or(""),
            city.as_deref().unwrap_or(""),
        ])?;
        if !seen.insert((company, account)) {
            return Err("a customer arrived twice".into());
        }
    }
    csv.flush()?;
    progress.finish();
    let elapsed = started.elapsed();
    println!(
        "{} rows written to {} in {elapsed:.2?} ({:.0} rows/s) with {concurrency} requests in \
         flight, each customer once",
        seen.len(),
        path.display(),
        seen.len() as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
    );
    Ok(())
}
