//! [`Query`]: a query over the entity set of a generated entity type, built from field handles.

use std::marker::PhantomData;

use futures::TryStreamExt;
use serde::Deserializer;
use url::Url;

use super::field::OrderBy;
use super::filter::Filter;
use super::navigation::Navigation;
use super::raw::RawQuery;
use super::select::{Projected, Projection, Selection, Whole, check_projection};
use crate::client::Client;
use crate::entity::Entity;
use crate::error::Result;
use crate::paging::{Pages, RowDecoder, Rows};
use crate::wire::Prepared;

/// A typed query over the entity set of `E`; made by [`Client::entity_set`]. Stream it, or hand
/// it to [`Batch::add`](crate::Batch::add) to read its first page inside a `$batch`.
///
/// Filters and orderings must be built from `E`'s own field handles, so a condition on another
/// entity's property does not compile. `S` is what the query selects and so what a row is:
/// [`Whole`] (the default) decodes rows into `E`; [`select`](Query::select) makes a projection
/// whose rows hold the selected values only (see [`Selection`]).
#[must_use = "a query does nothing until it is streamed"]
pub struct Query<E, S = Whole> {
    raw: RawQuery,
    selection: S,
    expanded: bool,
    entity: PhantomData<fn() -> E>,
}

impl<E, S: Clone> Clone for Query<E, S> {
    fn clone(&self) -> Self {
        Query {
            raw: self.raw.clone(),
            selection: self.selection.clone(),
            expanded: self.expanded,
            entity: PhantomData,
        }
    }
}

impl<E, S> std::fmt::Debug for Query<E, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Query").field(&self.raw).finish()
    }
}

/// Decodes rows with a selection over `E`.
pub(crate) struct SelectionDecoder<E, S> {
    selection: S,
    entity: PhantomData<fn() -> E>,
}

impl<E, S> SelectionDecoder<E, S> {
    /// Rows decoded with `selection`.
    pub(crate) fn new(selection: S) -> Self {
        SelectionDecoder {
            selection,
            entity: PhantomData,
        }
    }
}

impl<E: 'static, S: Selection<E>> RowDecoder for SelectionDecoder<E, S> {
    type Row = S::Row;

    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<S::Row, D::Error> {
        self.selection.decode_row(row)
    }
}

impl<E: Entity> Query<E, Whole> {
    /// The whole-entity query over `raw` (a query of `E`'s entity set).
    pub(crate) fn new(raw: RawQuery) -> Self {
        Query {
            raw,
            selection: Whole,
            expanded: false,
            entity: PhantomData,
        }
    }

    /// Selects properties (and expansions) of `E`, making the query a projection: each row holds
    /// the selected values only, in the order given.
    ///
    /// `.select((c::CUSTOMER_ACCOUNT.required(), c::ORGANIZATION_NAME))` yields rows of type
    /// `(String, Option<String>)`; a single handle yields its value alone. A field handle yields
    /// `Option<T>` (`null` is `None`), [`Field::required`](crate::Field::required) yields `T`,
    /// a navigation handle adds `$expand` and yields the related entity (`Option<T>`) or
    /// entities (`Vec<T>`), and [`Navigation::select`](crate::Navigation::select) an expansion
    /// with its own `$select`. A property that was not selected has no place in the row, so
    /// reading it does not compile; a selected property missing from a row is a decode error.
    ///
    /// Selecting the same property twice, or calling [`expand`](Query::expand) before `select`
    /// (put the navigation in the selection instead), makes the query fail with
    /// [`Error::Config`](crate::Error::Config) before anything is sent.
    pub fn select<S: Selection<E>>(self, selection: S) -> Query<E, S> {
        let mut select = Vec::new();
        let mut expand = Vec::new();
        selection.write_options(&mut select, &mut expand);
        let mut raw = self.raw;
        if let Some(problem) = selection_problem(&select, &expand, self.expanded) {
            raw = raw.invalid(problem);
        }
        let raw = expand
            .into_iter()
            .fold(raw.select(select), RawQuery::expand);
        Query {
            raw,
            selection,
            expanded: false,
            entity: PhantomData,
        }
    }

    /// Selects the properties of projection `P` and decodes rows into `P`, the caller's own
    /// struct (see [`Projection`]). When `P`'s serde field names differ from the selected
    /// properties, the query fails with [`Error::Config`](crate::Error::Config) naming the
    /// field, before anything is sent.
    pub fn select_into<P: Projection<E>>(self) -> Query<E, Projected<P>> {
        let query = self.select(Projected::<P>::new());
        let mut select = Vec::new();
        let mut expand = Vec::new();
        P::fields().write_options(&mut select, &mut expand);
        match check_projection::<P>(&select) {
            Some(problem) => query.map_raw(|raw| raw.invalid(problem)),
            None => query,
        }
    }

    /// Adds `$expand` of a navigation property of `E`; the related entities then decode into
    /// the read struct's navigation field. On a projection, put the navigation handle (or
    /// [`Navigation::select`]) in the selection instead.
    pub fn expand<T, C>(self, navigation: Navigation<E, T, C>) -> Self {
        self.map_raw(|raw| raw.expand(navigation.name()))
            .expanding()
    }

    fn expanding(mut self) -> Self {
        self.expanded = true;
        self
    }
}

/// Why a selection cannot be sent: a property or navigation named twice, or an earlier
/// `expand` whose values the projection would drop.
fn selection_problem(select: &[&str], expand: &[String], expanded: bool) -> Option<String> {
    if expanded {
        return Some(
            "expand() before select(): a projection has no place for the expanded entities; \
             put the navigation handle in the selection instead"
                .to_owned(),
        );
    }
    let navigations = expand
        .iter()
        .map(|item| item.split_once('(').map_or(item.as_str(), |(name, _)| name));
    let names: Vec<&str> = select.iter().copied().chain(navigations).collect();
    names
        .iter()
        .enumerate()
        .find(|(i, name)| names[..*i].contains(name))
        .map(|(_, name)| {
            format!("`{name}` is selected twice: a projection holds each property once")
        })
}

impl<E: Entity, S: Selection<E>> Query<E, S> {
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
    /// See [`RawQuery::url`]; [`Error::Config`](crate::Error::Config) for a selection that
    /// cannot be sent (see [`select`](Query::select)).
    pub fn url(&self) -> Result<Url> {
        self.raw.url()
    }

    /// The result pages, fetched as the stream is polled, following `@odata.nextLink`.
    pub fn pages(self) -> Pages<S::Row> {
        self.raw
            .pages_with(SelectionDecoder::<E, S>::new(self.selection))
    }

    /// The client and the request for the first page, alone or in a `$batch`.
    pub(crate) fn prepare(&self) -> (Client, Result<Prepared>) {
        self.raw.prepare()
    }

    /// The first row (`$top=1`); `None` when nothing matches.
    ///
    /// # Errors
    /// As for [`stream`](Self::stream).
    pub async fn first(self) -> Result<Option<S::Row>> {
        self.top(1).stream().try_next().await
    }

    /// Every row in one `Vec`, or [`Error::RowLimitExceeded`](crate::Error::RowLimitExceeded)
    /// when more than `max_rows` match.
    ///
    /// # Errors
    /// The row cap, or any error of [`stream`](Self::stream).
    pub async fn collect_all(self, max_rows: usize) -> Result<Vec<S::Row>> {
        let url = self.url()?;
        self.stream().collect_capped(max_rows, url.as_str()).await
    }

    /// The result rows, one page in memory at a time.
    pub fn stream(self) -> Rows<S::Row> {
        self.pages().rows()
    }

    /// The untyped query and the selection, for readers built on top of this query.
    pub(crate) fn into_parts(self) -> (RawQuery, S) {
        (self.raw, self.selection)
    }
}
