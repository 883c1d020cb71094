//! Building query URLs: system query options (`$filter`, `$select`, `$expand`, `$orderby`, `$top`,
//! `$skip`, `$count`), custom options (F&O's `cross-company`) and their percent-encoding.
//!
//! [`Query`] is the typed builder over generated entity types and their [`Field`] handles;
//! [`RawQuery`] takes OData text for anything the typed builder does not cover.

mod encode;
mod field;
mod filter;
mod navigation;
mod raw;
mod select;
mod typed;

pub use field::{Field, IntoLiteral, OrderBy, Ordered};
pub use filter::Filter;
pub use navigation::{Many, Navigation, One};
pub use raw::RawQuery;
pub use select::{
    Expanded, Projected, Projection, Required, SelectFields, SelectItem, Selection, Whole,
};
pub use typed::Query;

pub(crate) use typed::SelectionDecoder;
