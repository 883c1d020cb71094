//! Building query URLs: system query options (`$filter`, `$select`, `$expand`, `$orderby`, `$top`,
//! `$skip`, `$count`), custom options (F&O's `cross-company`) and their percent-encoding.

mod encode;
mod raw;

pub use raw::RawQuery;
