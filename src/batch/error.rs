//! [`BatchError`]: why one operation of a `$batch` has no result of its own.

use crate::service_error::ServiceError;

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
    /// without [`continue_on_error`](crate::Batch::continue_on_error)), or the request carrying
    /// it was never sent because an earlier one failed.
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

    /// The response had no part for the operation although the service went on after the
    /// previous part: a malformed response.
    #[error("the $batch response has no part for {operation} (response ends at byte {offset})")]
    MissingResponse {
        /// The operation.
        operation: String,
        /// Byte offset in the response body where its part was expected.
        offset: usize,
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
}
