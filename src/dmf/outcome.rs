//! Turning an execution's final status into the flow's result: success, or a [`DmfError`] with
//! the execution's error messages and staging error files.

use super::actions::Dmf;
use super::options::FlowOptions;
use crate::error::dmf::ExecutionStatus;
use crate::error::dmf::{DmfError, DmfErrorKind, ExecutionReport, StagingErrorFile};

impl Dmf {
    /// Completes `report` (final status) into the flow's outcome. Unless the execution
    /// succeeded, reads its error messages and the staging error files of `entity_names`;
    /// `Failed`, `Canceled` and (unless accepted) `PartiallySucceeded` are errors.
    pub(crate) async fn settle(
        &self,
        mut report: ExecutionReport,
        options: &FlowOptions,
        entity_names: &[String],
        what: &str,
    ) -> Result<ExecutionReport, DmfError> {
        if report.status == ExecutionStatus::Succeeded {
            return Ok(report);
        }
        let id = report.execution_id.clone();
        let request_failed = |report: &ExecutionReport, call: &str, e: crate::Error| {
            DmfError::new(
                DmfErrorKind::Request,
                format!("{what} ended {}, and {call} failed", report.status),
            )
            .with_report(report)
            .with_source(e)
        };
        report.errors = self
            .execution_errors(&id)
            .await
            .map_err(|e| request_failed(&report, "reading its errors", e))?;
        for entity_name in entity_names {
            let url = self
                .import_staging_error_file_url(&id, entity_name)
                .await
                .map_err(|e| request_failed(&report, "asking for its staging error file", e))?;
            if let Some(url) = url {
                report.staging_error_files.push(StagingErrorFile {
                    entity_name: entity_name.clone(),
                    url,
                });
            }
        }
        let kind = match report.status {
            ExecutionStatus::PartiallySucceeded if options.accept_partial => return Ok(report),
            ExecutionStatus::PartiallySucceeded => DmfErrorKind::PartiallySucceeded,
            ExecutionStatus::Canceled => DmfErrorKind::Canceled,
            _ => DmfErrorKind::ExecutionFailed,
        };
        Err(DmfError::new(kind, format!("{what} ended {}", report.status)).with_report(&report))
    }
}
