//! [`EntityRef`]: the address of one entity (entity set, key, company scope).

use std::fmt;
use std::marker::PhantomData;

use reqwest::Method;
use url::Url;

use crate::client::Client;
use crate::entity::{Entity, EntityKey};
use crate::error::{Error, Result};
use crate::wire::{Prepared, check_segment};

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

impl<E: Entity> EntityRef<E> {
    /// The entity of `E`'s entity set with `key`.
    pub(crate) fn new(client: &Client, key: &E::Key) -> Self {
        let mut path = String::from(E::ENTITY_SET);
        key.write_predicate(&mut path);
        EntityRef {
            client: client.clone(),
            path,
            cross_company: false,
            unaddressable: None,
            entity: PhantomData,
        }
    }

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
        self.prepare(Method::GET, "", String::new())?
            .url(self.client.service_root())
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

    /// `method Set(key)<suffix>` (`suffix` an already encoded `/Namespace.Operation`, or
    /// empty), with `cross-company=true` when this reference carries it.
    ///
    /// # Errors
    /// [`Error::Config`] when the reference addresses nothing or `E::ENTITY_SET` is not one
    /// path segment.
    pub(crate) fn prepare(&self, method: Method, suffix: &str, what: String) -> Result<Prepared> {
        if let Some(why) = &self.unaddressable {
            return Err(Error::config(why.clone()));
        }
        check_segment("entity set", E::ENTITY_SET)?;
        let mut path = String::with_capacity(self.path.len() + suffix.len());
        path.push_str(&self.path);
        path.push_str(suffix);
        Ok(Prepared::new(method, path, what).cross_company(self.cross_company))
    }
}
