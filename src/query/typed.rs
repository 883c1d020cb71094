//! [`Query`]: a query over the entity set of a generated entity type, built from field handles.

use std::marker::PhantomData;

use url::Url;

use super::field::OrderBy;
use super::filter::Filter;
use super::raw::RawQuery;
use crate::client::Client;
use crate::entity::Entity;
use crate::error::Result;
use crate::paging::{Pages, Rows};

/// A typed query over the entity set of `E`; made by [`Client::entity_set`].
///
/// Filters and orderings must be built from `E`'s own field handles, so a condition on another
/// entity's property does not compile. Rows decode into `E`.
#[must_use = "a query does nothing until it is streamed"]
pub struct Query<E> {
    raw: RawQuery,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for Query<E> {
    fn clone(&self) -> Self {
        Query {
            raw: self.raw.clone(),
            entity: PhantomData,
        }
    }
}

impl<E> std::fmt::Debug for Query<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Query").field(&self.raw).finish()
    }
}

impl Client {
    /// A typed query over the entity set of `E`.
    pub fn entity_set<E: Entity>(&self) -> Query<E> {
        Query {
            raw: self.query(E::ENTITY_SET),
            entity: PhantomData,
        }
    }
}

impl<E: Entity> Query<E> {
    /// Adds a `$filter` condition; several calls are combined with `and`.
    pub fn filter(mut self, condition: Filter<E>) -> Self {
        self.raw = self.raw.filter(condition.into_string());
        self
    }

    /// Adds an `$orderby` item; earlier items sort first.
    pub fn order_by(mut self, order: OrderBy<E>) -> Self {
        self.raw = self.raw.order_by(order.as_str());
        self
    }

    /// Sets `$top`: at most this many rows in all, across pages.
    pub fn top(mut self, rows: u64) -> Self {
        self.raw = self.raw.top(rows);
        self
    }

    /// Sets `$skip`.
    pub fn skip(mut self, rows: u64) -> Self {
        self.raw = self.raw.skip(rows);
        self
    }

    /// Asks for `$count=true`; pages then carry the total number of matching rows.
    pub fn count(mut self) -> Self {
        self.raw = self.raw.count();
        self
    }

    /// Adds F&O's `cross-company=true`: rows of every company the caller may read.
    pub fn cross_company(mut self) -> Self {
        self.raw = self.raw.cross_company();
        self
    }

    pub(super) fn map_raw(mut self, f: impl FnOnce(RawQuery) -> RawQuery) -> Self {
        self.raw = f(self.raw);
        self
    }

    /// The untyped query underneath, for options the typed builder does not cover.
    pub fn into_raw(self) -> RawQuery {
        self.raw
    }

    /// The URL this query requests first.
    ///
    /// # Errors
    /// See [`RawQuery::url`].
    pub fn url(&self) -> Result<Url> {
        self.raw.url()
    }

    /// The result pages, fetched as the stream is polled, following `@odata.nextLink`.
    pub fn pages(self) -> Pages<E> {
        self.raw.pages()
    }

    /// The first row (`$top=1`); `None` when nothing matches.
    ///
    /// # Errors
    /// As for [`stream`](Self::stream).
    pub async fn first(self) -> Result<Option<E>> {
        self.raw.first().await
    }

    /// Every row in one `Vec`, or [`Error::RowLimitExceeded`](crate::Error::RowLimitExceeded)
    /// when more than `max_rows` match.
    ///
    /// # Errors
    /// The row cap, or any error of [`stream`](Self::stream).
    pub async fn collect_all(self, max_rows: usize) -> Result<Vec<E>> {
        self.raw.collect_all(max_rows).await
    }

    /// The result rows, one page in memory at a time.
    pub fn stream(self) -> Rows<E> {
        self.raw.stream()
    }
}
