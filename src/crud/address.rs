//! [`EntityRef`]: the address of one entity (entity set, key, company scope), and the URLs of
//! resources under the service root.

use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use url::Url;

use super::delete::DeleteRequest;
use super::get::GetRequest;
use super::update::UpdateRequest;
use crate::client::Client;
use crate::entity::{Entity, EntityKey};
use crate::error::{Error, Result};

/// One entity of `E`'s entity set, addressed by its key: `CustomersV3(dataAreaId='usmf',
/// CustomerAccount='US-001')`. Made by [`Client::entity`].
///
/// Reads and writes through it go to that URL; [`cross_company`](Self::cross_company) adds F&O's
/// `cross-company=true`, which a row of another company than the caller's default needs (without
/// it F&O answers 404). Cheap to clone; reuse it for several requests on the same entity.
///
/// ```no_run
/// # use d365fo_odata::{Client, Entity, Result};
/// # async fn run<E: Entity>(client: Client, key: E::Key) -> Result<()> {
/// let customer = client.entity::<E>(&key).cross_company();
/// let row = customer.get().await?;
/// customer.delete().if_match(row.etag()).await?;
/// # Ok(()) }
/// ```
pub struct EntityRef<E> {
    client: Client,
    /// `Set(key)`, percent-encoded.
    path: String,
    cross_company: bool,
    /// Why this reference addresses nothing (a row that does not tell its key).
    unaddressable: Option<String>,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for EntityRef<E> {
    fn clone(&self) -> Self {
        EntityRef {
            client: self.client.clone(),
            path: self.path.clone(),
            cross_company: self.cross_company,
            unaddressable: self.unaddressable.clone(),
            entity: PhantomData,
        }
    }
}

impl<E> fmt::Debug for EntityRef<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntityRef")
            .field("path", &self.path)
            .field("cross_company", &self.cross_company)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The entity of `E`'s entity set with this key, to read, update or delete it, or to invoke
    /// an operation bound to it.
    pub fn entity<E: Entity>(&self, key: &E::Key) -> EntityRef<E> {
        let mut path = String::from(E::ENTITY_SET);
        key.write_predicate(&mut path);
        EntityRef {
            client: self.clone(),
            path,
            cross_company: false,
            unaddressable: None,
            entity: PhantomData,
        }
    }
}

impl<E: Entity> EntityRef<E> {
    /// A reference whose every request fails with [`Error::Config`] saying `why`.
    pub(crate) fn unaddressable(client: &Client, why: String) -> Self {
        EntityRef {
            client: client.clone(),
            path: String::from(E::ENTITY_SET),
            cross_company: false,
            unaddressable: Some(why),
            entity: PhantomData,
        }
    }

    /// Adds F&O's `cross-company=true` to every request through this reference, so that a row of
    /// another company than the caller's default can be read, updated, deleted or acted on.
    pub fn cross_company(mut self) -> Self {
        self.cross_company = true;
        self
    }

    /// The entity's URL, e.g. `https://host/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')`.
    ///
    /// # Errors
    /// [`Error::Config`] when `E::ENTITY_SET` is not a single path segment.
    pub fn url(&self) -> Result<Url> {
        self.url_with("")
    }

    /// Reads the entity.
    pub fn get(&self) -> GetRequest<E> {
        GetRequest::new(self.clone())
    }

    /// Updates the entity with `PATCH`, sending exactly the fields `changes` serializes (write
    /// models skip unset `Option` fields, so untouched properties keep their values).
    pub fn update<W: Serialize + ?Sized>(&self, changes: &W) -> UpdateRequest<E> {
        UpdateRequest::new(self.clone(), changes)
    }

    /// Deletes the entity.
    pub fn delete(&self) -> DeleteRequest<E> {
        DeleteRequest::new(self.clone())
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// `Set(key)/`, percent-encoded: the path operations bound to this entity start with.
    pub(crate) fn path_prefix(&self) -> String {
        format!("{}/", self.path)
    }

    /// Whether requests carry `cross-company=true`.
    pub(crate) fn is_cross_company(&self) -> bool {
        self.cross_company
    }

    /// The URL of `Set(key)` followed by `suffix` (an already encoded `/Namespace.Operation`).
    pub(crate) fn url_with(&self, suffix: &str) -> Result<Url> {
        if let Some(why) = &self.unaddressable {
            return Err(Error::config(why.clone()));
        }
        check_segment("entity set", E::ENTITY_SET)?;
        let mut path = String::with_capacity(self.path.len() + suffix.len());
        path.push_str(&self.path);
        path.push_str(suffix);
        resource_url(&self.client, &path, self.cross_company)
    }
}

/// `path` (already percent-encoded) under the service root, with `cross-company=true` if asked.
pub(crate) fn resource_url(client: &Client, path: &str, cross_company: bool) -> Result<Url> {
    let text = format!("{}{path}", client.service_root());
    let mut url = Url::parse(&text).map_err(|e| Error::url(&text, e))?;
    if cross_company {
        url.set_query(Some("cross-company=true"));
    }
    Ok(url)
}

/// Checks that `name` (an entity set or operation name) is one plain path segment.
pub(crate) fn check_segment(kind: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.contains(['/', '?', '#', '%', '(', ')']) || name.trim() != name {
        return Err(Error::config(format!(
            "{name:?} is not an {kind} name (one path segment: no '/', '?', '#', '%', \
             parentheses or surrounding spaces)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_with_delimiters_are_refused() {
        for bad in ["", "A/B", "A?x", "A#", "50%", " A", "F(x)"] {
            assert!(check_segment("entity set", bad).is_err(), "{bad:?}");
        }
        check_segment(
            "operation",
            "Microsoft.Dynamics.DataEntities.ExportToPackage",
        )
        .unwrap();
    }
}
