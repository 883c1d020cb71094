//! Export a large entity set to CSV: every customer of every company, streamed page by page.
//!
//! ```text
//! cargo run --example paging_export [-- OUTPUT.csv]
//! ```
//!
//! The client follows the server's `@odata.nextLink` from page to page while only one page is in
//! memory; each row is written to the CSV file as it arrives. A progress bar (on stderr, when it is
//! a terminal) shows rows against the total the service reported with `$count=true`. At the end
//! the number of rows written is checked against that `$count`: a difference is an error.
//!
//! With no `D365FO_URL` set, it runs against the local sandbox (started on a free loopback port,
//! see `tests/sandbox/`), which holds about 30,000 customers in several companies. Against a real
//! environment, set:
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it (or `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//!   `AZURE_CLIENT_SECRET` of an app registration)
//! - `D365FO_COMPANY` (optional): export only this company (dataAreaId) instead of all of them
//!
//! The output file is the first argument, else `D365FO_EXPORT_PATH`, else `customers.csv` in the
//! system's temporary directory. It prints the query URL, the output path, and at the end the
//! number of rows and pages, the elapsed time and rows per second.
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use d365fo_odata::edm::Decimal;
use d365fo_sandbox_bindings::{CustVendorBlocked, CustomerV3, customer_v3 as c};
use futures::TryStreamExt;

mod common;

use common::export::{ExportProgress, output_path};

/// The CSV columns, in order: the OData property names of the selected fields.
const COLUMNS: [&str; 9] = [
    "dataAreaId",
    "CustomerAccount",
    "OrganizationName",
    "CustomerGroupId",
    "SalesCurrencyCode",
    "CreditLimit",
    "OnHoldStatus",
    "AddressCity",
    "AddressCountryRegionId",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let connection = common::connect()?;
    let client = &connection.client;
    let path = output_path("customers.csv");

    // Order by the key so that pages neither skip nor repeat rows while paging.
    let mut query = client
        .entity_set::<CustomerV3>()
        .cross_company()
        .select((
            c::DATA_AREA_ID.required(),
            c::CUSTOMER_ACCOUNT.required(),
            c::ORGANIZATION_NAME,
            c::CUSTOMER_GROUP_ID,
            c::SALES_CURRENCY_CODE,
            c::CREDIT_LIMIT,
            c::ON_HOLD_STATUS,
            c::ADDRESS_CITY,
            c::ADDRESS_COUNTRY_REGION_ID,
        ))
        .order_by(c::DATA_AREA_ID.asc())
        .order_by(c::CUSTOMER_ACCOUNT.asc())
        .count();
    if let Ok(company) = std::env::var("D365FO_COMPANY") {
        query = query.filter(c::DATA_AREA_ID.eq(company.as_str()));
    }
    println!("GET {}", query.url()?);
    println!("writing {}", path.display());

    let file = File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut csv = csv::Writer::from_writer(BufWriter::new(file));
    csv.write_record(COLUMNS)?;

    let progress = ExportProgress::new()?;
    let started = Instant::now();
    let mut expected = None;
    let mut written: u64 = 0;
    let mut pages_read = 0;
    let mut pages = query.pages();
    while let Some(page) = pages.try_next().await? {
        pages_read += 1;
        if expected.is_none() {
            expected = page.count;
        }
        for customer in &page.rows {
            write_row(&mut csv, customer)?;
        }
        written += page.rows.len() as u64;
        progress.show(written, pages_read, expected, started.elapsed());
    }
    csv.flush()?;
    progress.finish();
    let elapsed = started.elapsed();

    println!(
        "{written} rows in {pages_read} pages written to {} in {elapsed:.2?} ({:.0} rows/s)",
        path.display(),
        written as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
    );
    match expected {
        Some(count) if count == written => {
            println!("row count matches the service's $count ({count})");
            Ok(())
        }
        Some(count) => Err(format!(
            "the service reported $count = {count} but {written} rows were exported"
        )
        .into()),
        None => Err("the service sent no @odata.count although $count=true was asked".into()),
    }
}

/// One exported customer: the selected values in [`COLUMNS`] order.
type Customer = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Decimal>,
    Option<CustVendorBlocked>,
    Option<String>,
    Option<String>,
);

/// Writes one customer as a CSV record in [`COLUMNS`] order; absent values are empty fields.
fn write_row<W: std::io::Write>(
    csv: &mut csv::Writer<W>,
    customer: &Customer,
) -> Result<(), csv::Error> {
    let (company, account, name, group, currency, limit, on_hold, city, country) = customer;
    let credit_limit = limit.map(|d| d.to_string()).unwrap_or_default();
    csv.write_record([
        company.as_str(),
        account.as_str(),
        or_empty(name),
        or_empty(group),
        or_empty(currency),
        credit_limit.as_str(),
        on_hold.as_ref().map_or("", |s| s.as_str()),
        or_empty(city),
        or_empty(country),
    ])
}

/// The text of an optional string field, empty when absent.
fn or_empty(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}
