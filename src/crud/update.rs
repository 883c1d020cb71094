//! [`UpdateRequest`]: changing some fields of an entity with `PATCH`, guarded by its ETag.

use std::fmt;
use std::future::IntoFuture;

use bytes::Bytes;
use futures::future::BoxFuture;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::address::EntityRef;
use crate::client::Client;
use crate::entity::Entity;
use crate::entity::{ETag, Precondition, header_etag};
use crate::error::Result;
use crate::wire::{Answer, Prepared, encode_json};

/// Updates an entity with `PATCH Set(key)`; made by [`Client::update`] or [`EntityRef::update`].
/// Await it, or hand it to [`ChangeSet::add`](crate::ChangeSet::add) to send exactly the same
/// request inside a `$batch` change set.
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

#[derive(Deserialize)]
struct Tagged {
    #[serde(rename = "@odata.etag", default)]
    etag: Option<ETag>,
}

impl<E: Entity> EntityRef<E> {
    /// Updates the entity with `PATCH`, sending exactly the fields `changes` serializes (write
    /// models skip unset `Option` fields, so untouched properties keep their values).
    pub fn update<W: Serialize + ?Sized>(&self, changes: &W) -> UpdateRequest<E> {
        UpdateRequest::new(self.clone(), changes)
    }
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
        let (client, prepared) = self.prepare();
        client.call(prepared?, Self::decode).await
    }

    /// The client and the one request this update sends, alone or in a `$batch`.
    pub(crate) fn prepare(self) -> (Client, Result<Prepared>) {
        let client = self.entity.client().clone();
        let prepared = (|| {
            let body = self.body?;
            let request = self
                .entity
                .prepare(Method::PATCH, "", format!("update of {}", E::TYPE_NAME))?
                .accept_json()
                .json_body(body);
            self.precondition.apply(request, client.service_root())
        })();
        (client, prepared)
    }

    /// The entity's new ETag from a successful answer: the `ETag` header, else `@odata.etag`
    /// of a returned representation, else none.
    pub(crate) fn decode(answer: &Answer<'_>) -> Result<Option<ETag>> {
        if let Some(etag) = header_etag(answer.headers) {
            return Ok(Some(etag));
        }
        // The body is only a bonus here: an update that succeeded is not failed for it.
        Ok(serde_json::from_slice::<Tagged>(answer.body)
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
