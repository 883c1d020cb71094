//! Reading collections: [`Client::entity_set`] (typed), [`Client::query`] (raw OData text) and
//! [`Client::resume_pages`] (continuing from a saved next link).

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::entity::Entity;
use crate::paging::{self, Pages, Serde};
use crate::query::{Query, RawQuery};

impl Client {
    /// A typed query over the entity set of `E`.
    pub fn entity_set<E: Entity>(&self) -> Query<E> {
        Query::new(self.query(E::ENTITY_SET))
    }

    /// An untyped query over the entity set named `entity_set` (as it appears in the URL, e.g.
    /// `CustomersV3`). Options are raw OData text; rows decode into any `Deserialize` type.
    pub fn query(&self, entity_set: impl Into<String>) -> RawQuery {
        RawQuery::new(self.clone(), entity_set.into())
    }

    /// Continues a collection read from a saved `@odata.nextLink` (see
    /// [`Page::next_link`](crate::Page::next_link)), for example after a restart. The link must
    /// lie under this client's service root.
    ///
    /// # Errors
    /// The first item is [`Error::ForeignNextLink`](crate::Error::ForeignNextLink) when the link
    /// leaves the service root, or [`Error::Url`](crate::Error::Url) when it does not parse.
    pub fn resume_pages<T: DeserializeOwned + Send + 'static>(&self, next_link: &str) -> Pages<T> {
        let root = self.service_root();
        let first = paging::resolve_next_link(root, root, next_link);
        paging::pages(
            self.clone(),
            "resumed collection".to_owned(),
            first,
            Serde::new(),
        )
    }
}
