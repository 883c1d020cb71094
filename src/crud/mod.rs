//! Single-entity reads and writes: get by key, create, update (PATCH), delete, and the ETags that
//! guard updates and deletes against lost writes.
//!
//! Everything starts from the [`Client`](crate::Client):
//!
//! | call | request | yields |
//! |---|---|---|
//! | [`Client::get`](crate::Client::get) | `GET Set(key)` | the entity |
//! | [`Client::create`](crate::Client::create) | `POST Set` with the fields that are set | the created entity |
//! | [`Client::update`](crate::Client::update) | `PATCH Set(key)` with the fields that are set | the new [`ETag`], when sent |
//! | [`Client::delete`](crate::Client::delete) | `DELETE Set(key)` | nothing |
//! | [`Client::update_row`](crate::Client::update_row) | `PATCH` of the row's entity, `If-Match` its ETag | the new [`ETag`], when sent |
//! | [`Client::delete_row`](crate::Client::delete_row) | `DELETE` of the row's entity, `If-Match` its ETag | nothing |
//! | [`Client::entity`](crate::Client::entity) | an [`EntityRef`] to do several of these, or invoke bound operations | |
//!
//! Each returns a request builder that runs when awaited (or with `send()`), so options read in
//! order: `client.update(&key, &changes).if_match(row.etag()).cross_company().await`. Each
//! lowers to one prepared request (`crate::wire::Prepared`) and a decoder for its answer, so
//! the same builder handed to [`Batch::add`](crate::Batch::add) or
//! [`ChangeSet::add`](crate::ChangeSet::add) sends exactly what the single call would.

// In reading order (rustdoc lists `EntityRef`'s methods in the order of these files).
mod address;

mod get;

mod create;

mod update;

mod delete;

mod write_errors;

pub use address::EntityRef;
pub use create::CreateRequest;
pub use delete::DeleteRequest;
pub use get::GetRequest;
pub use update::UpdateRequest;
