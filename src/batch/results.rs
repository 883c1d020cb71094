//! Slots and results: a [`Slot<T>`] is the handle of one operation, typed by the value its
//! response decodes to; [`BatchResults`] holds every operation's outcome and hands out values by
//! slot.

use std::fmt;
use std::marker::PhantomData;

use url::Url;

use super::operation::Operation;
use super::parse::PartResponse;
use super::progress::OperationStatus;
use crate::error::BatchError;
use crate::error::{Error, Result};
use crate::transport::status_error;
use crate::wire::Decode;

/// The handle of one operation of a [`Batch`](crate::Batch), typed by what its response decodes
/// to, the value the single call yields: `Slot<Page<CustomerV3>>` for a query,
/// `Slot<SalesOrderHeaderV2>` for a create or a get, `Slot<Option<ETag>>` for an update,
/// `Slot<()>` for a delete.
///
/// Slots are `Copy`; hand one to [`BatchResults::take`] (or [`get`](BatchResults::get)) after
/// [`Batch::send`](crate::Batch::send) to get the value or that operation's error.
pub struct Slot<T> {
    pub(crate) batch: u64,
    pub(crate) index: usize,
    pub(crate) decode: Decode<T>,
    pub(crate) change_set: Option<usize>,
    value: PhantomData<fn() -> T>,
}

impl<T> Slot<T> {
    pub(crate) fn new(
        batch: u64,
        index: usize,
        change_set: Option<usize>,
        decode: Decode<T>,
    ) -> Self {
        Slot {
            batch,
            index,
            decode,
            change_set,
            value: PhantomData,
        }
    }

    /// The operation's `Content-ID` in the batch (its position, counted from 1).
    pub fn content_id(&self) -> usize {
        self.index + 1
    }
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Slot<T> {}

impl<T> fmt::Debug for Slot<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slot")
            .field("content_id", &self.content_id())
            .field("change_set", &self.change_set)
            .finish()
    }
}

/// What happened to one operation.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// The service answered (any status).
    Answered(PartResponse),
    /// No answer of its own.
    Failed(BatchError),
    /// The value was taken.
    Taken,
}

impl Outcome {
    /// Where the operation stands as far as the service's data is concerned.
    pub(crate) fn status(&self) -> OperationStatus {
        match self {
            Outcome::Answered(part) if part.status.is_success() => OperationStatus::Succeeded,
            Outcome::Answered(part) if part.status.as_u16() == 429 => OperationStatus::Throttled,
            Outcome::Answered(_) => OperationStatus::Failed,
            Outcome::Taken => OperationStatus::Succeeded,
            Outcome::Failed(error) => match error {
                BatchError::RolledBack { .. } => OperationStatus::RolledBack,
                BatchError::NotExecuted { .. } => OperationStatus::NotExecuted,
                _ => OperationStatus::Unknown,
            },
        }
    }
}

/// The outcome of every operation of a sent batch.
///
/// The `$batch` request itself succeeds even when operations fail (the service answers 200 and
/// reports failures per operation), so each slot is checked on its own: [`take`](Self::take)
/// returns the slot's value or its error — the service's error for that operation
/// ([`Error::NotFound`], [`Error::Service`], [`Error::Throttled`], ...) or an [`Error::Batch`]
/// saying it was rolled back with its change set, not executed, or not answered.
#[derive(Debug)]
pub struct BatchResults {
    pub(crate) batch: u64,
    /// The service root, for next links in the answers.
    pub(crate) root: Url,
    pub(crate) ops: Vec<Operation>,
    pub(crate) outcomes: Vec<Outcome>,
    pub(crate) carried_by: Vec<Option<usize>>,
    pub(crate) round_trips: usize,
}

impl BatchResults {
    /// The value of `slot`, decoded, or that operation's error. A value is moved out: a second
    /// call for the same slot returns [`BatchError::AlreadyTaken`]. An error stays: every call
    /// returns it again, and [`all_succeeded`](Self::all_succeeded) stays `false`.
    ///
    /// # Errors
    /// The operation's error: the service's error status as its typed [`Error`], an
    /// [`Error::Batch`] when it has no answer of its own, [`Error::Decode`] when the body does not
    /// decode into `T`.
    pub fn take<T>(&mut self, slot: Slot<T>) -> Result<T> {
        let value = self.get(slot);
        if value.is_ok()
            && slot.batch == self.batch
            && let Some(outcome) = self.outcomes.get_mut(slot.index)
        {
            *outcome = Outcome::Taken;
        }
        value
    }

    /// The value of `slot`, decoded, leaving it in place (so it can be read again).
    ///
    /// # Errors
    /// As [`take`](Self::take).
    pub fn get<T>(&self, slot: Slot<T>) -> Result<T> {
        let (op, outcome) = self.lookup(slot)?;
        match outcome {
            Outcome::Answered(part) if part.status.is_success() => {
                (slot.decode)(&op.answer(&self.root, part))
            }
            Outcome::Answered(part) => Err(status_error(
                op.method(),
                &op.url,
                part.status,
                &part.headers,
                &part.body,
            )),
            Outcome::Failed(error) => Err(Error::Batch(Box::new(error.clone()))),
            Outcome::Taken => Err(Error::Batch(Box::new(BatchError::AlreadyTaken {
                operation: op.describe(),
            }))),
        }
    }

    /// The HTTP status the service answered `slot`'s operation with; `None` when it has no
    /// answer of its own.
    pub fn status<T>(&self, slot: Slot<T>) -> Option<u16> {
        match self.lookup(slot).ok()?.1 {
            Outcome::Answered(part) => Some(part.status.as_u16()),
            _ => None,
        }
    }

    /// Where `slot`'s operation stands: applied, certainly not applied (and why), or unknown
    /// (it may have been applied). `None` for a slot of another batch.
    pub fn operation_status<T>(&self, slot: Slot<T>) -> Option<OperationStatus> {
        self.lookup(slot).ok().map(|(_, o)| o.status())
    }

    /// `true` when `slot`'s operation was answered with a 2xx status.
    pub fn is_success<T>(&self, slot: Slot<T>) -> bool {
        self.status(slot).is_some_and(|s| (200..300).contains(&s))
    }

    /// The `ETag` the service returned for `slot`'s operation (a create or an update), for a
    /// later `If-Match`.
    pub fn etag<T>(&self, slot: Slot<T>) -> Option<&str> {
        match self.lookup(slot).ok()?.1 {
            Outcome::Answered(part) => part.headers.get("etag")?.to_str().ok(),
            _ => None,
        }
    }

    /// Which HTTP request (counted from 0) carried `slot`'s operation to the service that
    /// answered it (a rolled-back operation counts: its change set was answered); `None` when
    /// the service did not reach it. A batch larger than its operation cap is sent as several requests, and
    /// re-sent throttled operations travel in later ones.
    pub fn round_trip_of<T>(&self, slot: Slot<T>) -> Option<usize> {
        if slot.batch != self.batch {
            return None;
        }
        self.carried_by.get(slot.index).copied().flatten()
    }

    /// How many `$batch` HTTP requests were sent (chunks and re-sent throttled operations;
    /// retries of a whole request by the client's retry policy are not counted).
    pub fn round_trips(&self) -> usize {
        self.round_trips
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// `true` when the batch had no operations.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// `true` when every operation was answered with a 2xx status (taken values count as
    /// answered; an error stays an error after it was taken).
    pub fn all_succeeded(&self) -> bool {
        self.outcomes.iter().all(|o| match o {
            Outcome::Answered(part) => part.status.is_success(),
            Outcome::Failed(_) => false,
            Outcome::Taken => true,
        })
    }

    fn lookup<T>(&self, slot: Slot<T>) -> Result<(&Operation, &Outcome)> {
        if slot.batch != self.batch {
            return Err(Error::Batch(Box::new(BatchError::ForeignSlot)));
        }
        match (self.ops.get(slot.index), self.outcomes.get(slot.index)) {
            (Some(op), Some(outcome)) => Ok((op, outcome)),
            _ => Err(Error::Batch(Box::new(BatchError::ForeignSlot))),
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use reqwest::header::HeaderMap;
    use reqwest::{Method, StatusCode};
    use url::Url;

    use super::*;
    use crate::wire::Answer;

    fn decode_nothing(_: &Answer<'_>) -> Result<()> {
        Ok(())
    }

    fn results(statuses: &[u16]) -> BatchResults {
        let ops = (0..statuses.len())
            .map(|i| Operation::test(i, Method::POST, "SalesOrderLines", Some("{}")))
            .collect();
        let outcomes = statuses
            .iter()
            .map(|&s| {
                Outcome::Answered(PartResponse {
                    content_id: None,
                    status: StatusCode::from_u16(s).unwrap(),
                    headers: HeaderMap::new(),
                    body: Bytes::from_static(b"{}"),
                    offset: 0,
                })
            })
            .collect();
        BatchResults {
            batch: 7,
            root: Url::parse("https://fno.example/data/").unwrap(),
            ops,
            outcomes,
            carried_by: vec![Some(0); statuses.len()],
            round_trips: 1,
        }
    }

    #[test]
    fn taking_a_failed_slot_does_not_make_the_batch_succeed() {
        let mut results = results(&[201, 500]);
        let ok: Slot<()> = Slot::new(7, 0, Some(0), decode_nothing);
        let failed: Slot<()> = Slot::new(7, 1, Some(0), decode_nothing);
        assert!(!results.all_succeeded());
        results.take(ok).unwrap();
        assert_eq!(results.take(failed).unwrap_err().status(), Some(500));
        assert!(!results.all_succeeded(), "a taken error is still an error");
        assert_eq!(
            results.take(failed).unwrap_err().status(),
            Some(500),
            "the error is returned again"
        );
        assert_eq!(
            results.operation_status(failed),
            Some(OperationStatus::Failed)
        );
        assert_eq!(
            results.operation_status(ok),
            Some(OperationStatus::Succeeded)
        );
        let again = results.take(ok).unwrap_err();
        assert!(
            matches!(&again, Error::Batch(b) if matches!(**b, BatchError::AlreadyTaken { .. })),
            "{again}"
        );
    }

    #[test]
    fn all_succeeded_after_every_success_is_taken() {
        let mut results = results(&[200, 204]);
        for i in 0..2 {
            results
                .take(Slot::<()>::new(7, i, None, decode_nothing))
                .unwrap();
        }
        assert!(results.all_succeeded());
    }
}
