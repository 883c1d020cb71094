//! Predicates on [`Error`] for the outcomes of writes a caller handles specially.

use crate::error::Error;

impl Error {
    /// `true` when the service answered 409 Conflict: a create whose key already exists (F&O:
    /// "The record already exists"), or a write that collides with the entity's current state.
    ///
    /// The error is an [`Error::Service`] carrying the service's message and Infolog.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Service(e) if e.status == 409)
    }

    /// `true` for [`Error::PreconditionFailed`]: the ETag sent in `If-Match` is stale (someone
    /// changed the entity since it was read), or the service required an `If-Match`.
    pub fn is_precondition_failed(&self) -> bool {
        matches!(self, Error::PreconditionFailed(_))
    }
}
