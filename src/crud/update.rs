//! [`UpdateRequest`]: changing some fields of an entity with `PATCH`, guarded by its ETag.

use std::fmt;
use std::future::IntoFuture;

use bytes::Bytes;
use futures::future::BoxFuture;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::address::EntityRef;
use super::etag::{ETag, Precondition};
use super::wire::{accept_json, encode_json, header_etag, with_json_body};
use crate::client::Client;
use crate::entity::Entity;
use crate::error::Result;
use crate::transport::Request;

/// Updates an entity with `PATCH Set(key)`; made by [`Client::update`] or [`EntityRef::update`].
///
/// Only the fields the changes serialize are sent; every other property keeps its value. Say
/// which version the change applies to with [`if_match`](Self::if_match) and the ETag of the
/// row you read: the service then refuses (412, [`Error::PreconditionFailed`]) if someone changed
/// it since, instead of silently overwriting their change. Opting out is explicit:
/// [`if_match_any`](Self::if_match_any) or [`without_if_match`](Self::without_if_match).
///
/// ```no_run
/// # use d365fo_odata::{Client, Entity, Result};
/// # #[derive(serde::Serialize)] struct Changes { #[serde(rename = "OrganizationName")] name: String }
/// # async fn run<E: Entity>(client: Client, key: E::Key) -> Result<()> {
/// let row = client.get::<E>(&key).await?;
/// let changes = Changes { name: "Contoso Europe".into() };
/// let new_etag = client
///     .update::<E, _>(&key, &changes)
///     .if_match(row.etag())
///     .await?;
/// # Ok(()) }
/// ```
///
/// [`Error::PreconditionFailed`]: crate::Error::PreconditionFailed
#[must_use = "a request does nothing until it is awaited"]
pub struct UpdateRequest<E> {
    entity: EntityRef<E>,
    body: Result<Bytes>,
    precondition: Precondition,
}

impl<E> fmt::Debug for UpdateRequest<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateRequest")
            .field("entity", &self.entity)
            .field(
                "body",
                &self.body.as_ref().map(|b| String::from_utf8_lossy(b)),
            )
            .field("precondition", &self.precondition)
            .finish()
    }
}

impl Client {
    /// Updates the entity of `E`'s entity set with this key, sending the fields `changes`
    /// serializes. Same as `client.entity::<E>(key).update(changes)`.
    pub fn update<E: Entity, W: Serialize + ?Sized>(
        &self,
        key: &E::Key,
        changes: &W,
    ) -> UpdateRequest<E> {
        self.entity::<E>(key).update(changes)
    }
}

#[derive(Deserialize)]
struct Tagged {
    #[serde(rename = "@odata.etag", default)]
    etag: Option<ETag>,
}

impl<E: Entity> UpdateRequest<E> {
    pub(crate) fn new<W: Serialize + ?Sized>(entity: EntityRef<E>, changes: &W) -> Self {
        UpdateRequest {
            body: encode_json(&format!("changes to {}", E::TYPE_NAME), changes),
            entity,
            precondition: Precondition::None,
        }
    }

    /// Applies the change only to this version of the entity (`If-Match: <etag>`). Takes an
    /// `&ETag` or the `Option<&ETag>` of [`Entity::etag`]: when no ETag is known (`None`), no
    /// `If-Match` is sent.
    pub fn if_match<'a>(mut self, etag: impl Into<Option<&'a ETag>>) -> Self {
        self.precondition = Precondition::from_known(etag.into());
        self
    }

    pub(crate) fn with_precondition(mut self, precondition: Precondition) -> Self {
        self.precondition = precondition;
        self
    }

    /// Applies the change to whatever version exists (`If-Match: *`): last writer wins, but the
    /// entity must exist (it is never created).
    pub fn if_match_any(mut self) -> Self {
        self.precondition = Precondition::Any;
        self
    }

    /// Sends no `If-Match` at all (services that require one answer 428,
    /// [`Error::PreconditionFailed`](crate::Error::PreconditionFailed)).
    pub fn without_if_match(mut self) -> Self {
        self.precondition = Precondition::None;
        self
    }

    /// Adds F&O's `cross-company=true`: needed to update a row of another company than the
    /// caller's default.
    pub fn cross_company(mut self) -> Self {
        self.entity = self.entity.cross_company();
        self
    }

    /// Sends the request. Yields the entity's new ETag when the service sent one (an `ETag`
    /// header, or `@odata.etag` in a returned representation), for a following update.
    ///
    /// # Errors
    /// [`Error::PreconditionFailed`](crate::Error::PreconditionFailed) when the ETag is stale;
    /// [`Error::NotFound`](crate::Error::NotFound) when no entity has this key (on F&O also:
    /// another company's row without [`cross_company`](Self::cross_company));
    /// [`Error::Config`](crate::Error::Config) when the changes cannot be serialized or the ETag
    /// cannot be sent; [`Error::MissingETag`](crate::Error::MissingETag) from
    /// [`Client::update_row`] with a row that has no ETag; any other [`Error`](crate::Error) from
    /// sending.
    pub async fn send(self) -> Result<Option<ETag>> {
        let url = self.entity.url()?;
        let body = self.body?;
        let request = with_json_body(accept_json(Request::new(Method::PATCH, url)), body);
        let request = self.precondition.apply(request)?;
        let response = self.entity.client().transport().send(request).await?;
        if let Some(etag) = header_etag(&response.headers) {
            return Ok(Some(etag));
        }
        // The body is only a bonus here: an update that succeeded is not failed for it.
        Ok(serde_json::from_slice::<Tagged>(&response.body)
            .ok()
            .and_then(|t| t.etag))
    }
}

impl<E: Entity> IntoFuture for UpdateRequest<E> {
    type Output = Result<Option<ETag>>;
    type IntoFuture = BoxFuture<'static, Result<Option<ETag>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
