//! [`GetRequest`]: reading one entity by key.

use std::future::IntoFuture;

use futures::future::BoxFuture;
use reqwest::Method;

use super::address::EntityRef;
use super::wire::accept_json;
use crate::client::Client;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::transport::Request;

/// Reads one entity by key (`GET Set(key)`); made by [`Client::get`] or [`EntityRef::get`].
///
/// Await it (or call [`send`](Self::send)) to get the entity.
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

impl Client {
    /// Reads the entity of `E`'s entity set with this key.
    ///
    /// Same as `client.entity::<E>(key).get()`.
    pub fn get<E: Entity>(&self, key: &E::Key) -> GetRequest<E> {
        self.entity::<E>(key).get()
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

    /// Sends the request and decodes the entity.
    ///
    /// # Errors
    /// [`Error::NotFound`] when no entity has this key (on F&O also: a row of another company
    /// read without [`cross_company`](Self::cross_company)); [`Error::Decode`] when the body is
    /// not JSON or does not match `E`; any other [`Error`] from sending.
    pub async fn send(self) -> Result<E> {
        let url = self.entity.url()?;
        let request = accept_json(Request::new(Method::GET, url.clone()));
        let response = self.entity.client().transport().send(request).await?;
        serde_json::from_slice(&response.body)
            .map_err(|e| Error::decode(format!("entity {}", E::TYPE_NAME), url.as_str(), &e))
    }
}

impl<E: Entity> IntoFuture for GetRequest<E> {
    type Output = Result<E>;
    type IntoFuture = BoxFuture<'static, Result<E>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
