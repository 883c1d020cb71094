//! Reading and writing one entity: [`Client::entity`], [`get`](Client::get),
//! [`create`](Client::create), [`update`](Client::update), [`delete`](Client::delete), and the
//! writes from a row that was read ([`update_row`](Client::update_row),
//! [`delete_row`](Client::delete_row)).

use serde::Serialize;

use crate::client::Client;
use crate::crud::{CreateRequest, DeleteRequest, EntityRef, GetRequest, UpdateRequest};
use crate::entity::{Entity, Precondition};

impl Client {
    /// The entity of `E`'s entity set with this key, to read, update or delete it, or to invoke
    /// an operation bound to it.
    pub fn entity<E: Entity>(&self, key: &E::Key) -> EntityRef<E> {
        EntityRef::new(self, key)
    }

    /// Reads the entity of `E`'s entity set with this key.
    ///
    /// Same as `client.entity::<E>(key).get()`.
    pub fn get<E: Entity>(&self, key: &E::Key) -> GetRequest<E> {
        self.entity::<E>(key).get()
    }

    /// Creates an entity in `E`'s entity set from `new`, a write model holding the fields to set.
    ///
    /// ```no_run
    /// # use d365fo_odata::{Client, Entity, Result};
    /// # #[derive(serde::Serialize)] struct NewCustomer { #[serde(rename = "CustomerAccount")] account: String }
    /// # async fn run<Customer: Entity>(client: Client) -> Result<()> {
    /// let new = NewCustomer { account: "US-0042".into() };
    /// let created: Customer = client.create::<Customer, _>(&new).await?;
    /// # Ok(()) }
    /// ```
    pub fn create<E: Entity, W: Serialize + ?Sized>(&self, new: &W) -> CreateRequest<E> {
        CreateRequest::new(self, new)
    }

    /// Updates the entity of `E`'s entity set with this key, sending the fields `changes`
    /// serializes. Same as `client.entity::<E>(key).update(changes)`.
    pub fn update<E: Entity, W: Serialize + ?Sized>(
        &self,
        key: &E::Key,
        changes: &W,
    ) -> UpdateRequest<E> {
        self.entity::<E>(key).update(changes)
    }

    /// Deletes the entity of `E`'s entity set with this key. Same as
    /// `client.entity::<E>(key).delete()`.
    pub fn delete<E: Entity>(&self, key: &E::Key) -> DeleteRequest<E> {
        self.entity::<E>(key).delete()
    }

    /// Updates the entity `row` was read from, sending the fields `changes` serializes, with
    /// `If-Match` set to the row's ETag: when someone changed the entity since it was read, the
    /// service refuses with 412 ([`Error::PreconditionFailed`](crate::Error::PreconditionFailed))
    /// instead of overwriting their change.
    ///
    /// Opting out is explicit: [`UpdateRequest::if_match_any`] or
    /// [`UpdateRequest::without_if_match`]. Otherwise a row that carries no ETag (read from an
    /// entity set without one, or built by hand) fails with
    /// [`Error::MissingETag`](crate::Error::MissingETag) before anything is sent, and a row whose
    /// type cannot tell its key ([`Entity::row_key`]) with [`Error::Config`](crate::Error::Config).
    ///
    /// ```no_run
    /// # use d365fo_odata::{Client, Entity, Result};
    /// # #[derive(serde::Serialize)] struct Changes { #[serde(rename = "OrganizationName")] name: String }
    /// # async fn run<E: Entity>(client: Client, key: E::Key) -> Result<()> {
    /// let row = client.get::<E>(&key).await?;
    /// let changes = Changes { name: "Contoso Europe".into() };
    /// let new_etag = client.update_row(&row, &changes).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_row<E: Entity, W: Serialize + ?Sized>(
        &self,
        row: &E,
        changes: &W,
    ) -> UpdateRequest<E> {
        self.row_entity(row)
            .update(changes)
            .with_precondition(Precondition::from_row::<E>(row.etag()))
    }

    /// Deletes the entity `row` was read from, with `If-Match` set to the row's ETag (412 when it
    /// changed since). Opt out with [`DeleteRequest::if_match_any`] or
    /// [`DeleteRequest::without_if_match`]; errors as for [`update_row`](Self::update_row).
    pub fn delete_row<E: Entity>(&self, row: &E) -> DeleteRequest<E> {
        self.row_entity(row)
            .delete()
            .with_precondition(Precondition::from_row::<E>(row.etag()))
    }

    fn row_entity<E: Entity>(&self, row: &E) -> EntityRef<E> {
        match row.row_key() {
            Some(key) => self.entity::<E>(&key),
            None => EntityRef::unaddressable(
                self,
                format!(
                    "a row of {} does not tell its key (Entity::row_key returns None): write it \
                     by key with update/delete and if_match(row.etag()) instead",
                    E::TYPE_NAME
                ),
            ),
        }
    }
}
