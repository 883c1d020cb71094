//! Quickstart: read customers from an F&O environment, page by page.
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
//! - `D365FO_COMPANY` (optional): a company (dataAreaId) to read instead of your default one.
#![allow(clippy::print_stdout)]

use std::error::Error;

use d365fo_odata::Client;
use d365fo_sandbox::Sandbox;
use futures::TryStreamExt;
use serde::Deserialize;

/// The fields of `CustomersV3` this example reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Customer {
    #[serde(rename = "dataAreaId")]
    data_area_id: String,
    customer_account: String,
    organization_name: String,
    customer_group_id: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // Keep the sandbox alive until the end of main; dropping it stops the server.
    let (client, _sandbox) = match std::env::var("D365FO_URL") {
        Ok(url) => {
            let token = std::env::var("D365FO_TOKEN")
                .map_err(|_| "D365FO_URL is set, so D365FO_TOKEN must hold an access token")?;
            (Client::builder(url).bearer_token(token).build()?, None)
        }
        Err(_) => {
            println!(
                "D365FO_URL is not set: starting the local sandbox (first run installs its npm packages)..."
            );
            let sandbox = Sandbox::builder().token("quickstart").start()?;
            println!(
                "sandbox ready at {} in {:.1?}",
                sandbox.base_url(),
                sandbox.started_in()
            );
            let client = Client::builder(sandbox.base_url())
                .allow_http_loopback()
                .bearer_token("quickstart")
                .build()?;
            (client, Some(sandbox))
        }
    };

    let mut query = client
        .query("CustomersV3")
        .select([
            "dataAreaId",
            "CustomerAccount",
            "OrganizationName",
            "CustomerGroupId",
        ])
        .order_by("CustomerAccount")
        .top(10)
        .count();
    if let Ok(company) = std::env::var("D365FO_COMPANY") {
        let literal = company.replace('\'', "''");
        query = query
            .cross_company()
            .filter(format!("dataAreaId eq '{literal}'"));
    }

    println!("GET {}", query.url()?);
    let mut pages = query.pages::<Customer>();
    let mut shown = 0;
    while let Some(page) = pages.try_next().await? {
        if let Some(total) = page.count {
            println!("{total} customers match; the first {}:", page.rows.len());
        }
        for c in &page.rows {
            println!(
                "{:<6} {:<12} {:<6} {}",
                c.data_area_id, c.customer_account, c.customer_group_id, c.organization_name
            );
            shown += 1;
        }
    }
    println!("{shown} rows read");
    Ok(())
}
