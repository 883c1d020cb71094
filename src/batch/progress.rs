//! Reporting each `$batch` request's outcome as soon as it is known ([`Batch::on_progress`]), so
//! that a caller learns which writes committed even when a later request fails or the send is
//! dropped before it returns.
//!
//! [`Batch::on_progress`]: crate::Batch::on_progress

use std::fmt;

/// Where one operation of a batch stands, as far as the service's data is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationStatus {
    /// Answered with a 2xx status: a write was applied (its change set committed).
    Succeeded,
    /// Answered with an error status other than 429: not applied.
    Failed,
    /// Answered 429: not applied. Sent again after the wait while the batch's retries last.
    Throttled,
    /// Rolled back with its change set, because another operation of it failed: not applied.
    RolledBack,
    /// Not run by the service, or not sent: not applied.
    NotExecuted,
    /// No answer proves what happened (the request failed mid-way, or the response has no
    /// usable part for it): it **may have been applied**. Read it back before repeating a write.
    Unknown,
}

impl OperationStatus {
    /// `true` for an operation the service certainly did not apply ([`Failed`](Self::Failed),
    /// [`Throttled`](Self::Throttled), [`RolledBack`](Self::RolledBack),
    /// [`NotExecuted`](Self::NotExecuted)).
    pub fn is_not_applied(self) -> bool {
        matches!(
            self,
            OperationStatus::Failed
                | OperationStatus::Throttled
                | OperationStatus::RolledBack
                | OperationStatus::NotExecuted
        )
    }
}

/// The outcome of one `$batch` HTTP request of a [`Batch::send`](crate::Batch::send), handed to
/// the observer set with [`Batch::on_progress`](crate::Batch::on_progress) as soon as it is
/// known, before the next request is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChunkProgress {
    /// Which HTTP request of the send this was, counted from 0 (as
    /// [`BatchResults::round_trip_of`](crate::BatchResults::round_trip_of) counts).
    pub round_trip: usize,
    /// Every operation the request carried, by `Content-ID` ([`Slot::content_id`](crate::Slot::content_id)),
    /// in the order they were sent, with where it stands after this request.
    pub operations: Vec<(usize, OperationStatus)>,
    /// Why the request as a whole failed, when it did (its operations are then
    /// [`Unknown`](OperationStatus::Unknown), or [`NotExecuted`](OperationStatus::NotExecuted)
    /// when the failure proves that the service processed nothing).
    pub failure: Option<String>,
}

impl ChunkProgress {
    /// The `Content-ID`s of the operations answered 2xx: the writes among them are committed.
    pub fn succeeded(&self) -> impl Iterator<Item = usize> + '_ {
        self.with(OperationStatus::Succeeded)
    }

    /// The `Content-ID`s of the operations that may have been applied without an answer saying
    /// so ([`OperationStatus::Unknown`]).
    pub fn unknown(&self) -> impl Iterator<Item = usize> + '_ {
        self.with(OperationStatus::Unknown)
    }

    fn with(&self, status: OperationStatus) -> impl Iterator<Item = usize> + '_ {
        self.operations
            .iter()
            .filter(move |(_, s)| *s == status)
            .map(|(id, _)| *id)
    }
}

/// The observer of a batch: called once per `$batch` request.
pub(crate) struct Observer(pub(crate) Box<dyn FnMut(&ChunkProgress) + Send>);

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}
