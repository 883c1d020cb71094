//! Incremental sync: the rows changed since a saved watermark, each row version delivered once.
//!
//! A sync reads the rows of a query in the order (watermark field, key), where the watermark
//! field is `ModifiedDateTime` or another date-time the service sets on every insert and update.
//! It keeps a [`SyncState`]: the position of the last row delivered and the rows delivered
//! within an *overlap window* before it. A run, made by
//! [`BulkRead::changes`](crate::bulk::BulkRead::changes), has two parts:
//!
//! 1. **Overlap re-check** (when a row was delivered before and the overlap is not zero): the
//!    rows at or before the saved position whose watermark is within `overlap` of the saved
//!    watermark are read again, and those the state remembers are skipped; the others (rows
//!    whose write became visible late) are delivered.
//! 2. **New rows**: the rows after the saved position, up to the highest watermark found when
//!    the run began, paged by the key (`$filter` "after the last row", never `$skip`).
//!
//! # Guarantees
//!
//! Watermarks and positions come from the service's own values, never from the local clock, so
//! the client's clock can be anything. A *row version* is a key with one watermark value; a row
//! updated twice is two versions. With the state saved after each page is processed:
//!
//! - **No version twice.** A version delivered (and saved) is never delivered again: it is
//!   either at or before the saved position and remembered (skipped by the re-check), or at or
//!   before it and older than the overlap window (not read again). This holds across crashes: a
//!   run resumed from the last saved state continues after the last row saved, and only the
//!   rows of pages not saved are delivered again (they were never recorded as delivered).
//! - **No version lost**, when each write becomes visible within `overlap` of the watermark it
//!   carries, that is, when `overlap` covers the longest time between the service stamping a
//!   row and committing it plus the difference between the clocks of the service's servers
//!   (F&O stamps `ModifiedDateTime` on the application server that writes). Rows that share a
//!   timestamp are ordered by the key, so a run stopped among them resumes exactly after the
//!   last one saved.
//! - **Bounded memory.** The state remembers at most [`Changes::remember`] rows (default
//!   [`DEFAULT_REMEMBER`]). When more rows than that fall within the overlap window, whole
//!   timestamps are forgotten from the oldest up and the re-check no longer reaches them (it
//!   starts above the newest forgotten timestamp), so the window shrinks rather than the state
//!   growing; no version is delivered twice because of it, but a late write in the forgotten
//!   part is not seen. A run holds one page of rows at a time.
//! - A row updated while a run reads gets a new watermark: that version is delivered by a later
//!   run (or this one, when the service's clocks differ), in addition to any earlier version
//!   already delivered.
//! - Deleted rows are not reported (the watermark of a deleted row cannot be read); use F&O
//!   change tracking or a full read for deletions.
//!
//! ```no_run
//! # use d365fo_odata::bulk::SyncState;
//! # use d365fo_odata::{Client, Entity, Field, edm::DateTimeOffset};
//! # #[derive(serde::Deserialize)] struct Customer {}
//! # impl Entity for Customer {
//! #     const ENTITY_SET: &'static str = "CustomersV3";
//! #     const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.CustomerV3";
//! #     type Key = NoKey; type Profile = d365fo_odata::profile::Fno;
//! # }
//! # struct NoKey; impl d365fo_odata::EntityKey for NoKey { fn write_predicate(&self, _: &mut String) {} }
//! # const DATA_AREA_ID: Field<Customer, String> = Field::new("dataAreaId");
//! # const CUSTOMER_ACCOUNT: Field<Customer, String> = Field::new("CustomerAccount");
//! # const MODIFIED: Field<Customer, DateTimeOffset> = Field::new("ModifiedDateTime");
//! # fn load() -> SyncState { SyncState::new() }
//! # fn save(_: &SyncState) {}
//! # async fn run(client: Client) -> d365fo_odata::Result<()> {
//! let mut changes = client
//!     .entity_set::<Customer>()
//!     .cross_company()
//!     .bulk()
//!     .key((DATA_AREA_ID, CUSTOMER_ACCOUNT))
//!     .changes(MODIFIED, load())
//!     .overlap(std::time::Duration::from_secs(300));
//! while let Some(rows) = changes.next_page().await? {
//!     // ... write `rows` where they go, then:
//!     save(changes.state());
//! #   let _ = rows;
//! }
//! # Ok(()) }
//! ```

mod state;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use serde::Deserialize as _;
use serde::de::{self, Deserializer};
use serde_json::value::RawValue;

pub use state::{MAX_REMEMBERED, SyncState};

use super::BulkError;
use super::key::{self, Column, KeyOnly, KeyValues};
use super::plan::{Plan, bulk_error};
use crate::edm::{DateTimeOffset, ODataLiteral};
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::paging::RowDecoder;
use crate::query::{RawQuery, Selection};
use state::{Position, Working};

/// Default overlap window: five minutes.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(300);

/// Longest overlap window accepted: thirty days.
pub const MAX_OVERLAP: Duration = Duration::from_secs(30 * 24 * 3600);

/// Default bound on the rows a state remembers for the overlap window.
pub const DEFAULT_REMEMBER: usize = 10_000;

/// Default bound on the rows one run delivers.
pub const DEFAULT_MAX_ROWS: u64 = 10_000_000;

/// Where a run stands.
enum Phase {
    /// Nothing sent yet.
    Start,
    /// Re-reading the overlap window up to `end` (the saved position); `after`: the last row
    /// read in this part.
    Overlap {
        filter: String,
        after: Option<KeyValues>,
        high: String,
    },
    /// Reading the rows after the cursor, up to the watermark `high`.
    New {
        high: String,
    },
    Done,
}

/// One run of an incremental sync; made by [`BulkRead::changes`](crate::bulk::BulkRead::changes).
///
/// Set the overlap and bounds, then call [`next_page`](Self::next_page) until it returns
/// `None`, saving [`state`](Self::state) after each page is processed (see the
/// [module](self) docs for what that guarantees). Dropping a run, or a `next_page` future, at
/// any point leaves the state as of the last page returned.
#[must_use = "a sync does nothing until next_page is called"]
pub struct Changes<E, S: Selection<E>> {
    plan: Option<Result<Plan<E, S>>>,
    /// The state given, until the run starts.
    given: SyncState,
    run: Option<Run<E, S>>,
    overlap: Duration,
    remember: usize,
    max_rows: u64,
    problem: Option<String>,
}

/// A started run.
struct Run<E, S: Selection<E>> {
    plan: Plan<E, S>,
    decoder: SyncDecoder<E, S>,
    /// The base query ordered by (field, key).
    base: RawQuery,
    working: Working,
    phase: Phase,
    /// Rows this run may still deliver.
    rows_left: u64,
}

impl<E, S: Selection<E>> fmt::Debug for Changes<E, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changes")
            .field("overlap", &self.overlap)
            .field("remember", &self.remember)
            .field("max_rows", &self.max_rows)
            .field("started", &self.run.is_some())
            .finish_non_exhaustive()
    }
}

impl<E: Entity, S: Selection<E>> Changes<E, S> {
    pub(crate) fn new(plan: Result<Plan<E, S>>, state: SyncState) -> Self {
        Changes {
            plan: Some(plan),
            given: state,
            run: None,
            overlap: DEFAULT_OVERLAP,
            remember: DEFAULT_REMEMBER,
            max_rows: DEFAULT_MAX_ROWS,
            problem: None,
        }
    }

    /// The overlap window (default [`DEFAULT_OVERLAP`], at most [`MAX_OVERLAP`]): how far
    /// before the saved watermark each run looks again for writes that became visible late.
    /// Zero turns the re-check off: each run then reads only after the saved position.
    pub fn overlap(mut self, window: Duration) -> Self {
        if window > MAX_OVERLAP {
            self.problem.get_or_insert(format!(
                "overlap {window:?}: at most {MAX_OVERLAP:?} is supported"
            ));
        }
        self.overlap = window.min(MAX_OVERLAP);
        self
    }

    /// Most rows the state remembers for the overlap window (default [`DEFAULT_REMEMBER`], 0
    /// to [`MAX_REMEMBERED`]); see the [module](self) docs for what happens past it.
    pub fn remember(mut self, rows: usize) -> Self {
        if rows > MAX_REMEMBERED {
            self.problem.get_or_insert(format!(
                "remember({rows}): at most {MAX_REMEMBERED} rows are remembered"
            ));
        }
        self.remember = rows.min(MAX_REMEMBERED);
        self
    }

    /// Most rows this run delivers (default [`DEFAULT_MAX_ROWS`], at least 1); the run then
    /// ends as if it had read everything, and the next run continues after the last row.
    pub fn max_rows(mut self, rows: u64) -> Self {
        if rows == 0 {
            self.problem
                .get_or_insert("max_rows(0): a run needs to deliver at least one row".to_owned());
        }
        self.max_rows = rows.max(1);
        self
    }

    /// The state as of the rows returned so far; save it after processing them. Before the
    /// first page it is the state the run was given.
    pub fn state(&self) -> &SyncState {
        match &self.run {
            Some(run) => &run.working.state,
            None => &self.given,
        }
    }

    /// The state as of the rows returned so far, by value.
    pub fn into_state(self) -> SyncState {
        match self.run {
            Some(run) => run.working.state,
            None => self.given,
        }
    }

    /// Runs to the end and returns every row delivered with the new state, or
    /// [`Error::RowLimitExceeded`] when more than `max_rows` rows change.
    ///
    /// # Errors
    /// The row cap, or any error of [`next_page`](Self::next_page).
    pub async fn collect_all(mut self, max_rows: usize) -> Result<(Vec<S::Row>, SyncState)> {
        let mut out = Vec::new();
        while let Some(rows) = self.next_page().await? {
            if out.len() + rows.len() > max_rows {
                return Err(Error::RowLimitExceeded {
                    limit: max_rows,
                    url: E::ENTITY_SET.to_owned(),
                });
            }
            out.extend(rows);
        }
        Ok((out, self.into_state()))
    }

    /// The next page of changed rows (never empty), or `None` when the run is done.
    ///
    /// # Errors
    /// An [`Error::Config`] when the sync is not configured well or the state does not fit it
    /// (checked before anything is sent), any error of a page request after the client's
    /// retries, a decode error naming the row and property (a row without a watermark value
    /// included), or an [`Error::Bulk`] when the service repeats rows.
    pub async fn next_page(&mut self) -> Result<Option<Vec<S::Row>>> {
        if self.run.is_none() {
            let Some(plan) = self.plan.take() else {
                return Ok(None);
            };
            let plan = plan?;
            if let Some(problem) = self.problem.take() {
                return Err(Error::config(format!(
                    "incremental sync of {}: {problem}",
                    plan.entity_set
                )));
            }
            let working = Working::load(self.given.clone(), &plan.key, plan.entity_set)?;
            let decoder = SyncDecoder {
                selection: plan.selection.clone(),
                columns: plan.key.clone(),
                entity: PhantomData,
            };
            let base = plan.ordered_query();
            self.run = Some(Run {
                plan,
                decoder,
                base,
                working,
                phase: Phase::Start,
                rows_left: self.max_rows,
            });
        }
        let (overlap, remember) = (self.overlap, self.remember);
        match &mut self.run {
            Some(run) => run.next_page(overlap, remember).await,
            None => Ok(None),
        }
    }
}

impl<E: Entity, S: Selection<E>> Run<E, S> {
    fn field(&self) -> Column {
        self.plan.key[0]
    }

    /// The start of the overlap window for the saved watermark (`None`: no watermark yet).
    fn lowest(&self, overlap: Duration) -> Option<DateTimeOffset> {
        let watermark = self.working.state.watermark()?;
        let overlap = time::Duration::try_from(overlap).unwrap_or(time::Duration::ZERO);
        let low = watermark
            .as_offset_date_time()
            .checked_sub(overlap)
            .map_or(DateTimeOffset::UNIX_EPOCH, DateTimeOffset::new);
        Some(low.to_utc())
    }

    async fn next_page(
        &mut self,
        overlap: Duration,
        remember: usize,
    ) -> Result<Option<Vec<S::Row>>> {
        loop {
            match &self.phase {
                Phase::Done => return Ok(None),
                Phase::Start => self.start(overlap, remember).await?,
                Phase::Overlap { .. } | Phase::New { .. } => {
                    if self.rows_left == 0 {
                        self.phase = Phase::Done;
                        continue;
                    }
                    if let Some(rows) = self.page(overlap, remember).await? {
                        return Ok(Some(rows));
                    }
                }
            }
        }
    }

    /// Finds the highest watermark now and sets up the first part of the run.
    async fn start(&mut self, overlap: Duration, remember: usize) -> Result<()> {
        let field = self.field();
        // The newest watermark when the run begins bounds the run: rows written meanwhile
        // are left to the next run, so a busy table cannot keep one run going.
        let mut probe = self.plan.raw.clone();
        if !probe
            .url()?
            .query_pairs()
            .any(|(name, _)| name == "$select")
        {
            probe = probe.select([field.name]);
        }
        let highest = probe
            .order_by(format!("{} desc", field.name))
            .top(1)
            .pages_with(KeyOnly(Arc::from(vec![field])))
            .try_next()
            .await?
            .and_then(|page| page.rows.into_iter().next());
        let Some(highest) = highest else {
            self.phase = Phase::Done;
            return Ok(());
        };
        let high = highest.into_vec().swap_remove(0);
        // A state saved with a wider window or a larger bound is narrowed to this run's.
        self.working.prune(self.lowest(overlap), remember);
        let end = self.working.cursor_literals.clone();
        let low = self.working.state.from();
        let (false, Some(low), Some(end)) = (overlap.is_zero(), low, end) else {
            self.phase = Phase::New { high };
            return Ok(());
        };
        let mut filter = format!("{} ge {}", field.name, low.to_literal());
        if let Some(floor) = self.working.state.floor() {
            filter.push_str(&format!(" and {} gt {}", field.name, floor.to_literal()));
        }
        filter.push_str(&format!(
            " and ({})",
            key::at_or_before(&self.plan.key, &end)
        ));
        self.phase = Phase::Overlap {
            filter,
            after: None,
            high,
        };
        Ok(())
    }

    /// Reads one page of the current part; `None` when it held nothing new to deliver.
    async fn page(&mut self, overlap: Duration, remember: usize) -> Result<Option<Vec<S::Row>>> {
        let field = self.field();
        let top = self.plan.page_size.min(self.rows_left.max(2));
        let mut query = self.base.clone();
        let (after, rechecking) = match &self.phase {
            Phase::Overlap { filter, after, .. } => {
                query = query.filter(filter.clone());
                (after.clone(), true)
            }
            Phase::New { high } => {
                query = query.filter(format!("{} le {high}", field.name));
                if self.working.cursor_literals.is_none()
                    && let Some(since) = self.working.state.since_value()
                {
                    query = query.filter(format!("{} ge {}", field.name, since.to_literal()));
                }
                (self.working.cursor_literals.clone(), false)
            }
            Phase::Start | Phase::Done => return Ok(None),
        };
        if let Some(after) = &after {
            query = query.filter(key::after(&self.plan.key, after));
        }
        let url = query.url()?;
        let Some(page) = query
            .top(top)
            .pages_with(self.decoder.clone())
            .try_next()
            .await?
        else {
            self.end_part();
            return Ok(None);
        };
        self.plan.tracker.page();
        if page.rows.len() as u64 > top {
            return Err(bulk_error(BulkError::TooManyRows {
                entity_set: self.plan.entity_set.to_owned(),
                url: url.to_string(),
                rows: page.rows.len(),
                top,
            }));
        }
        let more = page.rows.len() as u64 == top || page.next_link.is_some();
        let last = page
            .rows
            .last()
            .map(|(position, key, _)| state::with_watermark(position.at, key));
        if last.is_some() && last == after {
            return Err(bulk_error(BulkError::Runaway {
                entity_set: self.plan.entity_set.to_owned(),
                reason: format!(
                    "a page repeated the last row read ({})",
                    last.as_deref()
                        .map_or(String::new(), |k| key::describe(&self.plan.key, k))
                ),
            }));
        }
        let mut rows = Vec::with_capacity(page.rows.len());
        for (position, key, row) in page.rows {
            if self.rows_left == 0 {
                break;
            }
            if rechecking && self.working.delivered(position.at, &key) {
                continue;
            }
            self.rows_left -= 1;
            self.working.record(position, key, !rechecking);
            rows.push(row);
        }
        match (&mut self.phase, last) {
            (Phase::Overlap { after, .. }, Some(last)) if more => *after = Some(last),
            _ if !more => self.end_part(),
            _ => {}
        }
        self.working.prune(self.lowest(overlap), remember);
        if rows.is_empty() {
            return Ok(None);
        }
        self.plan.tracker.delivered(rows.len());
        Ok(Some(rows))
    }

    /// Moves on from the part just finished: from the re-check to the new rows, then done.
    fn end_part(&mut self) {
        self.phase = match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Overlap { high, .. } => Phase::New { high },
            _ => Phase::Done,
        };
    }
}

/// Decodes a row with the selection and reads its position alongside: the watermark value and
/// the key values (as literals, and as JSON for the saved state).
struct SyncDecoder<E, S> {
    selection: S,
    /// The watermark field, then the key.
    columns: Arc<[Column]>,
    entity: PhantomData<fn() -> E>,
}

impl<E, S: Clone> Clone for SyncDecoder<E, S> {
    fn clone(&self) -> Self {
        SyncDecoder {
            selection: self.selection.clone(),
            columns: self.columns.clone(),
            entity: PhantomData,
        }
    }
}

impl<E: 'static, S: Selection<E>> RowDecoder for SyncDecoder<E, S> {
    type Row = (Position, KeyValues, S::Row);

    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<Self::Row, D::Error> {
        let raw = <&RawValue>::deserialize(row)?;
        let mut at = None;
        let mut json = Vec::with_capacity(self.columns.len().saturating_sub(1));
        let literals = key::capture_with(raw.get(), &self.columns, |i, value| {
            if i == 0 {
                at = Some(serde_json::from_str::<DateTimeOffset>(value.get())?.to_utc());
            } else {
                json.push(serde_json::from_str::<serde_json::Value>(value.get())?);
            }
            Ok(())
        })
        .map_err(de::Error::custom)?;
        let at = at.ok_or_else(|| de::Error::custom("the row has no watermark value"))?;
        let key: KeyValues = literals[1..].to_vec().into_boxed_slice();
        let mut body = serde_json::Deserializer::from_str(raw.get());
        let value = self
            .selection
            .decode_row(&mut body)
            .map_err(de::Error::custom)?;
        Ok((Position { at, key: json }, key, value))
    }
}
