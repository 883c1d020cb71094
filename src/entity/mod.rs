//! The traits generated bindings implement: an entity type with its entity set, its key and its
//! service profile, and the [`ETag`] a row carries.

use serde::de::DeserializeOwned;

use crate::profile::Profile;

mod etag;

pub use etag::ETag;
pub(crate) use etag::{Precondition, header_etag};

/// An entity type exposed through an entity set (e.g. `CustomerV3` through `CustomersV3`).
///
/// Implemented by generated code. Rows of the entity set decode into `Self`.
pub trait Entity: DeserializeOwned + Send + 'static {
    /// The entity set name used in URLs (F&O: the public collection name, e.g. `CustomersV3`).
    const ENTITY_SET: &'static str;
    /// The qualified entity type name (e.g. `Microsoft.Dynamics.DataEntities.CustomerV3`).
    const TYPE_NAME: &'static str;
    /// The key type.
    type Key: EntityKey;
    /// What the service accepts in queries over this entity set.
    type Profile: Profile;

    /// The entity's version as read (`@odata.etag`), to send in `If-Match` when updating or
    /// deleting it. Generated types return their `@odata.etag` field; the default is `None`
    /// (no version known, so no `If-Match` is sent).
    fn etag(&self) -> Option<&ETag> {
        None
    }

    /// The key of the entity this row was read from, so that
    /// [`Client::update_row`](crate::Client::update_row) and
    /// [`Client::delete_row`](crate::Client::delete_row) can address it. The default is `None`:
    /// the type cannot tell, and those calls fail with [`Error::Config`](crate::Error::Config)
    /// instead of guessing; bindings return `Some(self.key())`.
    fn row_key(&self) -> Option<Self::Key> {
        None
    }
}

/// The key of an entity type: writes the key predicate of a URL.
pub trait EntityKey: Send + Sync {
    /// Appends the key predicate, parentheses included and percent-encoded for a URL path
    /// segment: `('x')` for a single key, `(dataAreaId='usmf',CustomerAccount='O''Brien%20%26%20Co')`
    /// for a composite one. [`key_predicate`](crate::edm::key_predicate) builds it.
    fn write_predicate(&self, out: &mut String);
}
