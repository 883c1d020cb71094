//! Predicates on [`Error`] for the outcomes of writes a caller handles specially.

use crate::error::Error;

/// The Infolog text F&O writes when a create hits an existing key.
const FNO_DUPLICATE_KEY: &str = "The record already exists";

impl Error {
    /// `true` when the create's key already exists or the write collides with the entity's
    /// current state: the service answered 409 Conflict, or it answered as F&O does, 400 (500
    /// inside `$batch`) with an Infolog entry saying "The record already exists" (for example
    /// `Info: Cannot create a record in Customer groups (CustGroup). 10, usmf: The record already
    /// exists..`).
    ///
    /// F&O sends no code for this case, so the Infolog text is what tells it apart; it is the
    /// English text, and environments whose integration user works in another language are not
    /// recognised (the status and [`ServiceError::infolog`](crate::ServiceError::infolog) are still
    /// there). The error is an [`Error::Service`] carrying the service's message and Infolog.
    pub fn is_conflict(&self) -> bool {
        let Error::Service(e) = self else {
            return false;
        };
        e.status == 409
            || (matches!(e.status, 400 | 500)
                && e.infolog()
                    .iter()
                    .any(|entry| entry.contains(FNO_DUPLICATE_KEY)))
    }

    /// `true` for [`Error::PreconditionFailed`]: the ETag sent in `If-Match` is stale (someone
    /// changed the entity since it was read), or the service required an `If-Match`.
    pub fn is_precondition_failed(&self) -> bool {
        matches!(self, Error::PreconditionFailed(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServiceError;

    fn service(status: u16, body: &str) -> Error {
        Error::Service(Box::new(ServiceError::from_response(
            status,
            "POST",
            "https://x/data/CustomerGroups",
            None,
            body.as_bytes(),
        )))
    }

    const FNO_DUPLICATE: &str = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). T1.\nThe record already exists..","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","stacktrace":""}}}"#;

    #[test]
    fn f_and_o_duplicate_key_answered_400_is_a_conflict() {
        assert!(service(400, FNO_DUPLICATE).is_conflict());
        assert!(service(500, FNO_DUPLICATE).is_conflict(), "inside $batch");
        assert!(service(409, r#"{"error":{"code":"","message":"x"}}"#).is_conflict());
    }

    #[test]
    fn other_write_failures_are_not_conflicts() {
        let validation = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","stacktrace":""}}}"#;
        assert!(!service(400, validation).is_conflict());
        assert!(
            !service(404, FNO_DUPLICATE).is_conflict(),
            "only 400/500/409"
        );
        let not_infolog = r#"{"error":{"code":"","message":"The record already exists"}}"#;
        assert!(
            !service(400, not_infolog).is_conflict(),
            "needs an Infolog entry"
        );
    }
}
