//! Create, read, update and delete one customer, with optimistic concurrency through ETags.
//!
//! ```text
//! cargo run --example crud
//! ```
//!
//! The example creates a customer with a fresh account number, reads it back by key, renames it
//! with the ETag of that read in `If-Match`, then tries a second update with the now stale ETag:
//! the service refuses with 412, which arrives as [`Error::PreconditionFailed`]. Finally it
//! deletes the customer with its current ETag and shows that reading it again is
//! [`Error::NotFound`].
//!
//! With no `D365FO_URL` set, it runs against the local sandbox (started on a free loopback port,
//! see `tests/sandbox/`). Against a real environment (it **writes**: use a test environment):
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it (or `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//!   `AZURE_CLIENT_SECRET` of an app registration)
//! - `D365FO_COMPANY` (optional, default `usmf`): the company (dataAreaId) to create the customer in
//! - `D365FO_CUSTOMER_GROUP` (optional, default `10`): an existing customer group of that company
//!
//! It prints each step: the created key and ETag, the ETags before and after the update, the
//! typed error of the stale update (status and activity id) and the not-found read after delete.
#![allow(clippy::print_stdout)]

use std::error::Error as StdError;
use std::time::Duration;

use d365fo_odata::{Entity, Error};
use d365fo_sandbox_bindings::{CustomerV3, CustomerV3Key, CustomerV3Patch, NewCustomerV3};

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    let connection = common::connect()?;
    let client = &connection.client;
    let company = common::env_or("D365FO_COMPANY", "usmf");
    let group = common::env_or("D365FO_CUSTOMER_GROUP", "10");

    // Create: only the fields set here are sent; the service fills in its defaults.
    // A customer account no earlier run used (F&O allows 20 characters).
    let account = format!("EX-{}", common::unique_suffix());
    let new = NewCustomerV3 {
        organization_name: Some("Example Crud Ltd".to_owned()),
        customer_group_id: Some(group),
        ..NewCustomerV3::new(company.as_str(), account.as_str())
    };
    let created = client.create::<CustomerV3, _>(&new).await?;
    println!(
        "created  {}/{} (group {}, on hold: {:?}), ETag {}",
        created.data_area_id,
        created.customer_account,
        created.customer_group_id.as_deref().unwrap_or("-"),
        created.on_hold_status,
        etag_text(&created),
    );

    // Read it back by key.
    let key = CustomerV3Key::new(company.as_str(), account.as_str());
    let read = client.get::<CustomerV3>(&key).await?;
    println!(
        "read     {:?}, ETag {}",
        read.organization_name.as_deref().unwrap_or(""),
        etag_text(&read)
    );
    let read_etag = read
        .etag()
        .cloned()
        .ok_or("the service sent no @odata.etag with the customer")?;

    // The sandbox's ETags are millisecond timestamps: let one pass so the update gets a new one.
    tokio::time::sleep(Duration::from_millis(5)).await;

    // Update with If-Match: applied only if nobody changed the customer since our read.
    let rename = CustomerV3Patch {
        organization_name: Some("Example Crud Ltd (renamed)".to_owned()),
        ..CustomerV3Patch::default()
    };
    let new_etag = client
        .update::<CustomerV3, _>(&key, &rename)
        .if_match(&read_etag)
        .await?;
    println!(
        "updated  with If-Match {}, new ETag {}",
        read_etag.as_str(),
        new_etag.as_ref().map_or("(not reported)", |e| e.as_str())
    );

    // The ETag of the first read is stale now: a second update with it must be refused.
    let again = CustomerV3Patch {
        organization_name: Some("Lost update".to_owned()),
        ..CustomerV3Patch::default()
    };
    match client
        .update::<CustomerV3, _>(&key, &again)
        .if_match(&read_etag)
        .await
    {
        Err(Error::PreconditionFailed(refusal)) => println!(
            "refused  stale If-Match {}: HTTP {} {} (activity id {})",
            read_etag.as_str(),
            refusal.status,
            refusal.message,
            refusal.activity_id.as_deref().unwrap_or("none"),
        ),
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("an update with a stale ETag was applied".into()),
    }
    let current = client.get::<CustomerV3>(&key).await?;
    println!(
        "current  {:?}, ETag {}",
        current.organization_name.as_deref().unwrap_or(""),
        etag_text(&current)
    );
    if current.organization_name.as_deref() != rename.organization_name.as_deref() {
        return Err("the stale update changed the customer".into());
    }

    // Delete with the current ETag, then show that the customer is gone.
    client
        .delete::<CustomerV3>(&key)
        .if_match(current.etag())
        .await?;
    println!("deleted  {company}/{account}");
    match client.get::<CustomerV3>(&key).await {
        Err(e) if e.is_not_found() => println!("read     after delete: {e}"),
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("the deleted customer can still be read".into()),
    }
    Ok(())
}

/// The entity's ETag for printing.
fn etag_text(customer: &CustomerV3) -> &str {
    customer.etag().map_or("(none)", |e| e.as_str())
}
