//! `GetMessageStatus` and waiting for a message to reach a final status.

use std::time::Duration;

use super::{MessageId, MessageStatus, RecurringJob};
use crate::ActionRequest;
use crate::error::{Error, Result};

/// The entity set `GetMessageStatus` is bound to (as a collection-bound action).
const DEFINITION_GROUPS: &str = "DataManagementDefinitionGroups";
/// The action that reports a message's status.
const GET_MESSAGE_STATUS: &str = "Microsoft.Dynamics.DataEntities.GetMessageStatus";

/// How [`RecurringJob::wait_for_status`] polls: the first wait, doubling up to a longest wait,
/// until a final status or the timeout.
///
/// Default: 1 s, doubling, at most 30 s apart, for at most 30 minutes.
///
/// ```
/// use std::time::Duration;
/// use d365fo_odata::recurring::StatusWait;
///
/// let wait = StatusWait::default()
///     .first_delay(Duration::from_millis(200))
///     .max_delay(Duration::from_secs(5))
///     .timeout(Duration::from_secs(120));
/// # let _ = wait;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusWait {
    first_delay: Duration,
    max_delay: Duration,
    timeout: Duration,
}

impl Default for StatusWait {
    fn default() -> Self {
        StatusWait {
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl StatusWait {
    /// The wait after the first status call (each later wait doubles, up to
    /// [`max_delay`](Self::max_delay)).
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// The longest wait between two status calls.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How long to wait for a final status in all.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl RecurringJob {
    /// The status of message `id`: `POST
    /// /data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetMessageStatus`.
    ///
    /// # Errors
    /// As the service answers; [`Error::Decode`] when the answer is not `{"value": "<status>"}`.
    pub async fn message_status(&self, id: &MessageId) -> Result<MessageStatus> {
        let status: String = self.status_action(id).value().await?;
        Ok(status.parse().unwrap_or_else(|never| match never {}))
    }

    fn status_action(&self, id: &MessageId) -> ActionRequest {
        self.client
            .entity_set_action(DEFINITION_GROUPS, GET_MESSAGE_STATUS)
            .parameter("messageId", id.as_str())
    }

    /// Asks for the status of message `id` as `wait` says until it is final
    /// ([`MessageStatus::is_final`]) and returns that status (which may be a failure: check
    /// [`MessageStatus::is_failure`]).
    ///
    /// # Errors
    /// [`Error::Timeout`] when no final status came within the wait's timeout (its URL names
    /// the message and the last status seen); any error of
    /// [`message_status`](Self::message_status).
    pub async fn wait_for_status(&self, id: &MessageId, wait: StatusWait) -> Result<MessageStatus> {
        let started = tokio::time::Instant::now();
        let mut delay = wait.first_delay.min(wait.max_delay);
        loop {
            let status = self.message_status(id).await?;
            tracing::debug!(message_id = %id, %status, "recurring message status");
            if status.is_final() {
                return Ok(status);
            }
            let left = wait.timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                let url = self.status_action(id).url()?;
                return Err(Error::Timeout {
                    method: "POST".to_owned(),
                    url: format!("{url} (message {id}, last status {status})"),
                    after: wait.timeout,
                });
            }
            tokio::time::sleep(delay.min(left)).await;
            delay = delay.saturating_mul(2).min(wait.max_delay);
        }
    }
}
