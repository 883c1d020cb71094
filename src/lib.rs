//! Typed OData v4 client for Microsoft Dynamics 365 Finance & Operations.
//!
//! Start with [`Client::builder`]; read entity sets with [`Client::query`], whose results stream
//! page by page ([`RawQuery::stream`]) following the server's `@odata.nextLink`. Single entities
//! are read and written by key with [`Client::get`], [`Client::create`], [`Client::update`] and
//! [`Client::delete`] (updates and deletes guarded by the entity's [`ETag`]); actions and functions
//! are invoked with [`Client::action`], [`Client::function`] and their bound forms. Failures are one
//! [`Error`] type whose variants separate "the service said no" from transport problems.

pub mod auth;
pub mod batch;
mod client;
mod crud;
pub mod edm;
mod entity;
mod error;
pub mod limits;
mod operation;
mod paging;
pub mod profile;
mod query;
pub mod retry;
mod service_error;
mod transport;

pub use auth::{Auth, Secret};
pub use batch::{Batch, BatchError, BatchResults, ChangeSet, Slot};
pub use client::{Client, ClientBuilder, DEFAULT_MAX_PAGE_SIZE, DEFAULT_TIMEOUT};
pub use crud::{CreateRequest, DeleteRequest, ETag, EntityRef, GetRequest, UpdateRequest};
pub use entity::{Entity, EntityKey};
pub use error::{Error, Result};
pub use limits::RateLimit;
pub use operation::{ActionRequest, FunctionRequest};
pub use paging::{Page, Pages, Rows};
pub use query::{
    Field, Filter, IntoLiteral, Many, Navigation, One, OrderBy, Ordered, Query, RawQuery,
    SelectFields,
};
pub use retry::RetryPolicy;
pub use service_error::{ErrorDetail, ServiceError};

/// The README's code examples, compiled as doc tests so they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
