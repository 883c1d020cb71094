//! [`GetRequest`]: reading one entity by key.

use std::future::IntoFuture;

use futures::future::BoxFuture;
use reqwest::Method;

use super::address::EntityRef;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::wire::{Answer, Prepared};

/// Reads one entity by key (`GET Set(key)`); made by [`Client::get`](crate::Client::get) or
/// [`EntityRef::get`].
///
/// Await it (or call [`send`](Self::send)) to get the entity, or hand it to
/// [`Batch::add`](crate::Batch::add) to read it inside a `$batch`.
///
/// ```no_run
/// # use d365fo_odata::{Client, Entity, Result};
/// # async fn run<E: Entity>(client: Client, key: E::Key) -> Result<()> {
/// let row: E = client.get::<E>(&key).await?;
/// // A row of another company than the caller's default (F&O answers 404 without it):
/// let other: E = client.get::<E>(&key).cross_company().await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct GetRequest<E> {
    entity: EntityRef<E>,
}

impl<E: Entity> EntityRef<E> {
    /// Reads the entity.
    pub fn get(&self) -> GetRequest<E> {
        GetRequest::new(self.clone())
    }
}

impl<E: Entity> GetRequest<E> {
    pub(crate) fn new(entity: EntityRef<E>) -> Self {
        GetRequest { entity }
    }

    /// Adds F&O's `cross-company=true`: needed to read a row of another company than the caller's
    /// default by key.
    pub fn cross_company(mut self) -> Self {
        self.entity = self.entity.cross_company();
        self
    }

    /// The client and the one request this read sends, alone or in a `$batch`.
    pub(crate) fn prepare(self) -> (crate::Client, Result<Prepared>) {
        let prepared = self
            .entity
            .prepare(Method::GET, "", format!("entity {}", E::TYPE_NAME))
            .map(Prepared::accept_json);
        (self.entity.client().clone(), prepared)
    }

    /// Decodes the entity from a successful answer.
    pub(crate) fn decode(answer: &Answer<'_>) -> Result<E> {
        serde_json::from_slice(answer.body)
            .map_err(|e| Error::decode(answer.what, answer.url.as_str(), &e))
    }

    /// Sends the request and decodes the entity.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no entity has this key (on F&O also: a row of another company
    /// read without [`cross_company`](Self::cross_company)); [`Error::Decode`] when the body is
    /// not JSON or does not match `E`; any other [`Error`] from sending.
    pub async fn send(self) -> Result<E> {
        let (client, prepared) = self.prepare();
        client.call(prepared?, Self::decode).await
    }
}

impl<E: Entity> IntoFuture for GetRequest<E> {
    type Output = Result<E>;
    type IntoFuture = BoxFuture<'static, Result<E>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
