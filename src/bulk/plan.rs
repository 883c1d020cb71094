//! What every driver (offset windows, key ranges, incremental sync) works from: the [`Plan`] of a
//! read, the row count, and the stream helpers they share.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use futures::{Stream, TryStreamExt, stream};
use serde::de::IgnoredAny;

use super::key::Column;
use super::progress::Tracker;
use crate::error::{BulkError, Error, Result};
use crate::query::RawQuery;

/// What the drivers need: the prepared query and the read's settings.
pub(crate) struct Plan<E, S> {
    /// The caller's query, `$select` completed with the ordering columns.
    pub(super) raw: RawQuery,
    pub(super) entity_set: &'static str,
    pub(super) selection: S,
    /// The ordering columns: the range field first (key ranges), then the key.
    pub(super) key: Arc<[Column]>,
    pub(super) concurrency: usize,
    pub(super) page_size: u64,
    pub(super) ordered: bool,
    pub(super) tracker: Tracker,
    /// The count already made (by the automatic choice), used instead of counting again.
    pub(super) counted: Option<u64>,
    pub(super) entity: PhantomData<fn() -> E>,
}

impl<E, S> Plan<E, S> {
    /// The number of matching rows: the count already made, else a `$count` request.
    pub(super) async fn count(&mut self) -> Result<u64> {
        match self.counted.take() {
            Some(rows) => Ok(rows),
            None => count(self.raw.clone(), self.entity_set).await,
        }
    }

    /// The base query ordered by every ordering column.
    pub(super) fn ordered_query(&self) -> RawQuery {
        self.key
            .iter()
            .fold(self.raw.clone(), |q, c| q.order_by(c.name))
    }
}

/// Counts the rows of `raw` (`$count=true&$top=1`).
pub(super) async fn count(raw: RawQuery, entity_set: &str) -> Result<u64> {
    let query = raw.top(1).count();
    let url = query.url()?;
    let mut pages = query.pages::<IgnoredAny>();
    let page = pages.try_next().await?;
    page.and_then(|p| p.count).ok_or_else(|| {
        Error::Bulk(Box::new(BulkError::NoCount {
            entity_set: entity_set.to_owned(),
            url: url.to_string(),
        }))
    })
}

/// A [`BulkError`] as the crate's [`Error`].
pub(crate) fn bulk_error(e: BulkError) -> Error {
    Error::Bulk(Box::new(e))
}

/// Turns a stream of row batches into a stream of rows.
pub(crate) fn flatten<T: Send + 'static>(
    batches: impl Stream<Item = Result<Vec<T>>> + Send + 'static,
) -> Pin<Box<dyn Stream<Item = Result<T>> + Send>> {
    Box::pin(
        batches
            .map_ok(|batch| stream::iter(batch.into_iter().map(Ok)))
            .try_flatten(),
    )
}
