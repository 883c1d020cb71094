//! `GetMessageStatus` and waiting for a message to reach a final status.
use super::{MessageId, MessageStatus, RecurringJob};
use crate::ActionRequest;
use crate::error::{Error, Result};
use crate::policy::PollPolicy;
use crate::policy::poll::{PollStop, until_final};

/// The entity set `GetMessageStatus` is bound to (as a collection-bound action).
const DEFINITION_GROUPS: &str = "DataManagementDefinitionGroups";
/// The action that reports a message's status.
const GET_MESSAGE_STATUS: &str = "Microsoft.Dynamics.DataEntities.GetMessageStatus";

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

    /// Asks for the status of message `id` as `policy` says until it is final
    /// ([`MessageStatus::is_final`]) and returns that status (which may be a failure: check
    /// [`MessageStatus::is_failure`]).
    ///
    /// # Errors
    /// [`Error::Timeout`] when no final status came within the policy's timeout (its URL names
    /// the message and the last status seen); any error of
    /// [`message_status`](Self::message_status).
    pub async fn wait_for_status(
        &self,
        id: &MessageId,
        policy: PollPolicy,
    ) -> Result<MessageStatus> {
        let ask = || async {
            let status = self.message_status(id).await;
            if let Ok(status) = &status {
                tracing::debug!(message_id = %id, %status, "recurring message status");
            }
            status
        };
        match until_final(&policy, ask, MessageStatus::is_final).await {
            Ok(polled) => Ok(polled.status),
            Err(PollStop::Failed {
                error,
                last,
                polls,
                waited,
            }) => {
                tracing::debug!(
                    message_id = %id,
                    last_status = ?last,
                    polls,
                    waited_ms = waited.as_millis(),
                    "asking for the recurring message status failed"
                );
                Err(error)
            }
            Err(PollStop::TimedOut(polled)) => {
                let url = self.status_action(id).url()?;
                Err(Error::Timeout {
                    method: "POST".to_owned(),
                    url: format!("{url} (message {id}, last status {})", polled.status),
                    after: policy.timeout_after(),
                })
            }
        }
    }
}
