//! Offset windows: `$skip=k·(p−1)&$top=p` under `$orderby` on the full key, fetched
//! concurrently; each window overlaps the next by one row, and that row's key must match.

use std::collections::BTreeMap;
use std::pin::Pin;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{Stream, StreamExt, TryStreamExt, stream};

use super::BulkError;
use super::key::{self, KeyValues, KeyedDecoder};
use super::plan::{Plan, bulk_error, flatten};
use crate::entity::Entity;
use crate::error::Result;
use crate::query::{RawQuery, Selection};

type Keyed<R> = (KeyValues, R);

/// Window requests in flight, each with its window number.
type InFlight<R> = FuturesUnordered<BoxFuture<'static, (u64, Result<Vec<Keyed<R>>>)>>;

/// A window as received: its size, first and last key, and (for ordered delivery) its rows.
struct Arrived<R> {
    len: usize,
    first: Option<KeyValues>,
    last: Option<KeyValues>,
    rows: Option<Vec<R>>,
}

/// The state of an offset-window read.
struct Windows<E, S: Selection<E>> {
    plan: Plan<E, S>,
    decoder: KeyedDecoder<E, S>,
    /// The base query with `$orderby` on the key.
    base: RawQuery,
    /// Windows that may be scheduled now (grows by one while the last one comes back full).
    limit: u64,
    /// Most windows ever, so that a result that keeps growing ends the read.
    max_windows: u64,
    /// The next window to schedule.
    next: u64,
    /// The next window to check against the one before it.
    check_next: u64,
    /// Size and last key of window `check_next - 1`.
    previous: Option<(usize, Option<KeyValues>)>,
    /// The first window that came back short: the end of the result.
    end: Option<u64>,
    in_flight: InFlight<S::Row>,
    arrived: BTreeMap<u64, Arrived<S::Row>>,
    started: bool,
}

pub(super) fn rows<E: Entity, S: Selection<E>>(
    plan: Plan<E, S>,
) -> Pin<Box<dyn Stream<Item = Result<S::Row>> + Send>> {
    let decoder = KeyedDecoder::new(plan.selection.clone(), plan.key.clone());
    let base = plan.ordered_query();
    let state = Windows {
        plan,
        decoder,
        base,
        limit: 0,
        max_windows: 0,
        next: 0,
        check_next: 0,
        previous: None,
        end: None,
        in_flight: FuturesUnordered::new(),
        arrived: BTreeMap::new(),
        started: false,
    };
    flatten(stream::try_unfold(state, |mut state| async move {
        Ok(state.next_batch().await?.map(|batch| (batch, state)))
    }))
}

/// How many windows of `page` rows, overlapping by one, cover `rows` rows.
fn windows_for(rows: u64, page: u64) -> u64 {
    if rows <= page {
        1
    } else {
        (rows - page).div_ceil(page - 1) + 1
    }
}

impl<E: Entity, S: Selection<E>> Windows<E, S> {
    fn page(&self) -> u64 {
        self.plan.page_size
    }

    fn skip_of(&self, window: u64) -> u64 {
        window.saturating_mul(self.page() - 1)
    }

    /// The next rows to deliver; `None` at the end.
    async fn next_batch(&mut self) -> Result<Option<Vec<S::Row>>> {
        if !self.started {
            self.started = true;
            let rows = self.plan.count().await?;
            self.plan.tracker.expect(rows);
            self.limit = windows_for(rows, self.page());
            self.max_windows = self.limit.saturating_mul(2).saturating_add(16);
        }
        loop {
            if let Some(batch) = self.check_arrived()? {
                if !batch.is_empty() {
                    self.plan.tracker.delivered(batch.len());
                    return Ok(Some(batch));
                }
                continue;
            }
            if self.end.is_some() && self.in_flight.is_empty() && self.check_next >= self.next {
                return Ok(None);
            }
            self.schedule();
            let Some((window, result)) = self.in_flight.next().await else {
                // Nothing in flight and nothing to schedule: every window up to the limit is
                // checked, the last one full, and the limit could not grow.
                return Err(bulk_error(BulkError::Runaway {
                    entity_set: self.plan.entity_set.to_owned(),
                    reason: format!(
                        "the result kept growing while it was read: more than {} windows of {} \
                         rows",
                        self.max_windows,
                        self.page()
                    ),
                }));
            };
            let mut rows = result?;
            self.plan.tracker.page();
            let arrived = Arrived {
                len: rows.len(),
                first: rows.first().map(|(k, _)| k.clone()),
                last: rows.last().map(|(k, _)| k.clone()),
                rows: None,
            };
            // Every window but the first starts with the last row of the window before it.
            if window > 0 && !rows.is_empty() {
                rows.remove(0);
            }
            let rows: Vec<S::Row> = rows.into_iter().map(|(_, row)| row).collect();
            if self.plan.ordered {
                self.arrived.insert(
                    window,
                    Arrived {
                        rows: Some(rows),
                        ..arrived
                    },
                );
            } else {
                self.arrived.insert(window, arrived);
                if !rows.is_empty() {
                    self.plan.tracker.delivered(rows.len());
                    return Ok(Some(rows));
                }
            }
        }
    }

    /// Starts windows while there is room: at most `concurrency` in flight, and none more than
    /// `concurrency` ahead of the first window not yet checked (which bounds what is held).
    fn schedule(&mut self) {
        let n = self.plan.concurrency as u64;
        while self.in_flight.len() < self.plan.concurrency
            && self.next < self.limit
            && self.next < self.check_next + n
            && self.end.is_none_or(|end| self.next <= end)
        {
            let window = self.next;
            self.next += 1;
            let query = self
                .base
                .clone()
                .skip(self.skip_of(window))
                .top(self.page());
            let decoder = self.decoder.clone();
            let top = self.page();
            let entity_set = self.plan.entity_set;
            self.in_flight.push(Box::pin(async move {
                (window, fetch(query, decoder, top, entity_set).await)
            }));
        }
    }

    /// Checks arrived windows in order against the window before each; returns the rows of the
    /// next window to deliver (ordered delivery), or `None` when the next window has not
    /// arrived.
    fn check_arrived(&mut self) -> Result<Option<Vec<S::Row>>> {
        let Some(arrived) = self.arrived.remove(&self.check_next) else {
            return Ok(None);
        };
        let window = self.check_next;
        let page = self.page() as usize;
        if let Some((previous_len, previous_last)) = &self.previous {
            let shifted = |expected: String, found: String| {
                bulk_error(BulkError::WindowsShifted {
                    entity_set: self.plan.entity_set.to_owned(),
                    window,
                    skip: self.skip_of(window),
                    expected,
                    found,
                })
            };
            let describe = |k: &Option<KeyValues>| match k {
                Some(k) => format!("({})", key::describe(&self.plan.key, k)),
                None => "none".to_owned(),
            };
            if *previous_len == page {
                if arrived.first != *previous_last {
                    return Err(shifted(
                        describe(previous_last),
                        match &arrived.first {
                            Some(_) => format!("it starts with {}", describe(&arrived.first)),
                            None => "it is empty".to_owned(),
                        },
                    ));
                }
            } else if arrived.len > 0 {
                return Err(shifted(
                    "none (the window before it ended the result)".to_owned(),
                    format!(
                        "it holds {} rows, starting with {}",
                        arrived.len,
                        describe(&arrived.first)
                    ),
                ));
            }
        }
        if arrived.len < page {
            self.end.get_or_insert(window);
        } else if window + 1 == self.limit && self.end.is_none() && self.limit < self.max_windows {
            // Full up to the counted end: rows were added; read on until a window is short.
            self.limit += 1;
        }
        self.previous = Some((arrived.len, arrived.last));
        self.check_next += 1;
        Ok(Some(arrived.rows.unwrap_or_default()))
    }
}

/// Reads one window: every page of `query` (a window is one page unless the service pages
/// smaller than `$top`), at most `top` rows.
async fn fetch<E: Entity, S: Selection<E>>(
    query: RawQuery,
    decoder: KeyedDecoder<E, S>,
    top: u64,
    entity_set: &'static str,
) -> Result<Vec<Keyed<S::Row>>> {
    let url = query.url()?;
    let mut pages = query.pages_with(decoder);
    let mut rows = Vec::new();
    while let Some(page) = pages.try_next().await? {
        rows.extend(page.rows);
        if rows.len() as u64 > top {
            return Err(bulk_error(BulkError::TooManyRows {
                entity_set: entity_set.to_owned(),
                url: url.to_string(),
                rows: rows.len(),
                top,
            }));
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::windows_for;

    #[test]
    fn windows_overlap_by_one_row_and_cover_the_count() {
        assert_eq!(windows_for(0, 10), 1);
        assert_eq!(windows_for(10, 10), 1);
        assert_eq!(windows_for(11, 10), 2);
        assert_eq!(windows_for(19, 10), 2);
        assert_eq!(windows_for(20, 10), 3);
        assert_eq!(windows_for(25_000, 1000), 26);
        assert_eq!(windows_for(2, 2), 1);
        assert_eq!(windows_for(3, 2), 2);
        assert_eq!(windows_for(4, 2), 3);
        // Window k covers rows [k·(p−1), k·(p−1)+p−1]: the last one reaches row `rows − 1`.
        for (rows, page) in [(11u64, 10u64), (999, 100), (1_000_000, 1000), (5, 2)] {
            let w = windows_for(rows, page);
            assert!((w - 1) * (page - 1) + page >= rows, "{rows}/{page}");
            assert!(
                w == 1 || (w - 2) * (page - 1) + page < rows,
                "{rows}/{page}"
            );
        }
    }
}
