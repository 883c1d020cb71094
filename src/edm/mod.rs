//! OData Edm primitive types and their wire forms (JSON values and URL literals).

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
