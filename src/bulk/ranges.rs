//! Key ranges and partitions: parts cut by `$filter`, read concurrently; inside a part, pages
//! follow the key (`$filter` after the last row read) rather than `$skip`, so that rows written
//! meanwhile shift nothing.

use std::collections::VecDeque;
use std::pin::Pin;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{Stream, StreamExt, TryStreamExt, stream};

use super::key::{self, Column, KeyOnly, KeyValues, KeyedDecoder};
use super::plan::{Plan, bulk_error, flatten};
use super::{BulkError, MAX_RANGES};
use crate::entity::Entity;
use crate::error::Result;
use crate::query::{RawQuery, Selection};

type Keyed<R> = (KeyValues, R);

/// Page requests in flight, each with the index of its part.
type InFlight<R> = FuturesUnordered<BoxFuture<'static, (usize, Result<PartPage<R>>)>>;

/// How the parts are found.
pub(super) enum Cut {
    /// Ranges of `field`, boundaries probed at evenly spaced positions; `in_key`: `field` is a
    /// key property (so never null).
    Probe {
        field: Column,
        ranges: Option<u64>,
        in_key: bool,
    },
    /// One part per filter, as given.
    Filters(Vec<String>),
}

/// One part of the result and how far it has been read.
struct Part<R> {
    filter: Option<String>,
    /// The key of the last row read (`None`: nothing read yet).
    cursor: Option<KeyValues>,
    done: bool,
    in_flight: bool,
    pages: VecDeque<Vec<R>>,
}

/// A page of one part: its rows and whether more may follow.
struct PartPage<R> {
    rows: Vec<Keyed<R>>,
    more: bool,
}

struct Ranges<E, S: Selection<E>> {
    plan: Plan<E, S>,
    decoder: KeyedDecoder<E, S>,
    base: RawQuery,
    cut: Option<Cut>,
    parts: Vec<Part<S::Row>>,
    /// The part being delivered (ordered delivery).
    current: usize,
    in_flight: InFlight<S::Row>,
    /// Page requests left before the read is called a runaway.
    budget: u64,
}

pub(super) fn rows<E: Entity, S: Selection<E>>(
    plan: Plan<E, S>,
    cut: Cut,
) -> Pin<Box<dyn Stream<Item = Result<S::Row>> + Send>> {
    let decoder = KeyedDecoder::new(plan.selection.clone(), plan.key.clone());
    let base = plan.ordered_query();
    let state = Ranges {
        plan,
        decoder,
        base,
        cut: Some(cut),
        parts: Vec::new(),
        current: 0,
        in_flight: FuturesUnordered::new(),
        budget: 0,
    };
    flatten(stream::try_unfold(state, |mut state| async move {
        Ok(state.next_batch().await?.map(|batch| (batch, state)))
    }))
}

fn part<R>(filter: Option<String>) -> Part<R> {
    Part {
        filter,
        cursor: None,
        done: false,
        in_flight: false,
        pages: VecDeque::new(),
    }
}

impl<E: Entity, S: Selection<E>> Ranges<E, S> {
    /// Finds the parts: probes boundaries for key ranges, takes partitions as given.
    async fn start(&mut self, cut: Cut) -> Result<()> {
        let page = self.plan.page_size;
        let (filters, expected) = match cut {
            Cut::Filters(filters) => (filters.into_iter().map(Some).collect::<Vec<_>>(), None),
            Cut::Probe {
                field,
                ranges,
                in_key,
            } => {
                let rows = self.plan.count().await?;
                self.plan.tracker.expect(rows);
                let probe = Probe {
                    raw: self.plan.raw.clone(),
                    base: self.base.clone(),
                    concurrency: self.plan.concurrency,
                    page: self.plan.page_size,
                    entity_set: self.plan.entity_set,
                };
                (probe.run(field, ranges, rows, in_key).await?, Some(rows))
            }
        };
        // Each part ends with one page that is not full; rows may grow meanwhile, so allow
        // four times the pages counted, plus room for the parts' last pages.
        let counted_pages = expected.map_or(0, |rows| rows.div_ceil(page));
        self.budget = counted_pages
            .saturating_mul(4)
            .saturating_add(filters.len() as u64 * 2)
            .saturating_add(64);
        self.parts = filters.into_iter().map(part).collect();
        Ok(())
    }
}

/// What the boundary probes need.
struct Probe {
    raw: RawQuery,
    base: RawQuery,
    concurrency: usize,
    page: u64,
    entity_set: &'static str,
}

impl Probe {
    /// Boundaries of `field` at positions `k·rows/ranges`, as range filters in order.
    async fn run(
        self,
        field: Column,
        ranges: Option<u64>,
        rows: u64,
        in_key: bool,
    ) -> Result<Vec<Option<String>>> {
        let set = self.entity_set;
        if !in_key {
            let nulls = self
                .raw
                .clone()
                .filter(format!("{} eq null", field.name))
                .top(1)
                .pages::<serde::de::IgnoredAny>()
                .try_next()
                .await?;
            if nulls.is_some_and(|p| !p.rows.is_empty()) {
                return Err(bulk_error(BulkError::NullRangeField {
                    entity_set: set.to_owned(),
                    field: field.name.to_owned(),
                }));
            }
        }
        let page = self.page;
        let wanted = ranges
            .unwrap_or(self.concurrency as u64 * 2)
            .min(rows.div_ceil(page))
            .clamp(1, MAX_RANGES);
        let columns: std::sync::Arc<[Column]> = std::sync::Arc::from(vec![field]);
        let probes = (1..wanted).map(|k| {
            let position = (u128::from(k) * u128::from(rows) / u128::from(wanted)) as u64;
            let query = self.base.clone().select([field.name]).skip(position).top(1);
            let decoder = KeyOnly(columns.clone());
            async move {
                let page = query.pages_with(decoder).try_next().await?;
                Ok::<_, crate::Error>(page.and_then(|p| p.rows.into_iter().next()))
            }
        });
        let found: Vec<Option<KeyValues>> = stream::iter(probes)
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        let mut bounds: Vec<String> = Vec::new();
        for value in found.into_iter().flatten() {
            let literal = value.into_vec().swap_remove(0);
            if bounds.last() != Some(&literal) {
                bounds.push(literal);
            }
        }
        let name = field.name;
        let mut filters = Vec::with_capacity(bounds.len() + 1);
        let mut low: Option<&String> = None;
        for bound in bounds.iter().map(Some).chain([None]) {
            let filter = match (low, bound) {
                (None, None) => None,
                (None, Some(high)) => Some(format!("{name} lt {high}")),
                (Some(low), None) => Some(format!("{name} ge {low}")),
                (Some(low), Some(high)) => Some(format!("{name} ge {low} and {name} lt {high}")),
            };
            filters.push(filter);
            low = bound;
        }
        Ok(filters)
    }
}

impl<E: Entity, S: Selection<E>> Ranges<E, S> {
    async fn next_batch(&mut self) -> Result<Option<Vec<S::Row>>> {
        if let Some(cut) = self.cut.take() {
            self.start(cut).await?;
        }
        loop {
            if self.plan.ordered {
                while let Some(part) = self.parts.get_mut(self.current) {
                    if let Some(rows) = part.pages.pop_front() {
                        self.plan.tracker.delivered(rows.len());
                        return Ok(Some(rows));
                    }
                    if !part.done {
                        break;
                    }
                    self.current += 1;
                }
                if self.current == self.parts.len() {
                    return Ok(None);
                }
            } else if self.in_flight.is_empty() && self.parts.iter().all(|p| p.done) {
                return Ok(None);
            }
            self.schedule()?;
            let Some((index, result)) = self.in_flight.next().await else {
                // Cannot happen: an unfinished part always has a request or a page waiting.
                return Err(self.runaway("no request in flight for an unfinished part".to_owned()));
            };
            let page = result?;
            self.plan.tracker.page();
            let part = &mut self.parts[index];
            part.in_flight = false;
            let last = page.rows.last().map(|(k, _)| k.clone());
            if page.more && last.is_some() && last == part.cursor {
                return Err(self.runaway(format!(
                    "a page repeated the last key read ({})",
                    last.as_deref()
                        .map_or(String::new(), |k| key::describe(&self.plan.key, k))
                )));
            }
            let part = &mut self.parts[index];
            if last.is_none() || !page.more {
                part.done = true;
            }
            if last.is_some() {
                part.cursor = last;
            }
            let rows: Vec<S::Row> = page.rows.into_iter().map(|(_, row)| row).collect();
            if rows.is_empty() {
                continue;
            }
            if self.plan.ordered {
                part.pages.push_back(rows);
            } else {
                self.plan.tracker.delivered(rows.len());
                return Ok(Some(rows));
            }
        }
    }

    fn runaway(&self, reason: String) -> crate::Error {
        bulk_error(BulkError::Runaway {
            entity_set: self.plan.entity_set.to_owned(),
            reason,
        })
    }

    /// Starts page requests while fewer than `concurrency` are in flight: one per part at a
    /// time, in key order, and (ordered delivery) only among the `concurrency` parts from the
    /// one being delivered, while pages held plus requests in flight stay under twice the
    /// concurrency (the part being delivered is never held back).
    fn schedule(&mut self) -> Result<()> {
        let n = self.plan.concurrency;
        let window = if self.plan.ordered {
            self.current..self.parts.len().min(self.current + n)
        } else {
            0..self.parts.len()
        };
        // Pages held for later parts plus requests in flight stay within twice the
        // concurrency; the part being delivered may always read on, so the read never stalls.
        let held: usize = self.parts[window.clone()]
            .iter()
            .map(|p| p.pages.len())
            .sum();
        for index in window {
            if self.in_flight.len() >= n {
                break;
            }
            let part = &self.parts[index];
            if part.done || part.in_flight {
                continue;
            }
            if index != self.current && held + self.in_flight.len() >= 2 * n {
                continue;
            }
            if self.budget == 0 {
                return Err(self.runaway(format!(
                    "more page requests than four times the counted pages; the result kept \
                     growing or the service repeats pages (part {index})"
                )));
            }
            self.budget -= 1;
            let mut query = self.base.clone();
            if let Some(filter) = &part.filter {
                query = query.filter(filter.clone());
            }
            if let Some(cursor) = &part.cursor {
                query = query.filter(key::after(&self.plan.key, cursor));
            }
            let top = self.plan.page_size;
            let query = query.top(top);
            let decoder = self.decoder.clone();
            let entity_set = self.plan.entity_set;
            self.parts[index].in_flight = true;
            self.in_flight.push(Box::pin(async move {
                (index, fetch(query, decoder, top, entity_set).await)
            }));
        }
        Ok(())
    }
}

/// Reads the first page of `query`; more may follow when it is full or the service sent a next
/// link (the next request continues after its last key instead of following the link).
async fn fetch<E: Entity, S: Selection<E>>(
    query: RawQuery,
    decoder: KeyedDecoder<E, S>,
    top: u64,
    entity_set: &'static str,
) -> Result<PartPage<S::Row>> {
    let url = query.url()?;
    let mut pages = query.pages_with(decoder);
    let Some(page) = pages.try_next().await? else {
        return Ok(PartPage {
            rows: Vec::new(),
            more: false,
        });
    };
    if page.rows.len() as u64 > top {
        return Err(bulk_error(BulkError::TooManyRows {
            entity_set: entity_set.to_owned(),
            url: url.to_string(),
            rows: page.rows.len(),
            top,
        }));
    }
    let more = page.rows.len() as u64 == top || page.next_link.is_some();
    Ok(PartPage {
        rows: page.rows,
        more,
    })
}
