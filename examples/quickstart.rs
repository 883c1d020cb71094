//! Quickstart: typed, paged reads of F&O customers.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With no `D365FO_URL` set, this starts the local sandbox (a real OData v4 server shaped like
//! F&O, see `tests/sandbox/`) on a free loopback port and queries it. To query a real environment
//! instead, set:
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it, e.g. from
//!   `az account get-access-token --resource https://contoso.sandbox.operations.dynamics.com --query accessToken -o tsv`
//!   (or, instead of a token, `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET` for
//!   an app registration)
//! - `D365FO_COMPANY` (optional): a company (dataAreaId) to read instead of your default one.
//!
//! The typed bindings (`CustomerV3`, its field handles in `customer_v3`, the `NoYes` enum) are
//! generated at build time from the sandbox's `$metadata` by `d365fo-odata-codegen`; see
//! `tests/bindings/build.rs`. Generate your own from your environment's `$metadata` the same way.
#![allow(clippy::print_stdout)]

use std::error::Error;

use d365fo_sandbox_bindings::{CustomerV3, NoYes, customer_v3 as c};
use futures::TryStreamExt;

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // Keep the connection (and the sandbox behind it, if any) alive until the end of main.
    let connection = common::connect()?;
    let client = &connection.client;

    // Field handles carry their entity and value types: `c::CREDIT_LIMIT.gt("x")` or a handle of
    // another entity would not compile. `select` makes a projection: each row is a tuple of the
    // selected values (`required()` ones as `T`, the others as `Option<T>`), so a property that
    // was not selected cannot be read by mistake.
    let mut query = client
        .entity_set::<CustomerV3>()
        .filter(c::IS_ONE_TIME_CUSTOMER.eq(NoYes::No))
        .select((
            c::DATA_AREA_ID.required(),
            c::CUSTOMER_ACCOUNT.required(),
            c::ORGANIZATION_NAME,
            c::CUSTOMER_GROUP_ID,
            c::CREDIT_LIMIT,
        ))
        .order_by(c::CUSTOMER_ACCOUNT.asc())
        .top(10)
        .count();
    if let Ok(company) = std::env::var("D365FO_COMPANY") {
        query = query
            .cross_company()
            .filter(c::DATA_AREA_ID.eq(company.as_str()));
    }

    println!("GET {}", query.url()?);
    let mut pages = query.pages();
    let mut shown = 0;
    while let Some(page) = pages.try_next().await? {
        if let Some(total) = page.count {
            println!("{total} customers match; the first {}:", page.rows.len());
        }
        for (company, account, name, group, limit) in &page.rows {
            println!(
                "{company:<6} {account:<14} {:<6} {:>22} {}",
                group.as_deref().unwrap_or("-"),
                limit.map(|d| d.to_string()).unwrap_or_default(),
                name.as_deref().unwrap_or(""),
            );
            shown += 1;
        }
    }
    println!("{shown} rows read");
    Ok(())
}
