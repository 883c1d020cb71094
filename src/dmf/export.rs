//! [`ExportFlow`]: export a data project to a package and download it.

use std::path::{Path, PathBuf};

use tokio::io::AsyncWrite;

use super::actions::{Dmf, ExportToPackage};
use super::options::FlowOptions;
use super::storage::Transfer;
use crate::error::Result;
use crate::error::dmf::{DmfError, DmfErrorKind, ExecutionReport};

/// An export: `ExportToPackage`, then `GetExecutionSummaryStatus` until final (see
/// [`PollPolicy`](super::PollPolicy)), then `GetExportedPackageUrl` and a streamed download;
/// made by [`Dmf::export`].
///
/// The download is checked to be a whole ZIP; a file download is written to `<name>.part` and
/// renamed only when it is, so a failed or corrupt download never leaves a file behind.
#[derive(Debug)]
#[must_use = "an export does nothing until to_file or to_writer is awaited"]
pub struct ExportFlow {
    dmf: Dmf,
    parameters: ExportToPackage,
    options: FlowOptions,
}

/// A finished export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedPackage {
    /// The execution (final status `Succeeded`, or `PartiallySucceeded` with its errors when
    /// accepted).
    pub report: ExecutionReport,
    /// The package's size in bytes.
    pub bytes: u64,
    /// Where the package was written, for [`ExportFlow::to_file`].
    pub path: Option<PathBuf>,
}

impl Dmf {
    /// An export of the data project `definition_group_id` for the legal entity
    /// `legal_entity_id`, into a package named after the project.
    pub fn export(&self, definition_group_id: &str, legal_entity_id: &str) -> ExportFlow {
        ExportFlow {
            dmf: self.clone(),
            parameters: ExportToPackage {
                definition_group_id: definition_group_id.to_owned(),
                package_name: definition_group_id.to_owned(),
                execution_id: String::new(),
                re_execute: false,
                legal_entity_id: legal_entity_id.to_owned(),
            },
            options: FlowOptions::default(),
        }
    }
}

impl ExportFlow {
    /// The package's name in storage (default: the data project's id).
    pub fn package_name(mut self, name: &str) -> Self {
        self.parameters.package_name = name.to_owned();
        self
    }

    /// Uses `execution_id` instead of one F&O makes; with `re_execute`, runs an execution id
    /// that ran before again.
    pub fn execution_id(mut self, execution_id: &str, re_execute: bool) -> Self {
        self.parameters.execution_id = execution_id.to_owned();
        self.parameters.re_execute = re_execute;
        self
    }

    /// Polling, partial success, transfer timeout and progress.
    pub fn options(mut self, options: FlowOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the export and downloads the package to `path` (replacing a file there).
    ///
    /// # Errors
    /// [`Error::Dmf`](crate::Error::Dmf) with the execution's report when it ends `Failed`,
    /// `Canceled` or `PartiallySucceeded` (unless accepted), does not finish in time, has no
    /// package URL, the package is gone (404) or not a ZIP, or the transfer or file write fails
    /// (nothing is left at `path` then); the service's refusal of a call as its
    /// [`Error`](crate::Error) variant when the export could not even start.
    pub async fn to_file(self, path: impl AsRef<Path>) -> Result<ExportedPackage> {
        let path = path.as_ref();
        let (report, url) = self.run().await?;
        let bytes = self
            .transfer()
            .download_to_file(&url, path)
            .await
            .map_err(|e| e.with_report(&report))?;
        Ok(ExportedPackage {
            report,
            bytes,
            path: Some(path.to_owned()),
        })
    }

    /// Runs the export and streams the package into `writer`. The ZIP check runs as the bytes
    /// go by; a corrupt package is reported after it was written, so the caller must discard
    /// what `writer` received when this fails.
    ///
    /// # Errors
    /// As [`to_file`](Self::to_file).
    pub async fn to_writer<W: AsyncWrite + Unpin>(self, writer: &mut W) -> Result<ExportedPackage> {
        let (report, url) = self.run().await?;
        let probe = self
            .transfer()
            .download(&url, writer)
            .await
            .map_err(|e| e.with_report(&report))?;
        if let Some(problem) = probe.problem() {
            return Err(DmfError::new(
                DmfErrorKind::CorruptPackage,
                format!("the downloaded package is not a data package: {problem}"),
            )
            .with_report(&report)
            .into());
        }
        Ok(ExportedPackage {
            report,
            bytes: probe.len(),
            path: None,
        })
    }

    fn transfer(&self) -> Transfer<'_> {
        Transfer {
            client: self.dmf.client(),
            timeout: self.options.transfer_timeout,
            progress: self.options.progress.clone(),
        }
    }

    /// Starts the export, waits for it, and returns its report and package URL.
    async fn run(&self) -> Result<(ExecutionReport, String)> {
        let dmf = &self.dmf;
        let group = &self.parameters.definition_group_id;
        let execution_id = dmf.export_to_package(&self.parameters).await?;
        let report = dmf.poll(group, &execution_id, &self.options.poll).await?;
        let what = format!("export {execution_id} of {group}");
        let report = dmf.settle(report, &self.options, &[], &what).await?;
        let url = dmf.exported_package_url(&execution_id).await.map_err(|e| {
            DmfError::new(
                DmfErrorKind::Request,
                format!("{what}: asking for the package URL failed"),
            )
            .with_report(&report)
            .with_source(e)
        })?;
        let url = url.ok_or_else(|| {
            DmfError::new(
                DmfErrorKind::NoPackageUrl,
                format!("{what} ended {} but has no package URL", report.status),
            )
            .with_report(&report)
        })?;
        Ok((report, url))
    }
}
