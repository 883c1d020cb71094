//! Export a data project to a package with the data management (DMF) package API, and download
//! the package to a file.
//!
//! ```text
//! cargo run --example dmf_export [-- OUTPUT.zip]
//! ```
//!
//! Runs `ExportToPackage`, polls `GetExecutionSummaryStatus` with exponential backoff until the
//! execution is final, then streams the package from blob storage to disk (through a `.part` file
//! that becomes the output only when the download is a whole ZIP), showing progress. A failed,
//! partly succeeded or never finishing export ends with the execution's errors instead.
//!
//! With no `D365FO_URL` set, it runs against the local sandbox (started on a free loopback port,
//! see `tests/sandbox/`), exporting its `CustomerGroupsExport` project. Against a real environment,
//! set:
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it (or `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//!   `AZURE_CLIENT_SECRET` of an app registration)
//! - `D365FO_DMF_EXPORT_PROJECT`: the export data project (definition group) to run; it must
//!   exist in *Data management* (default `CustomerGroupsExport`)
//! - `D365FO_COMPANY` (optional): the legal entity to export (default `usmf`)
//! - `D365FO_DMF_TIMEOUT_SECS` (optional): how long to wait for the export (default 1800)
//!
//! The package is written to the first argument, else `D365FO_DMF_PACKAGE`, else
//! `dmf-export.zip` in the system's temporary directory.
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use d365fo_odata::dmf::{FlowOptions, PollPolicy};

mod common;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let connection = common::connect()?;
    let client = &connection.client;

    let project = common::env_or("D365FO_DMF_EXPORT_PROJECT", "CustomerGroupsExport");
    let company = common::env_or("D365FO_COMPANY", "usmf");
    let timeout: u64 = common::env_or("D365FO_DMF_TIMEOUT_SECS", "1800").parse()?;
    let output = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("D365FO_DMF_PACKAGE").map(PathBuf::from))
        .unwrap_or_else(|| std::env::temp_dir().join("dmf-export.zip"));

    let options = FlowOptions::new()
        .poll(PollPolicy::default().timeout(Duration::from_secs(timeout)))
        .progress(|done: u64, total: Option<u64>| match total {
            Some(total) => println!("  downloaded {done} of {total} bytes"),
            None => println!("  downloaded {done} bytes"),
        });

    println!(
        "exporting data project {project} of {company} to {}",
        output.display()
    );
    let started = Instant::now();
    let exported = client
        .dmf()
        .export(&project, &company)
        .options(options)
        .to_file(&output)
        .await?;

    let report = &exported.report;
    println!(
        "execution {} ended {} after {} status call(s) in {:.1?}",
        report.execution_id, report.status, report.polls, report.waited
    );
    println!(
        "package: {} ({} bytes), {:.1?} in all",
        output.display(),
        exported.bytes,
        started.elapsed()
    );
    Ok(())
}
