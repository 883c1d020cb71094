//! Data management (DMF) package API: typed calls to the package actions of
//! `DataManagementDefinitionGroups` and the export and import flows built on them.
//!
//! Start from [`Client::dmf`](crate::Client::dmf):
//!
//! | flow | steps | made by |
//! |---|---|---|
//! | export | `ExportToPackage` → poll `GetExecutionSummaryStatus` (exponential backoff, timeout) → `GetExportedPackageUrl` → streamed download, checked to be a ZIP | [`Dmf::export`] → [`ExportFlow::to_file`] / [`ExportFlow::to_writer`] |
//! | import | ZIP check of the file → `GetAzureWriteUrl` → streamed upload (`x-ms-blob-type: BlockBlob`) → `ImportFromPackage` → poll → `GetExecutionErrors`, `GetImportStagingErrorFileUrl` | [`Dmf::import`] → [`ImportFlow::from_file`] |
//!
//! Every action is also a typed call of its own ([`Dmf::export_to_package`],
//! [`Dmf::execution_summary_status`], [`Dmf::azure_write_url`], ...). Results are read in both
//! documented shapes, `{"value": …}` and the nested `{"value": {"value": …}}`; the JSON strings of
//! `GetAzureWriteUrl` and `GetExecutionErrors` are decoded.
//!
//! Storage URLs carry their own signature (SAS) and point at another host: the service's token
//! is never sent to them, plain `http` is used only for loopback hosts of a client built with
//! [`allow_http_loopback`](crate::ClientBuilder::allow_http_loopback), and signatures are
//! redacted from every message and `Debug` output.
//!
//! A flow that does not deliver returns [`Error::Dmf`](crate::Error::Dmf) with a [`DmfError`]:
//! its [`kind`](DmfError::kind) says what happened (failed, partially succeeded, timed out,
//! package missing or corrupt, ...) and its [`report`](DmfError::report) carries the execution
//! id, the last status, the time waited, the error messages and staging error file URLs.
//!
//! ```no_run
//! # async fn run(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
//! use std::time::Duration;
//! use d365fo_odata::dmf::{FlowOptions, PollPolicy};
//!
//! let options = FlowOptions::new().poll(PollPolicy::default().timeout(Duration::from_secs(1800)));
//! let exported = client
//!     .dmf()
//!     .export("CustomerGroupsExport", "usmf")
//!     .options(options.clone())
//!     .to_file("customer-groups.zip")
//!     .await?;
//! println!("{} bytes, execution {}", exported.bytes, exported.report.execution_id);
//!
//! let imported = client
//!     .dmf()
//!     .import("CustomerGroupsImport", "usrt")
//!     .staging_errors_for("Customer groups")
//!     .options(options)
//!     .from_file("customer-groups.zip")
//!     .await?;
//! println!("import {}", imported.report.status);
//! # Ok(()) }
//! ```

mod actions;
mod export;
mod import;
mod options;
mod outcome;
mod package;
mod poll;
mod progress;
mod storage;

// Shared with the rest of the crate and documented once, at `crate::policy`.
pub use crate::error::dmf::ExecutionStatus;
pub use crate::error::dmf::{DmfError, DmfErrorKind, ExecutionReport, StagingErrorFile};
#[doc(no_inline)]
pub use crate::policy::PollPolicy;
pub use actions::{
    AzureWriteUrl, DEFINITION_GROUPS, Dmf, ExportToPackage, ImportFromPackage, NAMESPACE,
};
pub use export::{ExportFlow, ExportedPackage};
pub use import::{ImportFlow, ImportedPackage};
pub use options::FlowOptions;
pub use progress::TransferProgress;
