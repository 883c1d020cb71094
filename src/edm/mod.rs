//! OData Edm primitive types and their wire forms (JSON values and URL literals).

mod cursor;
mod decimal;
mod error;

pub use decimal::Decimal;
pub use error::{ParseError, ParseErrorKind};
