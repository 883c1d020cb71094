//! What a caller asks of an [`Error`]: the service's answer behind it, its status and activity
//! id, and whether it may have changed data.

use super::{Error, ServiceError};

impl Error {
    /// The service error behind this error, when the service answered with an error status.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::NotFound(e)
            | Error::PreconditionFailed(e)
            | Error::Auth(e)
            | Error::Service(e)
            | Error::Throttled { error: e, .. } => Some(e),
            Error::MayHaveBeenApplied { source, .. } => source.service_error(),
            _ => None,
        }
    }

    /// The HTTP status the service answered with, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.service_error().map(|e| e.status)
    }

    /// The activity id the service assigned to the failed request (F&O's `ms-dyn-aid` header),
    /// which Microsoft support asks for.
    pub fn activity_id(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.activity_id.as_deref())
    }

    /// The data management details, for [`Error::Dmf`].
    #[cfg(feature = "dmf")]
    #[cfg_attr(docsrs, doc(cfg(feature = "dmf")))]
    pub fn dmf(&self) -> Option<&super::dmf::DmfError> {
        match self {
            Error::Dmf(e) => Some(e),
            _ => None,
        }
    }

    /// `true` for [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound(_))
    }

    /// `true` for [`Error::Throttled`].
    pub fn is_throttled(&self) -> bool {
        matches!(self, Error::Throttled { .. })
    }

    /// `true` for [`Error::Timeout`], also inside [`Error::MayHaveBeenApplied`].
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::MayHaveBeenApplied { source, .. } => source.is_timeout(),
            _ => false,
        }
    }

    /// `true` when the request may have changed data although it failed: for
    /// [`Error::MayHaveBeenApplied`], and for an [`Error::NotFound`] or
    /// [`Error::PreconditionFailed`] answered to a write whose earlier attempt was interrupted
    /// after it was sent (an `If-Match` PATCH whose first attempt was applied comes back 412, a
    /// DELETE 404; see [`ServiceError::earlier_attempt_interrupted`]).
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Error::MayHaveBeenApplied { .. } => true,
            Error::NotFound(e) | Error::PreconditionFailed(e) => e.earlier_attempt_interrupted,
            _ => false,
        }
    }

    /// The `x-ms-client-request-id` the request carried, for [`Error::MayHaveBeenApplied`].
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::MayHaveBeenApplied { request_id, .. } => Some(request_id),
            _ => None,
        }
    }
}
