//! [`DeleteRequest`]: deleting an entity, guarded by its ETag.

use std::future::IntoFuture;

use futures::future::BoxFuture;
use reqwest::Method;

use super::address::EntityRef;
use crate::client::Client;
use crate::entity::Entity;
use crate::entity::{ETag, Precondition};
use crate::error::Result;
use crate::wire::{Answer, Prepared};

/// Deletes an entity with `DELETE Set(key)`; made by [`Client::delete`] or
/// [`EntityRef::delete`]. Await it, or hand it to [`ChangeSet::add`](crate::ChangeSet::add).
///
/// Like [`UpdateRequest`](crate::UpdateRequest), it sends `If-Match` with the ETag given to
/// [`if_match`](Self::if_match), so a row someone changed since it was read is not deleted
/// (412, [`Error::PreconditionFailed`](crate::Error::PreconditionFailed)).
///
/// ```no_run
/// # use d365fo_odata::{Client, Entity, Result};
/// # async fn run<E: Entity>(client: Client, key: E::Key) -> Result<()> {
/// let row = client.get::<E>(&key).await?;
/// client.delete::<E>(&key).if_match(row.etag()).await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct DeleteRequest<E> {
    entity: EntityRef<E>,
    precondition: Precondition,
}

impl<E: Entity> EntityRef<E> {
    /// Deletes the entity.
    pub fn delete(&self) -> DeleteRequest<E> {
        DeleteRequest::new(self.clone())
    }
}

impl<E: Entity> DeleteRequest<E> {
    pub(crate) fn new(entity: EntityRef<E>) -> Self {
        DeleteRequest {
            entity,
            precondition: Precondition::None,
        }
    }

    /// Deletes only this version of the entity (`If-Match: <etag>`). Takes an `&ETag` or the
    /// `Option<&ETag>` of [`Entity::etag`]; with `None` no `If-Match` is sent.
    pub fn if_match<'a>(mut self, etag: impl Into<Option<&'a ETag>>) -> Self {
        self.precondition = Precondition::from_known(etag.into());
        self
    }

    pub(crate) fn with_precondition(mut self, precondition: Precondition) -> Self {
        self.precondition = precondition;
        self
    }

    /// Deletes whatever version exists (`If-Match: *`).
    pub fn if_match_any(mut self) -> Self {
        self.precondition = Precondition::Any;
        self
    }

    /// Sends no `If-Match` at all.
    pub fn without_if_match(mut self) -> Self {
        self.precondition = Precondition::None;
        self
    }

    /// Adds F&O's `cross-company=true`: needed to delete a row of another company than the
    /// caller's default.
    pub fn cross_company(mut self) -> Self {
        self.entity = self.entity.cross_company();
        self
    }

    /// Sends the request.
    ///
    /// # Errors
    /// [`Error::PreconditionFailed`](crate::Error::PreconditionFailed) when the ETag is stale;
    /// [`Error::NotFound`](crate::Error::NotFound) when no entity has this key;
    /// [`Error::Config`](crate::Error::Config) when the ETag cannot be sent;
    /// [`Error::MissingETag`](crate::Error::MissingETag) from [`Client::delete_row`] with a row
    /// that has no ETag; any other [`Error`](crate::Error) from sending.
    pub async fn send(self) -> Result<()> {
        let (client, prepared) = self.prepare();
        client.call(prepared?, Self::decode).await
    }

    /// The client and the one request this delete sends, alone or in a `$batch`.
    pub(crate) fn prepare(self) -> (Client, Result<Prepared>) {
        let client = self.entity.client().clone();
        let prepared = self
            .entity
            .prepare(Method::DELETE, "", format!("delete of {}", E::TYPE_NAME))
            .and_then(|request| {
                self.precondition
                    .apply(request.accept_json(), client.service_root())
            });
        (client, prepared)
    }

    /// A delete yields nothing; any body of a successful answer is ignored.
    pub(crate) fn decode(_: &Answer<'_>) -> Result<()> {
        Ok(())
    }
}

impl<E: Entity> IntoFuture for DeleteRequest<E> {
    type Output = Result<()>;
    type IntoFuture = BoxFuture<'static, Result<()>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
