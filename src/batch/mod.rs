//! OData `$batch`: many reads and atomic change sets of writes in one HTTP request
//! (OData v4 Part 1 §11.7, `multipart/mixed`), as F&O supports it.
//!
//! Start with [`Client::batch`](crate::Client::batch): [`Batch::add`] takes the builders of
//! single calls (`client.entity_set::<E>().top(10)`, `client.get::<E>(&key)`, a function), and
//! [`ChangeSet::add`] the writes of a [`Batch::change_set`]
//! (`client.update(&key, &changes).if_match(row.etag())`, `client.create(&new)`, a delete, an
//! action). Each builder lowers to the very request its single call sends, so the batch carries
//! exactly that (`cross_company`, `If-Match`, `Prefer` included), and each returns a [`Slot`]
//! typed by the single call's result; [`Batch::send`] returns the [`BatchResults`], which give
//! each slot's value or error.
//!
//! F&O's `cross-company=true` follows the same rule as for single calls: it is sent only when
//! the builder asks for it (`client.get::<E>(&key).cross_company()`), never added on its own; a
//! row of another company than the caller's default is not found by key without it.
//!
//! # Answer shapes the client reads
//!
//! - **Failed change set, F&O**: the outer response is 200; the change set comes back as a
//!   nested `multipart/mixed; boundary=changesetresponse_<guid>` holding only the failing
//!   operation's part (its `Content-ID`, `HTTP/1.1 500 Internal Server Error`, an OData error
//!   whose `innererror.type` is `…AxODataWriteException`). That operation's slot gives the
//!   service error; every other operation of the change set is
//!   [`BatchError::RolledBack`] with it as [`cause`](BatchError::cause).
//! - **Failed change set, OData spec / SAP CAP**: one `application/http` error part in place of
//!   the change set; read the same way.
//! - Inner parts typed `application/json; odata.metadata=minimal; charset=utf-8`; inner
//!   requests are sent with absolute URLs (as F&O's own batches), or relative ones with
//!   [`Batch::relative_urls`].
//! - A part that cannot be tied to a request (unknown or repeated `Content-ID`, none where the
//!   position does not tell, more parts than requests): [`BatchError::MalformedResponse`] for
//!   that unit, which may have been applied and is never sent again.
//!
//! A change set is sent again only when the service proved it applied nothing (429 for it or
//! for the whole request, 503 with `Retry-After`, no connection). Use [`Batch::on_progress`] to
//! learn which chunks committed even if the send is dropped.
//!
//! Inside, one file per step: `request` lowers the builders (sealed traits); `builder`
//! collects the operations; `chunk` splits a large batch
//! into requests of at most a configured number of operations without splitting a change set;
//! `encode` writes the multipart body; `parse` reads the multipart response strictly; `matching`
//! ties its parts to the operations (a failed change set answers with one part: the others were
//! rolled back); `retry` picks the operations answered 429 to send again; `send` runs it all;
//! `results` hands each slot's typed value or error to the caller; `progress` reports each
//! request's outcome.

mod builder;
mod chunk;
mod encode;
mod matching;
mod operation;
mod parse;
mod progress;
mod request;
mod results;
mod send;
mod throttled_parts;

pub use crate::error::BatchError;
pub use builder::{
    Batch, ChangeSet, DEFAULT_MAX_OPERATIONS, DEFAULT_MAX_RETRIES, FNO_MAX_OPERATIONS,
};
pub use progress::{ChunkProgress, OperationStatus};
pub use request::{BatchRequest, ChangeSetRequest};
pub use results::{BatchResults, Slot};

#[cfg(test)]
mod tests;
