//! `GetMessageStatus` and waiting for a message to reach a final status.

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;

use super::{MessageId, MessageStatus, RecurringJob};
use crate::crud::{accept_json, resource_url, with_json_body};
use crate::error::{Error, Result};
use crate::transport::{self, Request};

/// The action that reports a message's status, bound to the `DataManagementDefinitionGroups`
/// collection.
const GET_MESSAGE_STATUS: &str =
    "DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetMessageStatus";

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

#[derive(Deserialize)]
struct Value {
    value: String,
}

impl RecurringJob {
    /// The status of message `id`: `POST
    /// /data/DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetMessageStatus`.
    ///
    /// # Errors
    /// As the service answers; [`Error::Decode`] when the answer is not `{"value": "<status>"}`.
    pub async fn message_status(&self, id: &MessageId) -> Result<MessageStatus> {
        let url = resource_url(&self.client, GET_MESSAGE_STATUS, false)?;
        let body = serde_json::json!({ "messageId": id.as_str() }).to_string();
        let request = with_json_body(
            accept_json(Request::new(Method::POST, url.clone())),
            body.into(),
        )
        // Reading a status changes nothing.
        .idempotent(true);
        let response = transport::send(&self.client, request).await?;
        let Value { value } = serde_json::from_slice(&response.body)
            .map_err(|e| Error::decode("GetMessageStatus result", url.as_str(), &e))?;
        Ok(value.parse().unwrap_or_else(|never| match never {}))
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
                let url = resource_url(&self.client, GET_MESSAGE_STATUS, false)?;
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
