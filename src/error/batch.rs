//! [`BatchError`]: why one operation of a `$batch` has no result of its own.

use crate::error::service::ServiceError;

/// Why one operation of a batch has no result of its own, found in
/// [`Error::Batch`](crate::Error::Batch).
///
/// An operation the service answered with an error status gets that status's own [`Error`](crate::Error)
/// (`NotFound`, `Service`, `Throttled`, ...) instead; these are the cases where the operation
/// itself was not answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// Another operation of the same change set failed, so the service rolled back the whole
    /// change set: this operation's changes were not kept.
    #[error("{operation} was rolled back with its change set: {cause}")]
    RolledBack {
        /// The operation, e.g. `POST https://host/data/SalesOrderHeadersV2`.
        operation: String,
        /// The failure that rolled the change set back.
        cause: Box<ServiceError>,
    },

    /// The service did not run the operation: it stopped at an earlier failure (batches sent
    /// without [`continue_on_error`](crate::Batch::continue_on_error)), the request carrying it
    /// was never sent because an earlier one failed, or the service refused that request with a
    /// status that proves it processed nothing (429).
    #[error("{operation} was not executed: {reason}")]
    NotExecuted {
        /// The operation.
        operation: String,
        /// What stopped it.
        reason: String,
    },

    /// The request carrying the operation failed or its response could not be read, so whether
    /// the service applied it is unknown (read it back before repeating a write).
    #[error("no response for {operation}: {reason}")]
    NoResponse {
        /// The operation.
        operation: String,
        /// The failure of the request that carried it.
        reason: String,
    },

    /// The response had no part for the operation, and nothing proves that the service did not
    /// run it: it went on after earlier failures ([`continue_on_error`](crate::Batch::continue_on_error)),
    /// or the parts before answered 2xx. It **may have been applied**: read it back before
    /// repeating a write. Never sent again by the batch.
    #[error(
        "the $batch response has no part for {operation} (expected at byte {offset});          it may have been applied"
    )]
    MissingResponse {
        /// The operation.
        operation: String,
        /// Byte offset in the response body where its part was expected: the closing delimiter
        /// of the change set or of the whole response.
        offset: usize,
    },

    /// The answer to the operation's unit (a change set, or a request on its own) cannot be tied
    /// to its requests: a part whose `Content-ID` names none of them or repeats one, a part
    /// without `Content-ID` where its position does not tell, more parts than requests, or a
    /// success answer for a whole change set. It **may have been applied**: read it back before
    /// repeating a write. Never sent again by the batch.
    #[error(
        "the $batch response's answer for {operation} is malformed at byte {offset}: {problem};          it may have been applied"
    )]
    MalformedResponse {
        /// The operation.
        operation: String,
        /// Byte offset in the response body of the part that does not fit.
        offset: usize,
        /// What does not fit.
        problem: String,
    },

    /// The slot's value was already taken with [`BatchResults::take`](crate::BatchResults::take).
    #[error("the result of {operation} was already taken")]
    AlreadyTaken {
        /// The operation.
        operation: String,
    },

    /// The slot belongs to another batch.
    #[error("the slot belongs to another batch")]
    ForeignSlot,
}

impl BatchError {
    /// The service failure behind a rolled-back operation.
    pub fn cause(&self) -> Option<&ServiceError> {
        match self {
            BatchError::RolledBack { cause, .. } => Some(cause),
            _ => None,
        }
    }

    /// `true` when the service may have applied the operation although it has no answer of its
    /// own ([`NoResponse`](Self::NoResponse), [`MissingResponse`](Self::MissingResponse),
    /// [`MalformedResponse`](Self::MalformedResponse)): read it back before repeating a write.
    /// `false` when it was certainly not applied ([`RolledBack`](Self::RolledBack),
    /// [`NotExecuted`](Self::NotExecuted)) or for the misuse variants.
    pub fn may_have_been_applied(&self) -> bool {
        matches!(
            self,
            BatchError::NoResponse { .. }
                | BatchError::MissingResponse { .. }
                | BatchError::MalformedResponse { .. }
        )
    }
}
