//! OData `$batch`: many reads and atomic change sets of writes in one HTTP request
//! (OData v4 Part 1 §11.7, `multipart/mixed`), as F&O supports it.
//!
//! Start with [`Client::batch`](crate::Client::batch): add reads with [`Batch::get`] and writes
//! to [`Batch::change_set`]s, each returning a typed [`Slot`]; [`Batch::send`] returns the
//! [`BatchResults`], which give each slot's value or error.
//!
//! Inside, one file per step: `builder` collects the operations; `chunk` splits a large batch
//! into requests of at most a configured number of operations without splitting a change set;
//! `encode` writes the multipart body; `parse` reads the multipart response strictly; `matching`
//! ties its parts to the operations (a failed change set answers with one part: the others were
//! rolled back); `retry` picks the operations answered 429 to send again; `send` runs it all;
//! `results` hands each slot's typed value or error to the caller.

mod builder;
mod chunk;
mod encode;
mod error;
mod matching;
mod operation;
mod parse;
mod progress;
mod results;
mod retry;
mod send;

pub use builder::{
    Batch, ChangeSet, DEFAULT_MAX_OPERATIONS, DEFAULT_MAX_RETRIES, FNO_MAX_OPERATIONS,
};
pub use error::BatchError;
pub use progress::{ChunkProgress, OperationStatus};
pub use results::{BatchResults, Slot};
