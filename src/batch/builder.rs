//! [`Batch`] and [`ChangeSet`]: collecting reads and atomic groups of writes, each returning a
//! typed [`Slot`].

use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::encode::Targets;
use super::operation::{Operation, Unit};
use super::progress::{ChunkProgress, Observer};
use super::results::{Decode, Slot, decode_entity, decode_nothing, decode_page};
use crate::client::Client;
use crate::entity::{Entity, EntityKey};
use crate::error::{Error, Result};
use crate::paging::Page;
use crate::query::{Query, RawQuery};

/// Default cap on operations per `$batch` request: larger batches are sent as several requests.
pub const DEFAULT_MAX_OPERATIONS: usize = 1000;

/// The most operations F&O accepts in one `$batch` request.
pub const FNO_MAX_OPERATIONS: usize = 5000;

/// Default number of times throttled operations are sent again.
pub const DEFAULT_MAX_RETRIES: u32 = 3;

/// Several operations sent together with OData `$batch`; made by [`Client::batch`].
///
/// Reads ([`get`](Self::get), [`get_by_key`](Self::get_by_key)) stand alone; writes go into
/// [`change_set`](Self::change_set)s, each applied atomically (all or nothing). Every operation
/// returns a [`Slot`] typed by its result; after [`send`](Self::send), the
/// [`BatchResults`](crate::BatchResults) give each slot's value or error.
///
/// ```no_run
/// # use serde::{Deserialize, Serialize};
/// # use d365fo_odata::{Entity, EntityKey, profile::Fno};
/// # #[derive(Deserialize)] struct SalesOrderHeaderV2 { #[serde(rename = "SalesOrderNumber")] number: String }
/// # struct HeaderKey;
/// # impl EntityKey for HeaderKey { fn write_predicate(&self, _: &mut String) {} }
/// # impl Entity for SalesOrderHeaderV2 {
/// #     const ENTITY_SET: &'static str = "SalesOrderHeadersV2";
/// #     const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.SalesOrderHeaderV2";
/// #     type Key = HeaderKey; type Profile = Fno;
/// # }
/// # #[derive(Deserialize)] struct SalesOrderLine {}
/// # impl Entity for SalesOrderLine {
/// #     const ENTITY_SET: &'static str = "SalesOrderLines";
/// #     const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.SalesOrderLine";
/// #     type Key = HeaderKey; type Profile = Fno;
/// # }
/// # async fn run(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
/// let mut batch = client.batch();
/// let recent = batch.get(client.entity_set::<SalesOrderHeaderV2>().top(10));
/// let mut order = batch.change_set();
/// let header = order.create::<SalesOrderHeaderV2>(&serde_json::json!({
///     "dataAreaId": "usmf", "SalesOrderNumber": "SO-1001", "OrderingCustomerAccountNumber": "US-001",
/// }));
/// // The line is posted to the header created just before, in the same change set (`$n`).
/// let line = order.create_referencing::<SalesOrderLine, _>(header, "SalesOrderLines", &serde_json::json!({
///     "dataAreaId": "usmf", "InventoryLotId": "LOT-1001-1", "ItemNumber": "D0001",
/// }));
/// let mut results = batch.send().await?;
/// let page = results.take(recent)?;            // Page<SalesOrderHeaderV2>
/// let created = results.take(header)?;          // SalesOrderHeaderV2
/// let line = results.take(line)?;               // SalesOrderLine, or its error
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a batch does nothing until it is sent"]
pub struct Batch {
    pub(crate) client: Client,
    pub(crate) id: u64,
    pub(crate) ops: Vec<Operation>,
    pub(crate) units: Vec<Unit>,
    pub(crate) max_operations: usize,
    pub(crate) continue_on_error: bool,
    pub(crate) targets: Targets,
    pub(crate) max_retries: u32,
    /// Called after each `$batch` request's outcome is known.
    pub(crate) observer: Option<Observer>,
    /// The first operation that could not be built; [`Batch::send`] reports it.
    pub(crate) invalid: Option<Error>,
}

impl Client {
    /// A new, empty `$batch` for this client.
    pub fn batch(&self) -> Batch {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Batch {
            client: self.clone(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            ops: Vec::new(),
            units: Vec::new(),
            max_operations: DEFAULT_MAX_OPERATIONS,
            continue_on_error: false,
            targets: Targets::Absolute,
            max_retries: DEFAULT_MAX_RETRIES,
            observer: None,
            invalid: None,
        }
    }
}

impl Batch {
    /// Caps the operations per `$batch` request (default [`DEFAULT_MAX_OPERATIONS`]; F&O accepts
    /// up to [`FNO_MAX_OPERATIONS`]). A larger batch is sent as several requests, one after the
    /// other, each ending between two units: a change set is never split, and one larger than the
    /// cap makes [`send`](Self::send) fail before sending anything.
    pub fn max_operations(&mut self, operations: usize) -> &mut Self {
        self.max_operations = operations;
        self
    }

    /// Sends `Prefer: odata.continue-on-error`: the service goes on after a failed operation
    /// instead of stopping there. Without it, the operations after a failure are reported as
    /// [`BatchError::NotExecuted`](crate::BatchError::NotExecuted), and the requests of later
    /// chunks are not sent.
    pub fn continue_on_error(&mut self) -> &mut Self {
        self.continue_on_error = true;
        self
    }

    /// Writes the inner requests' targets as absolute URLs
    /// (`https://host/data/CustomersV3?$top=1`), as captured F&O batches do: the default.
    /// Content-ID references (`$1/…`) stay as they are.
    pub fn absolute_urls(&mut self) -> &mut Self {
        self.targets = Targets::Absolute;
        self
    }

    /// Writes the inner requests' targets relative to the service root (`CustomersV3?$top=1`)
    /// instead of as absolute URLs, for services that resolve them against the `$batch` URL
    /// only.
    pub fn relative_urls(&mut self) -> &mut Self {
        self.targets = Targets::Relative;
        self
    }

    /// Calls `observer` after each `$batch` HTTP request of [`send`](Self::send), as soon as its
    /// outcome is known and before the next request goes out, with the status of every
    /// operation it carried ([`ChunkProgress`]).
    ///
    /// This is how a caller learns which chunks committed when `send` does not return their
    /// results: when the future is dropped (a timeout, a cancelled task) after some requests
    /// were answered, the observer has already seen them. An operation throttled and sent again
    /// appears in a later call too; its last report is where it stands. The observer runs
    /// inside `send`: keep it short and do not block.
    pub fn on_progress(
        &mut self,
        observer: impl FnMut(&ChunkProgress) + Send + 'static,
    ) -> &mut Self {
        self.observer = Some(Observer(Box::new(observer)));
        self
    }

    /// How many times operations answered 429 are sent again, after the wait their
    /// `Retry-After` asks for (default [`DEFAULT_MAX_RETRIES`]; `0`: never). Only throttled
    /// operations (and those the service did not reach) are sent again, never the ones it
    /// answered. A client built with retries off never re-sends.
    pub fn max_retries(&mut self, retries: u32) -> &mut Self {
        self.max_retries = retries;
        self
    }

    /// Number of operations so far.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// `true` when the batch has no operations.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Reads one page of a typed query (rows up to the server's page size; follow
    /// [`Page::next_link`] outside the batch for more).
    pub fn get<E: Entity>(&mut self, query: Query<E>) -> Slot<Page<E>> {
        let url = query.url();
        self.read(url, decode_page::<E>)
    }

    /// Reads one page of an untyped query, decoding rows into `T`.
    pub fn get_raw<T: DeserializeOwned>(&mut self, query: RawQuery) -> Slot<Page<T>> {
        let url = query.url();
        self.read(url, decode_page::<T>)
    }

    /// Reads the entity of `E` with `key`. A key with `dataAreaId` adds F&O's
    /// `cross-company=true`, so that a row of any company is found.
    pub fn get_by_key<E: Entity>(&mut self, key: &E::Key) -> Slot<E> {
        let target = keyed_target::<E>(key);
        let url = self
            .client
            .service_root()
            .join(&target)
            .map_err(|e| Error::url(&target, e));
        self.read(url, decode_entity::<E>)
    }

    /// Starts a change set: the writes added to it are applied all together or not at all.
    pub fn change_set(&mut self) -> ChangeSet<'_> {
        self.units.push(Unit::ChangeSet(Vec::new()));
        let unit = self.units.len() - 1;
        ChangeSet { batch: self, unit }
    }

    fn read<T>(&mut self, url: Result<url::Url>, decode: Decode<T>) -> Slot<T> {
        let index = self.ops.len();
        let target = url.and_then(|url| {
            let root = self.client.service_root().as_str();
            url.as_str()
                .strip_prefix(root)
                .map(str::to_owned)
                .ok_or_else(|| {
                    Error::config(format!(
                        "{url} is not under this batch's service root {root} (a query of another client?)"
                    ))
                })
        });
        let mut headers = vec![
            (
                "Accept",
                "application/json;odata.metadata=minimal".to_owned(),
            ),
            ("OData-Version", "4.0".to_owned()),
        ];
        if let Some(rows) = self.client.inner().max_page_size {
            headers.push(("Prefer", format!("odata.maxpagesize={rows}")));
        }
        self.push(index, Method::GET, target, headers, None);
        self.units.push(Unit::Single(index));
        Slot::new(self.id, index, None, decode)
    }

    /// Adds an operation at slot `index`; a failure to build it is kept for `send`.
    fn push(
        &mut self,
        index: usize,
        method: Method,
        target: Result<String>,
        headers: Vec<(&'static str, String)>,
        body: Option<Result<Bytes>>,
    ) {
        let root = self.client.service_root().clone();
        let built = target.and_then(|target| {
            let url = root.join(&target).map_err(|e| Error::url(&target, e))?;
            let body = body.transpose()?;
            Ok((target, url, body))
        });
        let (target, url, body) = match built {
            Ok(parts) => parts,
            Err(e) => {
                self.invalid.get_or_insert(e);
                (String::new(), root, None)
            }
        };
        self.ops.push(Operation {
            method,
            target,
            url,
            headers,
            body,
            content_id: (index + 1).to_string(),
        });
    }
}

/// `EntitySet(key)`, with `?cross-company=true` when the key names a company.
fn keyed_target<E: Entity>(key: &E::Key) -> String {
    let mut target = E::ENTITY_SET.to_owned();
    key.write_predicate(&mut target);
    if target.contains("dataAreaId=") {
        target.push_str("?cross-company=true");
    }
    target
}

/// Writes that the service applies atomically: all of them or none. Made by
/// [`Batch::change_set`]; every write returns a [`Slot`].
///
/// A write can target an entity created earlier in the same change set with
/// [`create_referencing`](Self::create_referencing) (OData's `$n` Content-ID reference), e.g. a
/// sales order line posted to the header created just before it.
#[derive(Debug)]
pub struct ChangeSet<'a> {
    batch: &'a mut Batch,
    unit: usize,
}

impl ChangeSet<'_> {
    /// Creates an entity of `E` (POST to its entity set) from `body`, which holds only the
    /// properties to set (F&O fills the others with defaults). The slot gives the created entity.
    pub fn create<E: Entity>(&mut self, body: &impl Serialize) -> Slot<E> {
        let target = Ok(E::ENTITY_SET.to_owned());
        self.write(
            Method::POST,
            target,
            None,
            Some(json(body)),
            decode_entity::<E>,
        )
    }

    /// Creates an entity of `E` through the navigation property `navigation` of the entity
    /// `parent` created earlier in this change set: POST to `$n/<navigation>`, where `n` is the
    /// parent's Content-ID. The service links the new entity to its parent (e.g. fills a line's
    /// order number from the header).
    ///
    /// A `parent` from another change set or batch makes [`Batch::send`] fail with
    /// [`Error::Config`] before anything is sent.
    pub fn create_referencing<E: Entity, P>(
        &mut self,
        parent: Slot<P>,
        navigation: &str,
        body: &impl Serialize,
    ) -> Slot<E> {
        let target = if parent.batch != self.batch.id || parent.change_set != Some(self.unit) {
            Err(Error::config(format!(
                "create_referencing: the parent (Content-ID {}) is not in this change set; \
                 a Content-ID reference only works inside the change set that created the entity",
                parent.content_id()
            )))
        } else if navigation.is_empty() || navigation.contains(['/', '?', '#', '%', '(', ')', ' '])
        {
            Err(Error::config(format!(
                "{navigation:?} is not a navigation property name"
            )))
        } else {
            Ok(format!("${}/{navigation}", parent.content_id()))
        };
        self.write(
            Method::POST,
            target,
            None,
            Some(json(body)),
            decode_entity::<E>,
        )
    }

    /// Updates the entity of `E` with `key` (PATCH) with `changes`, which holds only the
    /// properties to change. A key with `dataAreaId` adds `cross-company=true`.
    pub fn update<E: Entity>(&mut self, key: &E::Key, changes: &impl Serialize) -> Slot<()> {
        let target = Ok(keyed_target::<E>(key));
        self.write(
            Method::PATCH,
            target,
            None,
            Some(json(changes)),
            decode_nothing,
        )
    }

    /// As [`update`](Self::update), only if the entity's ETag is still `etag` (`If-Match`); a
    /// stale ETag fails the change set with [`Error::PreconditionFailed`].
    pub fn update_if_match<E: Entity>(
        &mut self,
        key: &E::Key,
        etag: &str,
        changes: &impl Serialize,
    ) -> Slot<()> {
        let target = Ok(keyed_target::<E>(key));
        let etag = Some(etag.to_owned());
        self.write(
            Method::PATCH,
            target,
            etag,
            Some(json(changes)),
            decode_nothing,
        )
    }

    /// Deletes the entity of `E` with `key`. A key with `dataAreaId` adds `cross-company=true`.
    pub fn delete<E: Entity>(&mut self, key: &E::Key) -> Slot<()> {
        let target = Ok(keyed_target::<E>(key));
        self.write(Method::DELETE, target, None, None, decode_nothing)
    }

    /// As [`delete`](Self::delete), only if the entity's ETag is still `etag` (`If-Match`).
    pub fn delete_if_match<E: Entity>(&mut self, key: &E::Key, etag: &str) -> Slot<()> {
        let target = Ok(keyed_target::<E>(key));
        let etag = Some(etag.to_owned());
        self.write(Method::DELETE, target, etag, None, decode_nothing)
    }

    /// Number of writes in this change set so far.
    pub fn len(&self) -> usize {
        self.batch.units[self.unit].len()
    }

    /// `true` when the change set has no writes (an empty change set is not sent).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn write<T>(
        &mut self,
        method: Method,
        target: Result<String>,
        if_match: Option<String>,
        body: Option<Result<Bytes>>,
        decode: Decode<T>,
    ) -> Slot<T> {
        let index = self.batch.ops.len();
        let mut headers = vec![
            (
                "Accept",
                "application/json;odata.metadata=minimal".to_owned(),
            ),
            ("OData-Version", "4.0".to_owned()),
        ];
        let mut target = target;
        if let Some(etag) = if_match {
            if etag.chars().any(char::is_control) {
                target = Err(Error::config(format!(
                    "ETag {etag:?} holds control characters"
                )));
            }
            headers.push(("If-Match", etag));
        }
        self.batch.push(index, method, target, headers, body);
        if let Unit::ChangeSet(slots) = &mut self.batch.units[self.unit] {
            slots.push(index);
        }
        Slot::new(self.batch.id, index, Some(self.unit), decode)
    }
}

fn json(body: &impl Serialize) -> Result<Bytes> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|e| Error::config(format!("cannot serialize a $batch request body: {e}")))
}
