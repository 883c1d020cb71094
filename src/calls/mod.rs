//! The methods on [`Client`](crate::Client) that start each kind of call, one file per task.
//!
//! They live apart from `client` (the `Client` value, its builder and how one prepared request is
//! sent) because each creates a builder that holds a `Client`: the builders depend on `client`,
//! these methods depend on the builders, and nothing depends on them. The files are declared in
//! reading order, so that `Client`'s documentation reads top-down (rustdoc lists `impl` blocks in
//! the order their modules are declared): collections, one entity, operations, `$batch`, then the service's `$metadata`.

mod query;

mod crud;

mod operations;

mod batch;

mod metadata;
