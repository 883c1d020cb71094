//! OData Edm primitive types and their wire forms (JSON values and URL literals).
//!
//! Generated entity types use these newtypes for their properties, so each
//! Edm type is decoded and encoded one way everywhere:
//!
//! | Edm type | Rust type | JSON form | URL literal |
//! |---|---|---|---|
//! | `Edm.Decimal` | [`Decimal`] (`rust_decimal`) | number, exact (strings accepted) | `12.50` |
//! | `Edm.DateTimeOffset` | [`DateTimeOffset`] (`time`) | `"2024-01-01T00:00:00Z"` | `2024-01-01T00:00:00Z` |
//! | `Edm.Date` | [`Date`] | `"2024-01-31"` | `2024-01-31` |
//! | `Edm.TimeOfDay` | [`TimeOfDay`] | `"13:45:00.1234567"` | `13:45:00.1234567` |
//! | `Edm.Duration` | [`Duration`] | `"P1DT2H"` | `duration'P1DT2H'` |
//! | `Edm.Guid` | [`Guid`] | `"5b3e1c52-…"` | `5b3e1c52-…` |
//! | `Edm.Binary` | [`Binary`] | `"-_8="` (base64url) | `binary'-_8='` |
//! | `Edm.String`, `Edm.Boolean`, `Edm.Int*`, `Edm.Double`, … | `String`, `bool`, `i64`, `f64`, … | as serde does | see [`ODataLiteral`] |
//!
//! [`Decimal`] never passes through `f64` when decoding from JSON text; see
//! its documentation for how, and for the limits with other
//! deserializers. Values that cannot be represented exactly are errors,
//! never rounded: decimals beyond 28–29 significant digits, fractional
//! seconds finer than a nanosecond.
//!
//! URL building is two steps: [`ODataLiteral`] writes a value's literal
//! (`'O''Brien'`, `Microsoft.Dynamics.DataEntities.NoYes'Yes'` via
//! [`EnumLiteral`]), then [`percent_encode_query_value`] or
//! [`percent_encode_path_segment`] makes the finished text URL-safe.
//! [`key_predicate`] and [`single_key_predicate`] do both for entity keys.
//!
//! Every parser fails with a [`ParseError`] naming the Edm type, the input,
//! the byte offset and the problem.

mod base64;
mod binary;
mod cursor;
mod date;
mod datetime;
mod decimal;
mod duration;
mod error;
mod guid;
mod key;
mod literal;
mod percent;
mod serde_str;
mod time_of_day;

pub use binary::Binary;
pub use date::Date;
pub use datetime::DateTimeOffset;
pub use decimal::Decimal;
pub use duration::Duration;
pub use error::{ParseError, ParseErrorKind};
pub use guid::Guid;
pub use key::{key_predicate, single_key_predicate};
pub use literal::{EnumLiteral, ODataLiteral, enum_literal};
pub use percent::{
    percent_encode_path_segment, percent_encode_query_value, write_percent_encoded_path_segment,
    write_percent_encoded_query_value,
};
pub use time_of_day::TimeOfDay;
