//! Waiting for a DMF execution: its status asked for as a [`PollPolicy`] says.

use std::time::Duration;

use super::actions::Dmf;
use super::error::{DmfError, DmfErrorKind, ExecutionReport};
use super::status::ExecutionStatus;
use crate::poll::PollPolicy;

impl Dmf {
    /// Asks for the status of `execution_id` as `policy` says until it is final.
    ///
    /// Returns the report with the final status; a timeout is a [`DmfErrorKind::TimedOut`]
    /// carrying the last status seen, and a failed status call a [`DmfErrorKind::Request`] with
    /// the report so far.
    pub(crate) async fn poll(
        &self,
        definition_group_id: &str,
        execution_id: &str,
        policy: &PollPolicy,
    ) -> Result<ExecutionReport, DmfError> {
        let started = tokio::time::Instant::now();
        let mut report = ExecutionReport {
            definition_group_id: definition_group_id.to_owned(),
            execution_id: execution_id.to_owned(),
            status: ExecutionStatus::NotRun,
            polls: 0,
            waited: Duration::ZERO,
            errors: Vec::new(),
            staging_error_files: Vec::new(),
        };
        let mut delays = policy.delays();
        loop {
            let status = self.execution_summary_status(execution_id).await;
            report.polls += 1;
            report.waited = started.elapsed();
            report.status = match status {
                Ok(status) => status,
                Err(e) => {
                    return Err(DmfError::new(
                        DmfErrorKind::Request,
                        format!("asking for the status of execution {execution_id} failed"),
                    )
                    .with_report(&report)
                    .with_source(e));
                }
            };
            tracing::debug!(execution_id, status = %report.status, polls = report.polls, "DMF status");
            if report.status.is_final() {
                return Ok(report);
            }
            let left = policy.timeout_after().saturating_sub(report.waited);
            if left.is_zero() {
                return Err(DmfError::new(
                    DmfErrorKind::TimedOut,
                    format!(
                        "execution {execution_id} did not finish within {:.1}s",
                        policy.timeout_after().as_secs_f64()
                    ),
                )
                .with_report(&report));
            }
            let delay = delays.next().unwrap_or(policy.longest_delay());
            tokio::time::sleep(delay.min(left)).await;
        }
    }
}
