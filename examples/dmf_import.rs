//! Import a package with the data management (DMF) package API: upload it to blob storage,
//! import it with a data project, and report the rows that failed.
//!
//! ```text
//! cargo run --example dmf_import [-- PACKAGE.zip]
//! ```
//!
//! Checks the file is a ZIP, asks `GetAzureWriteUrl` for a blob, streams the file to it (with
//! `x-ms-blob-type: BlockBlob`, never with the service's token), runs `ImportFromPackage`, polls
//! `GetExecutionSummaryStatus` until final, and prints the outcome. An import that ends
//! `PartiallySucceeded` is accepted here and its error messages and staging error file are
//! printed; `Failed` or no final status in time ends with the execution's errors.
//!
//! With no `D365FO_URL` set, it runs against the local sandbox (started on a free loopback port,
//! see `tests/sandbox/`): with no package given, it first exports the `usmf` customer groups with
//! `CustomerGroupsExport` and imports that package into `usrt` with `CustomerGroupsImport`.
//! Against a real environment (which this changes: use a test environment), set:
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it (or `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//!   `AZURE_CLIENT_SECRET` of an app registration)
//! - `D365FO_DMF_PACKAGE`: the package to import (or give it as the first argument), e.g. one made
//!   by the `dmf_export` example or exported from *Data management*
//! - `D365FO_DMF_IMPORT_PROJECT`: the import data project (definition group) whose entities match
//!   the package (default `CustomerGroupsImport`)
//! - `D365FO_DMF_ENTITY` (optional): the entity whose staging error file to fetch when rows fail
//!   (default `Customer groups`)
//! - `D365FO_COMPANY` (optional): the legal entity to import into (default `usrt`)
//! - `D365FO_DMF_TIMEOUT_SECS` (optional): how long to wait for the import (default 1800)
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use d365fo_odata::dmf::{FlowOptions, PollPolicy};

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let connection = common::connect()?;
    let client = &connection.client;

    let project = common::env_or("D365FO_DMF_IMPORT_PROJECT", "CustomerGroupsImport");
    let entity = common::env_or("D365FO_DMF_ENTITY", "Customer groups");
    let company = common::env_or("D365FO_COMPANY", "usrt");
    let timeout: u64 = common::env_or("D365FO_DMF_TIMEOUT_SECS", "1800").parse()?;
    let options = FlowOptions::new()
        .poll(PollPolicy::default().timeout(Duration::from_secs(timeout)))
        .accept_partial_success(true);

    let given = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("D365FO_DMF_PACKAGE").map(PathBuf::from));
    let package = match given {
        Some(path) => path,
        None if connection.is_sandbox() => {
            let path = std::env::temp_dir().join("dmf-import-source.zip");
            println!(
                "no package given: exporting the usmf customer groups to {}",
                path.display()
            );
            client
                .dmf()
                .export("CustomerGroupsExport", "usmf")
                .options(options.clone())
                .to_file(&path)
                .await?;
            path
        }
        None => {
            return Err(
                "set D365FO_DMF_PACKAGE (or pass the package path) to import into a \
                        real environment"
                    .into(),
            );
        }
    };

    println!(
        "importing {} with data project {project} into {company}",
        package.display()
    );
    let imported = client
        .dmf()
        .import(&project, &company)
        .staging_errors_for(&entity)
        .options(options.progress(|done: u64, total: Option<u64>| {
            println!("  uploaded {done} of {} bytes", total.unwrap_or(done));
        }))
        .from_file(&package)
        .await?;

    let report = &imported.report;
    println!(
        "execution {} ended {} after {} status call(s) in {:.1?} (blob {}, {} bytes)",
        report.execution_id,
        report.status,
        report.polls,
        report.waited,
        imported.blob_id,
        imported.bytes
    );
    for message in &report.errors {
        println!("  error: {message}");
    }
    for file in &report.staging_error_files {
        println!("  rows that failed for {}: {}", file.entity_name, file.url);
    }
    Ok(())
}
