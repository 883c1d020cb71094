//! Waiting for a DMF execution: its status asked for as a [`PollPolicy`] says, by the crate's
//! one polling loop ([`until_final`]).

use std::time::Duration;

use super::actions::Dmf;
use crate::error::dmf::ExecutionStatus;
use crate::error::dmf::{DmfError, DmfErrorKind, ExecutionReport};
use crate::policy::PollPolicy;
use crate::policy::poll::{PollStop, Polled, until_final};

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
        let report = |status: ExecutionStatus, polls: u32, waited: Duration| ExecutionReport {
            definition_group_id: definition_group_id.to_owned(),
            execution_id: execution_id.to_owned(),
            status,
            polls,
            waited,
            errors: Vec::new(),
            staging_error_files: Vec::new(),
        };
        let ask = || async {
            let status = self.execution_summary_status(execution_id).await;
            if let Ok(status) = &status {
                tracing::debug!(execution_id, %status, "DMF status");
            }
            status
        };
        match until_final(policy, ask, ExecutionStatus::is_final).await {
            Ok(Polled {
                status,
                polls,
                waited,
            }) => Ok(report(status, polls, waited)),
            Err(PollStop::TimedOut(Polled {
                status,
                polls,
                waited,
            })) => Err(DmfError::new(
                DmfErrorKind::TimedOut,
                format!(
                    "execution {execution_id} did not finish within {:.1}s",
                    policy.timeout_after().as_secs_f64()
                ),
            )
            .with_report(&report(status, polls, waited))),
            Err(PollStop::Failed {
                error,
                last,
                polls,
                waited,
            }) => Err(DmfError::new(
                DmfErrorKind::Request,
                format!("asking for the status of execution {execution_id} failed"),
            )
            .with_report(&report(
                last.unwrap_or(ExecutionStatus::NotRun),
                polls,
                waited,
            ))
            .with_source(error)),
        }
    }
}
