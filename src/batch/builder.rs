//! [`Batch`] and [`ChangeSet`]: collecting the requests builders prepare, each returning a
//! typed [`Slot`].

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::encode::Targets;
use super::operation::{Operation, Unit};
use super::progress::{ChunkProgress, Observer};
use super::request::{BatchRequest, ChangeSetRequest, Lowered};
use super::results::Slot;
use crate::client::Client;
use crate::crud::CreateRequest;
use crate::entity::ETag;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::paging::{self, Page, Serde};
use crate::query::{Query, RawQuery};
use crate::wire::{Answer, Decode, Prepared, check_segment};

/// Default cap on operations per `$batch` request: larger batches are sent as several requests.
pub const DEFAULT_MAX_OPERATIONS: usize = 1000;

/// The most operations F&O accepts in one `$batch` request.
pub const FNO_MAX_OPERATIONS: usize = 5000;

/// Default number of times throttled operations are sent again.
pub const DEFAULT_MAX_RETRIES: u32 = 3;

/// Several operations sent together with OData `$batch`; made by [`Client::batch`].
///
/// [`add`](Self::add) takes the same builders a single call is made from (a query, a get, a
/// function; writes too, each its own atomic unit), and a [`change_set`](Self::change_set) takes
/// writes applied atomically, all or nothing ([`ChangeSet::add`]): a batch carries exactly the
/// request the single call would send (options such as `if_match` and `cross_company`
/// included). Every operation returns a [`Slot`] typed by its result, the single call's result;
/// after [`send`](Self::send), the [`BatchResults`](crate::BatchResults) give each slot's value
/// or error.
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
/// let recent = batch.add(client.entity_set::<SalesOrderHeaderV2>().top(10));
/// let mut order = batch.change_set();
/// let header = order.add(client.create::<SalesOrderHeaderV2, _>(&serde_json::json!({
///     "dataAreaId": "usmf", "SalesOrderNumber": "SO-1001", "OrderingCustomerAccountNumber": "US-001",
/// })));
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

impl Batch {
    /// A new, empty batch sent with `client`.
    pub(crate) fn new(client: &Client) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Batch {
            client: client.clone(),
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

    /// Adds `request`, a builder exactly as a single call takes it, as its own unit: a query
    /// (its first page: rows up to the server's page size; follow [`Page::next_link`] outside
    /// the batch for more), a get, a function, or a write applied on its own. The slot yields
    /// what the single call yields (`Page<E>`, `E`, `Option<ETag>`, `()`, or an
    /// [`OperationResult`](crate::OperationResult) for an operation).
    ///
    /// ```no_run
    /// # use d365fo_odata::{Client, Entity, ETag, Result};
    /// # async fn run<E: Entity>(client: Client, key: E::Key, etag: ETag) -> Result<()> {
    /// let mut batch = client.batch();
    /// let row = batch.add(client.get::<E>(&key).cross_company());
    /// let first = batch.add(client.entity_set::<E>().top(5));
    /// let mut results = batch.send().await?;
    /// let row: E = results.take(row)?;
    /// # Ok(()) }
    /// ```
    ///
    /// A builder made from another client (another service root) makes [`send`](Self::send)
    /// fail with [`Error::Config`] before anything is sent.
    pub fn add<R: BatchRequest>(&mut self, request: R) -> Slot<R::Output> {
        let Lowered {
            client,
            prepared,
            decode,
        } = request.lower();
        self.push_single(&client, prepared, decode)
    }

    /// Reads one page of a typed query; the same as [`add`](Self::add).
    pub fn get<E: Entity>(&mut self, query: Query<E>) -> Slot<Page<E>> {
        self.add(query)
    }

    /// Reads one page of an untyped query, decoding rows into `T`: the query's own first-page
    /// request, as [`RawQuery::pages`] sends it.
    pub fn get_raw<T: DeserializeOwned + Send + 'static>(
        &mut self,
        query: RawQuery,
    ) -> Slot<Page<T>> {
        let (client, prepared) = query.prepare();
        self.push_single(&client, prepared, |answer: &Answer<'_>| {
            paging::decode_page(&Serde::<T>::new(), answer)
        })
    }

    /// Reads the entity of `E` with `key`: the same as `add(client.get::<E>(key))`. A row of
    /// another company than the caller's default needs `cross-company=true`:
    /// `add(client.get::<E>(key).cross_company())`.
    pub fn get_by_key<E: Entity>(&mut self, key: &E::Key) -> Slot<E> {
        let request = self.client.get::<E>(key);
        self.add(request)
    }

    /// Starts a change set: the writes added to it are applied all together or not at all.
    pub fn change_set(&mut self) -> ChangeSet<'_> {
        self.units.push(Unit::ChangeSet(Vec::new()));
        let unit = self.units.len() - 1;
        ChangeSet { batch: self, unit }
    }

    /// Adds a lone request as its own unit.
    fn push_single<T>(
        &mut self,
        client: &Client,
        prepared: Result<Prepared>,
        decode: Decode<T>,
    ) -> Slot<T> {
        let index = self.push(client, prepared);
        self.units.push(Unit::Single(index));
        Slot::new(self.id, index, None, decode)
    }

    /// Adds an operation and returns its slot index; a failure to build it is kept for `send`.
    fn push(&mut self, client: &Client, prepared: Result<Prepared>) -> usize {
        let index = self.ops.len();
        let root = self.client.service_root();
        let built = prepared.and_then(|request| {
            if client.service_root() != root {
                return Err(Error::config(format!(
                    "{} {} is for the service at {}, not this batch's {root} (a builder of \
                     another client?)",
                    request.method,
                    request.target(),
                    crate::redact::url(client.service_root()),
                )));
            }
            let url = request.url(root)?;
            Ok((request, url))
        });
        let (request, url) = match built {
            Ok(parts) => parts,
            Err(e) => {
                self.invalid.get_or_insert(e);
                let what = "an operation that could not be built".to_owned();
                (
                    Prepared::new(reqwest::Method::GET, String::new(), what),
                    root.clone(),
                )
            }
        };
        self.ops.push(Operation {
            request,
            url,
            content_id: (index + 1).to_string(),
        });
        index
    }
}

/// Writes that the service applies atomically: all of them or none. Made by
/// [`Batch::change_set`]; every write returns a [`Slot`].
///
/// [`add`](Self::add) takes the write builders exactly as a single call takes them
/// (`client.update(&key, &changes).if_match(row.etag())`, `client.create(&new)`,
/// `client.delete(&key)`, an action). A write can target an entity created earlier in the same
/// change set with [`create_referencing`](Self::create_referencing) (OData's `$n` Content-ID
/// reference), e.g. a sales order line posted to the header created just before it.
#[derive(Debug)]
pub struct ChangeSet<'a> {
    batch: &'a mut Batch,
    unit: usize,
}

impl ChangeSet<'_> {
    /// Adds `request`, a write builder exactly as the single call takes it: the change set
    /// carries the very request that call would send. The slot yields what the single call
    /// yields: the created entity, the new `Option<ETag>` of an update, `()` for a delete, an
    /// [`OperationResult`](crate::OperationResult) for an action.
    ///
    /// ```no_run
    /// # use d365fo_odata::{Client, Entity, Result};
    /// # async fn run<E: Entity>(client: Client, key: E::Key) -> Result<()> {
    /// let row = client.get::<E>(&key).await?;
    /// let mut batch = client.batch();
    /// let mut change_set = batch.change_set();
    /// let updated = change_set.add(
    ///     client
    ///         .update::<E, _>(&key, &serde_json::json!({"OrganizationName": "Contoso"}))
    ///         .if_match(row.etag()),
    /// );
    /// let mut results = batch.send().await?;
    /// let new_etag = results.take(updated)?;
    /// # Ok(()) }
    /// ```
    pub fn add<R: ChangeSetRequest>(&mut self, request: R) -> Slot<R::Output> {
        let Lowered {
            client,
            prepared,
            decode,
        } = request.lower();
        self.push(&client, prepared, decode)
    }

    /// Creates an entity of `E` (POST to its entity set) from `body`, which holds only the
    /// properties to set (F&O fills the others with defaults). The same as
    /// `add(client.create::<E, _>(body))`; the slot gives the created entity.
    pub fn create<E: Entity>(&mut self, body: &impl Serialize) -> Slot<E> {
        let request = self.batch.client.create::<E, _>(body);
        self.add(request)
    }

    /// Creates an entity of `E` through the navigation property `navigation` of the entity
    /// `parent` created earlier in this change set: POST to `$n/<navigation>`, where `n` is the
    /// parent's Content-ID. The service links the new entity to its parent (e.g. fills a line's
    /// order number from the header). Headers and body are those of
    /// `client.create::<E, _>(body)`; only the target differs.
    ///
    /// A `parent` from another change set or batch makes [`Batch::send`] fail with
    /// [`Error::Config`] before anything is sent.
    pub fn create_referencing<E: Entity, P>(
        &mut self,
        parent: Slot<P>,
        navigation: &str,
        body: &impl Serialize,
    ) -> Slot<E> {
        let (client, prepared) = self.batch.client.create::<E, _>(body).prepare();
        let prepared = prepared.and_then(|mut request| {
            if parent.batch != self.batch.id || parent.change_set != Some(self.unit) {
                return Err(Error::config(format!(
                    "create_referencing: the parent (Content-ID {}) is not in this change set; \
                     a Content-ID reference only works inside the change set that created the \
                     entity",
                    parent.content_id()
                )));
            }
            check_segment("navigation property", navigation)?;
            request.path = format!("${}/{navigation}", parent.content_id());
            Ok(request)
        });
        self.push(&client, prepared, CreateRequest::<E>::decode)
    }

    /// Updates the entity of `E` with `key` (PATCH) with `changes`, which holds only the
    /// properties to change: the request of `client.update::<E, _>(key, changes)`, whose slot
    /// yields nothing. Use [`add`](Self::add) with that builder for the new ETag, `if_match` or
    /// `cross_company`.
    pub fn update<E: Entity>(&mut self, key: &E::Key, changes: &impl Serialize) -> Slot<()> {
        let (client, prepared) = self.batch.client.update::<E, _>(key, changes).prepare();
        self.push(&client, prepared, nothing)
    }

    /// As [`update`](Self::update), only if the entity's ETag is still `etag` (`If-Match`); a
    /// stale ETag fails the change set with [`Error::PreconditionFailed`]. The request of
    /// `client.update::<E, _>(key, changes).if_match(&ETag::new(etag))`.
    pub fn update_if_match<E: Entity>(
        &mut self,
        key: &E::Key,
        etag: &str,
        changes: &impl Serialize,
    ) -> Slot<()> {
        let request = self.batch.client.update::<E, _>(key, changes);
        let (client, prepared) = request.if_match(&ETag::new(etag)).prepare();
        self.push(&client, prepared, nothing)
    }

    /// Deletes the entity of `E` with `key`: the same as `add(client.delete::<E>(key))`.
    pub fn delete<E: Entity>(&mut self, key: &E::Key) -> Slot<()> {
        let request = self.batch.client.delete::<E>(key);
        self.add(request)
    }

    /// As [`delete`](Self::delete), only if the entity's ETag is still `etag` (`If-Match`).
    pub fn delete_if_match<E: Entity>(&mut self, key: &E::Key, etag: &str) -> Slot<()> {
        let request = self.batch.client.delete::<E>(key);
        self.add(request.if_match(&ETag::new(etag)))
    }

    /// Number of writes in this change set so far.
    pub fn len(&self) -> usize {
        self.batch.units[self.unit].len()
    }

    /// `true` when the change set has no writes (an empty change set is not sent).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push<T>(
        &mut self,
        client: &Client,
        prepared: Result<Prepared>,
        decode: Decode<T>,
    ) -> Slot<T> {
        let index = self.batch.push(client, prepared);
        if let Unit::ChangeSet(slots) = &mut self.batch.units[self.unit] {
            slots.push(index);
        }
        Slot::new(self.batch.id, index, Some(self.unit), decode)
    }
}

/// The decoder of writes whose slot yields nothing.
fn nothing(_: &Answer<'_>) -> Result<()> {
    Ok(())
}
