//! [`PollPolicy`]: how often and how long an execution's status is asked for.

use std::time::Duration;

use super::actions::Dmf;
use super::error::{DmfError, DmfErrorKind, ExecutionReport};
use super::status::ExecutionStatus;

/// When `GetExecutionSummaryStatus` is called while waiting for an execution: at once, then
/// after `first_delay`, each delay `multiplier` times the one before up to `max_delay`, until a
/// final status or `timeout` (counted from the first call).
///
/// Default: 1 s, doubling, at most 30 s apart, for at most one hour.
///
/// ```
/// use std::time::Duration;
/// use d365fo_odata::dmf::PollPolicy;
/// let policy = PollPolicy::default()
///     .first_delay(Duration::from_millis(500))
///     .timeout(Duration::from_secs(600));
/// let delays: Vec<_> = policy.delays().take(4).collect();
/// assert_eq!(delays, [500, 1000, 2000, 4000].map(Duration::from_millis));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    first_delay: Duration,
    max_delay: Duration,
    multiplier: u32,
    timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            multiplier: 2,
            timeout: Duration::from_secs(3600),
        }
    }
}

impl PollPolicy {
    /// The wait after the first status call.
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// The longest wait between two status calls.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How much each wait grows (1: a fixed interval; 0 is taken as 1).
    pub fn multiplier(mut self, multiplier: u32) -> Self {
        self.multiplier = multiplier.max(1);
        self
    }

    /// How long to wait for a final status before giving up with
    /// [`DmfErrorKind::TimedOut`]. The execution itself goes on in F&O.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The waits between status calls, in order (endless; the timeout ends the polling).
    pub fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        let (max, multiplier) = (self.max_delay, self.multiplier);
        std::iter::successors(Some(self.first_delay.min(max)), move |d| {
            Some(d.saturating_mul(multiplier).min(max))
        })
    }
}

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
            let left = policy.timeout.saturating_sub(report.waited);
            if left.is_zero() {
                return Err(DmfError::new(
                    DmfErrorKind::TimedOut,
                    format!(
                        "execution {execution_id} did not finish within {:.1}s",
                        policy.timeout.as_secs_f64()
                    ),
                )
                .with_report(&report));
            }
            let delay = delays.next().unwrap_or(policy.max_delay);
            tokio::time::sleep(delay.min(left)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap() {
        let policy = PollPolicy::default()
            .first_delay(Duration::from_secs(1))
            .max_delay(Duration::from_secs(5))
            .multiplier(3);
        let delays: Vec<u64> = policy.delays().take(5).map(|d| d.as_secs()).collect();
        assert_eq!(delays, [1, 3, 5, 5, 5]);
        let fixed: Vec<u64> = policy
            .multiplier(0)
            .delays()
            .take(3)
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(fixed, [1, 1, 1]);
    }
}
