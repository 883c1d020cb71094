//! Bulk reads: one query's rows fetched by several requests at once, exactly once each.
//!
//! Following `@odata.nextLink` reads one page per round trip; against F&O (100-500 ms a page)
//! 100,000 rows take a hundred sequential round trips, while the service allows 52 requests in
//! flight per user. [`Query::bulk`](crate::Query::bulk) cuts the result into parts and reads
//! them concurrently through the client's normal request path, so the client's concurrency
//! limit, its throttle gate (a `Retry-After` pauses every part) and its retry policy apply to
//! every request. Two ways to cut:
//!
//! - **Offset windows** ([`BulkRead::offset_windows`], the default): `$count` first, then
//!   windows `$skip=k·(p−1)&$top=p` under a stable `$orderby` on the full key. Each window
//!   overlaps the next by one row, and the read checks that the last key of a window is the
//!   first key of the next: a row inserted or deleted mid-read in the part already read moves
//!   every later window, which shows there as a mismatch and ends the read with
//!   [`BulkError::WindowsShifted`] instead of a duplicated or missing row. Fast (every window
//!   is known up front); exact when nothing writes meanwhile, and never silently wrong.
//! - **Key ranges** ([`BulkRead::key_ranges`], [`BulkRead::partitions`],
//!   [`BulkRead::partition_by`]): ranges `field ge lo and field lt hi` on an ordered property
//!   (boundaries found with `$top=1&$skip=k` probes), or partitions given by the caller (one per
//!   company, say). Inside a range pages follow the key (`$filter` "after the last row read",
//!   not `$skip`), so rows written meanwhile cannot shift anything: every row that exists
//!   throughout the read is delivered exactly once.
//!
//! - **Automatic** ([`BulkRead::auto`]): offset windows when the whole result fits in one round
//!   of `concurrency` requests (nothing to gain from probing), else key ranges on the field
//!   given.
//!
//! For reading only what changed since an earlier run, see [`sync`] ([`BulkRead::changes`]).
//!
//! At most `concurrency` requests are in flight and, for ordered delivery, at most about twice
//! that many pages are held, whatever the size of the result.
//!
//! ```no_run
//! # use futures::TryStreamExt;
//! # use d365fo_odata::{Client, Entity, Field};
//! # #[derive(serde::Deserialize)] struct Customer {}
//! # impl Entity for Customer {
//! #     const ENTITY_SET: &'static str = "CustomersV3";
//! #     const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.CustomerV3";
//! #     type Key = NoKey; type Profile = d365fo_odata::profile::Fno;
//! # }
//! # struct NoKey; impl d365fo_odata::EntityKey for NoKey { fn write_predicate(&self, _: &mut String) {} }
//! # const DATA_AREA_ID: Field<Customer, String> = Field::new("dataAreaId");
//! # const CUSTOMER_ACCOUNT: Field<Customer, String> = Field::new("CustomerAccount");
//! # async fn run(client: Client) -> d365fo_odata::Result<()> {
//! let mut rows = client
//!     .entity_set::<Customer>()
//!     .cross_company()
//!     .bulk()
//!     .key((DATA_AREA_ID, CUSTOMER_ACCOUNT))
//!     .concurrency(16)
//!     .page_size(1000)
//!     .stream();
//! while let Some(customer) = rows.try_next().await? {
//!     // ...
//! #   let _ = customer;
//! }
//! # Ok(()) }
//! ```

mod key;
mod plan;
mod progress;
mod ranges;
pub mod sync;
mod windows;

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, TryStreamExt, stream};
use serde::de::DeserializeOwned;

pub use crate::error::BulkError;
pub use key::{Columns, KeyColumns};
pub use progress::Progress;
pub use sync::{Changes, SyncState};

use crate::edm::ODataLiteral;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::query::{Field, Filter, Ordered, Query, RawQuery, Selection};
use key::Column;
use plan::Plan;
use progress::Tracker;

/// Default number of requests a bulk read keeps in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Most requests one bulk read may keep in flight (the client's own concurrency limit, 52 by
/// default as F&O allows per user, still applies across everything the client does).
pub const MAX_CONCURRENCY: usize = 256;

/// Largest page a bulk read asks for (F&O's own page size).
pub const MAX_PAGE_SIZE: u64 = 10_000;

/// Most key ranges probed for by [`BulkRead::key_ranges`].
pub const MAX_RANGES: u64 = 1024;

/// How a bulk read cuts the result.
enum Strategy {
    Windows,
    Ranges {
        field: Column,
        /// How many ranges to cut (`None`: the default).
        ranges: Option<u64>,
    },
    Partitions(Vec<String>),
    /// Offset windows or key ranges on `field`, chosen after counting (see [`BulkRead::auto`]).
    Auto {
        field: Column,
    },
    /// A configuration problem found while building, reported when the read starts.
    Invalid(String),
}

/// A parallel read of one typed query; made by [`Query::bulk`](crate::Query::bulk).
///
/// Configure it, then [`stream`](Self::stream) the rows (or [`collect_all`](Self::collect_all)).
/// The entity's full key must be given with [`key`](Self::key): the read orders by it, and
/// checks window boundaries (offset windows) or pages through ranges (key ranges) by it.
/// A query for a bulk read must not set `$top`, `$skip` or `$orderby` (the read chooses them);
/// when it has a `$select`, the key properties are added to it.
#[must_use = "a bulk read does nothing until it is streamed"]
pub struct BulkRead<E, S> {
    raw: RawQuery,
    selection: S,
    key: Vec<Column>,
    concurrency: usize,
    page_size: Option<u64>,
    ordered: bool,
    strategy: Strategy,
    progress: Option<progress::Callback>,
    problem: Option<String>,
    entity: PhantomData<fn() -> E>,
}

impl<E, S> fmt::Debug for BulkRead<E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let strategy = match &self.strategy {
            Strategy::Windows => "offset windows".to_owned(),
            Strategy::Ranges { field, .. } => format!("key ranges on {}", field.name),
            Strategy::Partitions(p) => format!("{} partitions", p.len()),
            Strategy::Auto { field } => format!("auto (key ranges on {})", field.name),
            Strategy::Invalid(problem) => format!("invalid: {problem}"),
        };
        f.debug_struct("BulkRead")
            .field("query", &self.raw)
            .field("key", &self.key)
            .field("concurrency", &self.concurrency)
            .field("page_size", &self.page_size)
            .field("ordered", &self.ordered)
            .field("strategy", &strategy)
            .finish_non_exhaustive()
    }
}

impl<E: Entity, S: Selection<E>> Query<E, S> {
    /// Reads the result with several requests at once: offset windows or key ranges fetched
    /// concurrently, each row delivered exactly once (see [`crate::bulk`]).
    pub fn bulk(self) -> BulkRead<E, S> {
        let (raw, selection) = self.into_parts();
        BulkRead::new(raw, selection)
    }
}

impl<E: Entity, S: Selection<E>> BulkRead<E, S> {
    pub(crate) fn new(raw: RawQuery, selection: S) -> Self {
        BulkRead {
            raw,
            selection,
            key: Vec::new(),
            concurrency: DEFAULT_CONCURRENCY,
            page_size: None,
            ordered: true,
            strategy: Strategy::Windows,
            progress: None,
            problem: None,
            entity: PhantomData,
        }
    }

    /// The entity's full key, as field handles in key order: one handle or a tuple, e.g.
    /// `(DATA_AREA_ID, CUSTOMER_ACCOUNT)`. Rows are ordered by it; every row must hold a
    /// non-null value for each (a row without one is a decode error naming the property).
    pub fn key(mut self, key: impl KeyColumns<E>) -> Self {
        self.key = key::columns_of(key);
        self
    }

    /// Requests in flight at once for this read (default [`DEFAULT_CONCURRENCY`]; 1 to
    /// [`MAX_CONCURRENCY`]). The client's concurrency limit still caps the total.
    pub fn concurrency(mut self, requests: usize) -> Self {
        if requests == 0 || requests > MAX_CONCURRENCY {
            self.problem.get_or_insert(format!(
                "concurrency {requests}: a bulk read needs 1 to {MAX_CONCURRENCY} requests"
            ));
        }
        self.concurrency = requests.clamp(1, MAX_CONCURRENCY);
        self
    }

    /// Rows per request (default: the client's `max_page_size`, else 1000; 2 to
    /// [`MAX_PAGE_SIZE`]). Keep it at or below the page size the service answers with, so that
    /// each window or range page is one response.
    pub fn page_size(mut self, rows: u64) -> Self {
        if !(2..=MAX_PAGE_SIZE).contains(&rows) {
            self.problem.get_or_insert(format!(
                "page size {rows}: a bulk read needs 2 to {MAX_PAGE_SIZE} rows per request"
            ));
        }
        self.page_size = Some(rows.clamp(2, MAX_PAGE_SIZE));
        self
    }

    /// Delivers rows as responses arrive rather than in key order (ordered is the default).
    /// Nothing is held back waiting for an earlier part, so memory stays at the pages in
    /// flight; each row still arrives exactly once.
    pub fn unordered(mut self) -> Self {
        self.ordered = false;
        self
    }

    /// Cuts the result into offset windows (the default): see the [module](self) docs.
    /// Rows written meanwhile into the part already read end the read with
    /// [`BulkError::WindowsShifted`].
    pub fn offset_windows(mut self) -> Self {
        self.strategy = Strategy::Windows;
        self
    }

    /// Cuts the result into ranges of `field` (a key property, or one such as
    /// `ModifiedDateTime` that is never null), with boundaries at evenly spaced positions found
    /// by probes; pages inside each range follow the key. Exact under concurrent writes for
    /// every row that exists throughout the read. The number of ranges is set with
    /// [`ranges`](Self::ranges) (default: twice the concurrency, at most one per page).
    pub fn key_ranges<T>(mut self, field: Field<E, T>) -> Self
    where
        T: Ordered<E::Profile> + DeserializeOwned + ODataLiteral + 'static,
    {
        self.strategy = Strategy::Ranges {
            field: Column::of(field),
            ranges: None,
        };
        self
    }

    /// Chooses the strategy after counting the rows: offset windows when the whole result
    /// fits in one round of requests (at most `concurrency` pages: every window is in flight at
    /// once, so probing for range boundaries would only add a round trip), else key ranges on
    /// `field` (which must be orderable, as for [`key_ranges`](Self::key_ranges)). Key
    /// ranges' boundary probes are one extra round of at most `concurrency` concurrent
    /// requests, a small part of a read of several rounds, and buy exactness under writes.
    /// Either way rows are ordered by (`field`, key), and the count is made once.
    pub fn auto<T>(mut self, field: Field<E, T>) -> Self
    where
        T: Ordered<E::Profile> + DeserializeOwned + ODataLiteral + 'static,
    {
        self.strategy = Strategy::Auto {
            field: Column::of(field),
        };
        self
    }

    /// The number of key ranges to cut (1 to [`MAX_RANGES`]); only with
    /// [`key_ranges`](Self::key_ranges).
    pub fn ranges(mut self, count: u64) -> Self {
        match &mut self.strategy {
            Strategy::Ranges { ranges, .. } if (1..=MAX_RANGES).contains(&count) => {
                *ranges = Some(count);
            }
            Strategy::Ranges { .. } => {
                self.problem.get_or_insert(format!(
                    "{count} ranges: a bulk read cuts 1 to {MAX_RANGES} key ranges"
                ));
            }
            _ => {
                self.problem
                    .get_or_insert("ranges() applies to key_ranges() only".to_owned());
            }
        }
        self
    }

    /// Reads one part per filter, each paged by the key; the filters must not overlap (a row
    /// matching two is delivered twice) and rows matching none are not read. For a list of
    /// companies or other values of one property, [`partition_by`](Self::partition_by) builds
    /// filters that cannot overlap.
    pub fn partitions(mut self, filters: impl IntoIterator<Item = Filter<E>>) -> Self {
        let filters: Vec<String> = filters.into_iter().map(Filter::into_string).collect();
        self.strategy = if filters.is_empty() {
            Strategy::Invalid("partitions(): no partitions given".to_owned())
        } else {
            Strategy::Partitions(filters)
        };
        self
    }

    /// One part per value of `field` (`field eq value`), e.g. one per company with
    /// `DATA_AREA_ID` and `["usmf", "demf"]`. Values equal but for letter case are refused
    /// (F&O compares strings without case, so they would read the same rows twice).
    pub fn partition_by<T, V>(
        mut self,
        field: Field<E, T>,
        values: impl IntoIterator<Item = V>,
    ) -> Self
    where
        V: crate::query::IntoLiteral<T>,
    {
        let mut filters = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for value in values {
            let mut literal = String::new();
            value.write_into(&mut literal);
            let folded = literal.to_lowercase();
            if seen.contains(&folded) {
                self.strategy = Strategy::Invalid(format!(
                    "partition_by({}): the value {literal} is given twice",
                    field.name()
                ));
                return self;
            }
            seen.push(folded);
            filters.push(format!("{} eq {literal}", field.name()));
        }
        self.strategy = if filters.is_empty() {
            Strategy::Invalid(format!("partition_by({}): no values given", field.name()))
        } else {
            Strategy::Partitions(filters)
        };
        self
    }

    /// Calls `callback` after each page of rows is delivered, with the rows and pages so far,
    /// the rate and, when the result was counted, the time left. It runs on the task polling
    /// the stream: keep it short.
    pub fn on_progress(mut self, callback: impl FnMut(&Progress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// An incremental sync instead of a full read: the rows whose `field` (`ModifiedDateTime`
    /// or another date-time the service sets on every write) changed since `state`; see
    /// [`sync`] for the guarantees. The key, page size, `$select` and filters of this read
    /// apply; concurrency, strategy and delivery order do not (a sync reads one page at a time
    /// in (field, key) order). Use [`SyncState::new`] for the first run.
    pub fn changes(
        mut self,
        field: Field<E, crate::edm::DateTimeOffset>,
        state: SyncState,
    ) -> Changes<E, S> {
        let column = Column::of(field);
        if self.key.iter().any(|c| c.name == column.name) {
            self.problem.get_or_insert(format!(
                "the watermark {} is a key property; name a date-time set on every write",
                column.name
            ));
        }
        self.strategy = Strategy::Ranges {
            field: column,
            ranges: None,
        };
        Changes::new(self.plan().map(|(plan, _)| plan), state)
    }

    /// The rows. Nothing is sent until the stream is polled; the first item is an
    /// [`Error::Config`] when the read is not configured well (no key, a query with `$top`,
    /// `$skip` or `$orderby`, an option out of range).
    ///
    /// # Errors
    /// Any error of a page request (after the client's retries), a decode error naming the
    /// row and property, or an [`Error::Bulk`] when the result cannot be read exactly.
    pub fn stream(self) -> BulkRows<S::Row> {
        let in_key = match &self.strategy {
            Strategy::Ranges { field, .. } | Strategy::Auto { field } => {
                self.key.iter().any(|c| c.name == field.name)
            }
            _ => false,
        };
        let inner: Pin<Box<dyn Stream<Item = Result<S::Row>> + Send>> = match self.plan() {
            Err(e) => Box::pin(stream::once(async move { Err(e) })),
            Ok((plan, Strategy::Windows)) => windows::rows(plan),
            Ok((plan, Strategy::Ranges { field, ranges })) => ranges::rows(
                plan,
                ranges::Cut::Probe {
                    field,
                    ranges,
                    in_key,
                },
            ),
            Ok((plan, Strategy::Partitions(filters))) => {
                ranges::rows(plan, ranges::Cut::Filters(filters))
            }
            Ok((plan, Strategy::Auto { field })) => auto(plan, field, in_key),
            Ok((_, Strategy::Invalid(problem))) => {
                let e = Error::config(problem);
                Box::pin(stream::once(async move { Err(e) }))
            }
        };
        BulkRows { inner }
    }

    /// Every row in one `Vec`, or [`Error::RowLimitExceeded`] when more than `max_rows` match.
    ///
    /// # Errors
    /// The row cap, or any error of [`stream`](Self::stream).
    pub async fn collect_all(self, max_rows: usize) -> Result<Vec<S::Row>> {
        let url = self.raw.url()?;
        let mut rows = self.stream();
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await? {
            if out.len() == max_rows {
                return Err(Error::RowLimitExceeded {
                    limit: max_rows,
                    url: url.to_string(),
                });
            }
            out.push(row);
        }
        Ok(out)
    }

    /// Checks the configuration and prepares the base query.
    fn plan(self) -> Result<(Plan<E, S>, Strategy)> {
        let set = E::ENTITY_SET;
        if let Some(problem) = self.problem {
            return Err(Error::config(format!("bulk read of {set}: {problem}")));
        }
        if self.key.is_empty() {
            return Err(Error::config(format!(
                "bulk read of {set}: no key given; call .key(..) with the entity's key field \
                 handles (e.g. (DATA_AREA_ID, CUSTOMER_ACCOUNT))"
            )));
        }
        let mut order = self.key.clone();
        if let Strategy::Ranges { field, .. } | Strategy::Auto { field } = &self.strategy {
            order.retain(|c| c.name != field.name);
            order.insert(0, *field);
        }
        if order.len() > key::MAX_COLUMNS {
            return Err(Error::config(format!(
                "bulk read of {set}: {} ordering properties, at most {} are supported",
                order.len(),
                key::MAX_COLUMNS
            )));
        }
        let url = self.raw.url()?;
        let mut selected: Option<Vec<String>> = None;
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "$top" | "$skip" | "$orderby" => {
                    return Err(Error::config(format!(
                        "bulk read of {set}: the query sets {name}; a bulk read chooses its own \
                         $orderby, $skip and $top (narrow it with filters instead)"
                    )));
                }
                "$select" => {
                    selected = Some(value.split(',').map(|s| s.trim().to_owned()).collect());
                }
                _ => {}
            }
        }
        let mut raw = self.raw;
        if let Some(selected) = selected {
            let missing: Vec<&'static str> = order
                .iter()
                .map(|c| c.name)
                .filter(|name| !selected.iter().any(|s| s == name))
                .collect();
            if !missing.is_empty() {
                raw = raw.select(missing);
            }
        }
        let client_page = raw_page_size(&raw);
        let page_size = self
            .page_size
            .unwrap_or(client_page)
            .clamp(2, MAX_PAGE_SIZE);
        let plan = Plan {
            raw,
            entity_set: set,
            selection: self.selection,
            key: order.into(),
            concurrency: self.concurrency,
            page_size,
            ordered: self.ordered,
            tracker: Tracker::new(self.progress),
            counted: None,
            entity: PhantomData,
        };
        Ok((plan, self.strategy))
    }
}

/// The client's `Prefer: odata.maxpagesize`, else 1000.
fn raw_page_size(raw: &RawQuery) -> u64 {
    raw.client().inner().max_page_size.map_or(1000, u64::from)
}

/// The automatic choice: counts, then reads in offset windows when every window fits in one
/// round of requests, else in key ranges on `field`.
fn auto<E: Entity, S: Selection<E>>(
    mut plan: Plan<E, S>,
    field: Column,
    in_key: bool,
) -> Pin<Box<dyn Stream<Item = Result<S::Row>> + Send>> {
    Box::pin(
        stream::once(async move {
            let rows = plan.count().await?;
            plan.counted = Some(rows);
            let one_round = rows.div_ceil(plan.page_size) <= plan.concurrency as u64;
            let rows: Pin<Box<dyn Stream<Item = Result<S::Row>> + Send>> = if one_round {
                windows::rows(plan)
            } else {
                let cut = ranges::Cut::Probe {
                    field,
                    ranges: None,
                    in_key,
                };
                ranges::rows(plan, cut)
            };
            Ok::<_, Error>(rows)
        })
        .try_flatten(),
    )
}

/// The rows of a bulk read; made by [`BulkRead::stream`].
///
/// It is `Unpin`, so `rows.try_next().await` works as is. Dropping it cancels the requests in
/// flight.
#[must_use = "streams do nothing unless polled"]
pub struct BulkRows<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
}

impl<T> Stream for BulkRows<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for BulkRows<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BulkRows")
    }
}
