//! A sales order header and its lines created in one `$batch` change set: all or nothing.
//!
//! ```text
//! cargo run --example batch
//! ```
//!
//! A change set is one transaction on the service: either every operation in it is applied or
//! none is. `Batch::add` and `ChangeSet::add` take the same builders as single calls
//! (`client.create(..)`, `client.update(..).if_match(..)`, `client.delete(..)`), with their
//! options: the company need not be the caller's default, so every request by key says
//! `.cross_company()`, in the batch as it would alone. The example
//!
//! 1. creates a sales order header and three lines in one change set (one HTTP request), each line
//!    carrying the order number explicitly, as Microsoft's F&O change-set samples do
//!    (`ChangeSet::create_referencing` posts to a `$n` Content-ID reference instead, for services
//!    that support it);
//! 2. reads the order back with its lines expanded, and renames it in a change set guarded by
//!    the ETag it was read with: `change_set.add(client.update(..).if_match(read_etag.as_ref()))`
//!    carries exactly the request the single call would send;
//! 3. sends a second change set whose line reuses a lot id that already exists: the service
//!    refuses that line (F&O: `500` with an `AxODataWriteException`, in a nested change-set
//!    answer holding only that line's part), so the header of the same change set is rolled
//!    back too (`BatchError::RolledBack`), and both come back as typed errors;
//! 4. deletes the order's lines and header, again in one change set.
//!
//! With no `D365FO_URL` set, it runs against the local sandbox (started on a free loopback port,
//! see `tests/sandbox/`). Against a real environment (it **writes**: use a test environment;
//! the order number sequence must allow manual numbers):
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it (or `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//!   `AZURE_CLIENT_SECRET` of an app registration)
//! - `D365FO_COMPANY` (optional, default `usmf`): the company (dataAreaId)
//! - `D365FO_CUSTOMER` (optional, default `US-000020`): an existing customer account
//! - `D365FO_ITEM` (optional, default `D0001`): an existing released product
//!
//! It prints the status of every operation in each change set, the order read back with its
//! lines, the typed errors of the failed change set, and the clean-up.
#![allow(clippy::print_stdout)]

use std::error::Error as StdError;

use d365fo_odata::edm::Decimal;
use d365fo_odata::{BatchError, Entity, Error};
use d365fo_sandbox_bindings::{
    NewSalesOrderHeaderV2, NewSalesOrderLine, SalesOrderHeaderV2, SalesOrderHeaderV2Key,
    SalesOrderHeaderV2Patch, SalesOrderLine, SalesOrderLineKey, sales_order_header_v2 as h,
};

mod common;

/// Lines of the example order: item quantity and unit price.
const LINES: [(&str, &str); 3] = [("2", "10.50"), ("1", "99.99"), ("12", "0.75")];

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    let connection = common::connect()?;
    let client = &connection.client;
    let company = common::env_or("D365FO_COMPANY", "usmf");
    let customer = common::env_or("D365FO_CUSTOMER", "US-000020");
    let item = common::env_or("D365FO_ITEM", "D0001");
    // 15 characters: F&O allows 20 for order numbers and lot ids, with room for the suffixes.
    let number = format!("EXB{}", common::unique_suffix());

    // 1. Header and lines in one change set.
    let header = NewSalesOrderHeaderV2 {
        sales_order_name: Some("Example batch order".to_owned()),
        ordering_customer_account_number: Some(customer.clone()),
        ..NewSalesOrderHeaderV2::new(company.as_str(), number.as_str())
    };
    let mut lots = Vec::new();
    let mut batch = client.batch();
    let mut change_set = batch.change_set();
    let header_slot = change_set.add(client.create::<SalesOrderHeaderV2, _>(&header));
    let mut line_slots = Vec::new();
    for (i, (quantity, price)) in LINES.iter().enumerate() {
        let lot = format!("{number}-{}", i + 1);
        let line = NewSalesOrderLine {
            sales_order_number: Some(number.clone()),
            item_number: Some(item.clone()),
            ordered_sales_quantity: Some(quantity.parse::<Decimal>()?),
            sales_price: Some(price.parse::<Decimal>()?),
            line_description: Some(format!("Example line {}", i + 1)),
            ..NewSalesOrderLine::new(company.as_str(), lot.as_str())
        };
        line_slots.push(change_set.add(client.create::<SalesOrderLine, _>(&line)));
        lots.push(lot);
    }
    println!(
        "sending 1 change set: header {company}/{number} and {} lines",
        LINES.len()
    );
    let mut results = batch.send().await?;
    println!(
        "  {} operations in {} round trip(s)",
        results.len(),
        results.round_trips()
    );
    let etag = results.etag(header_slot).unwrap_or("(none)").to_owned();
    let created = results.take(header_slot)?;
    println!(
        "  header {} -> {:?}, ETag {etag}",
        created.sales_order_number,
        created.sales_order_name.as_deref().unwrap_or(""),
    );
    for slot in line_slots {
        let line = results.take(slot)?;
        println!(
            "  line {} -> order {}",
            line.inventory_lot_id,
            line.sales_order_number.as_deref().unwrap_or("-")
        );
    }

    // 2. Read the order back with its lines.
    let order = client
        .entity_set::<SalesOrderHeaderV2>()
        .filter(h::SALES_ORDER_NUMBER.eq(number.as_str()))
        .expand(h::SALES_ORDER_LINES)
        .first()
        .await?
        .ok_or_else(|| format!("order {number} was not found after its change set succeeded"))?;
    let read_etag = order.etag().cloned();
    let lines = order.sales_order_lines.unwrap_or_default();
    println!(
        "read back {} for customer {} with {} lines:",
        order.sales_order_number,
        order
            .ordering_customer_account_number
            .as_deref()
            .unwrap_or("-"),
        lines.len()
    );
    for line in &lines {
        println!(
            "  {:<16} {:<8} qty {:>6} x {:>8}",
            line.inventory_lot_id,
            line.item_number.as_deref().unwrap_or("-"),
            show(line.ordered_sales_quantity),
            show(line.sales_price),
        );
    }
    if lines.len() != LINES.len() {
        return Err(format!("expected {} lines, read {}", LINES.len(), lines.len()).into());
    }

    // The same update builder as a single call, guarded by the ETag the order was read with.
    let key = SalesOrderHeaderV2Key::new(company.as_str(), number.as_str());
    let rename = SalesOrderHeaderV2Patch {
        sales_order_name: Some("Example batch order, renamed".to_owned()),
        ..SalesOrderHeaderV2Patch::default()
    };
    let mut batch = client.batch();
    let renamed = batch.change_set().add(
        client
            .update::<SalesOrderHeaderV2, _>(&key, &rename)
            .if_match(read_etag.as_ref())
            .cross_company(),
    );
    let mut results = batch.send().await?;
    let new_etag = results.take(renamed)?;
    println!(
        "renamed {number} in a change set guarded by its ETag; new ETag {}",
        new_etag.map_or_else(|| "(none)".to_owned(), |e| e.to_string())
    );

    // 3. A change set that fails: the line's lot id exists already, so its header is not kept.
    let rejected_number = format!("{number}X");
    let mut batch = client.batch();
    let mut change_set = batch.change_set();
    let rejected_header = change_set.add(client.create::<SalesOrderHeaderV2, _>(
        &NewSalesOrderHeaderV2::new(company.as_str(), rejected_number.as_str()),
    ));
    let duplicate_line = change_set.add(client.create::<SalesOrderLine, _>(&NewSalesOrderLine {
        sales_order_number: Some(rejected_number.clone()),
        item_number: Some(item.clone()),
        ..NewSalesOrderLine::new(company.as_str(), lots[0].as_str())
    }));
    println!("sending a change set whose line reuses lot id {}", lots[0]);
    let mut results = batch.send().await?;
    println!("  all succeeded: {}", results.all_succeeded());
    match results.take(duplicate_line) {
        Err(e) => println!(
            "  line:   HTTP {} {}",
            e.status().map_or("-".to_owned(), |s| s.to_string()),
            e.service_error()
                .map(|s| s.infolog().join(" / "))
                .unwrap_or_else(|| e.to_string())
        ),
        Ok(_) => return Err("a line with an existing lot id was created".into()),
    }
    match results.take(rejected_header) {
        Err(Error::Batch(e)) if matches!(*e, BatchError::RolledBack { .. }) => {
            println!("  header: {e}");
        }
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("the header of a failed change set was kept".into()),
    }
    match client
        .get::<SalesOrderHeaderV2>(&SalesOrderHeaderV2Key::new(
            company.as_str(),
            rejected_number.as_str(),
        ))
        .cross_company()
        .await
    {
        Err(e) if e.is_not_found() => println!("  header {rejected_number} does not exist"),
        Err(other) => return Err(other.into()),
        Ok(_) => return Err(format!("order {rejected_number} exists after a rollback").into()),
    }

    // 4. Clean up: the lines, then the header, in one change set.
    let mut batch = client.batch();
    let mut change_set = batch.change_set();
    let mut deletes = Vec::new();
    for lot in &lots {
        let key = SalesOrderLineKey::new(company.as_str(), lot.as_str());
        deletes.push(change_set.add(client.delete::<SalesOrderLine>(&key).cross_company()));
    }
    deletes.push(change_set.add(client.delete::<SalesOrderHeaderV2>(&key).cross_company()));
    let mut results = batch.send().await?;
    for slot in deletes {
        results.take(slot)?;
    }
    println!("deleted order {number} and its {} lines", lots.len());
    Ok(())
}

/// A decimal for printing, `-` when absent.
fn show(value: Option<Decimal>) -> String {
    value.map_or_else(|| "-".to_owned(), |d| d.to_string())
}
