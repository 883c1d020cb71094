//! What every request of the crate says on the wire, in one place: media types and `Accept`,
//! `Prefer` values, the check that a name is one path segment, the cross-company rule, and the
//! [`Prepared`] request that every builder lowers to (sent alone through the transport, or
//! encoded as one part of a `$batch`).
//!
//! # The cross-company rule
//!
//! A request carries F&O's `cross-company=true` **only when the caller asks for it**
//! (`.cross_company()` on a query, an [`EntityRef`](crate::EntityRef), a get, update, delete,
//! action or function), and then exactly the same way whether it is sent alone or inside a
//! `$batch`. Nothing adds it on its own, not even for a key that names its company:
//!
//! - on a collection read the option widens the result from the caller's default company to
//!   every company the caller may read (FNO_FACTS.md §2 of the design notes, after Microsoft's
//!   OData page, "Cross-company behavior": it "returns data from all companies the user can
//!   access"), so it can never be implied there;
//! - a read, update, delete or bound operation by key on a row of another company than the
//!   default needs it too, and answers 404 without it (FNO_FACTS.md §2, by-key row): the
//!   [`Error::NotFound`](crate::Error::NotFound) says so, and one visible option is easier to reason about than a rule
//!   that depends on what the key happens to contain;
//! - creates take their company from the `dataAreaId` in the body (FNO_FACTS.md §2, writes
//!   row), so a create never needs it.
//!
//! One rule for single calls and batches means a batch carries exactly what the single call
//! would send (earlier versions added the option inside a batch whenever a key named a
//! company, and nowhere else).

mod prepared;

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;

use crate::error::{Error, Result};

pub(crate) use prepared::{Answer, Decode, Prepared};

/// The content type of JSON request bodies.
pub(crate) const JSON: &str = "application/json";

/// The `Accept` of every JSON request: minimal metadata (`@odata.etag`, `@odata.context`,
/// `@odata.nextLink`, `@odata.count` and nothing more).
pub(crate) const ACCEPT_JSON: &str = "application/json;odata.metadata=minimal";

/// The media type of a `$batch` request and of what it asks back.
pub(crate) const MULTIPART_MIXED: &str = "multipart/mixed";

/// The OData version every request (and every part of a `$batch`) is written in.
pub(crate) const ODATA_VERSION: &str = "4.0";

/// The `Prefer` request header (RFC 7240).
pub(crate) const PREFER: HeaderName = HeaderName::from_static("prefer");

/// `Prefer` value of a `$batch` that goes on after a failed operation.
pub(crate) const PREFER_CONTINUE_ON_ERROR: &str = "odata.continue-on-error";

/// The custom query option of F&O's cross-company reads and writes, and its only value (see the
/// [module docs](self) for when it is sent).
pub(crate) const CROSS_COMPANY: (&str, &str) = ("cross-company", "true");

/// `Prefer: odata.maxpagesize=<rows>`, for collection reads.
pub(crate) fn prefer_max_page_size(rows: u32) -> HeaderValue {
    // Digits only: always a valid header value.
    HeaderValue::from_str(&format!("odata.maxpagesize={rows}"))
        .unwrap_or_else(|_| HeaderValue::from_static("odata.maxpagesize=1000"))
}

/// Checks that `name` (an entity set, operation or navigation property name; `kind` says
/// which, for the message) is one plain path segment: not empty, and without `/`, `?`, `#`,
/// `%`, parentheses, whitespace or control characters. Every builder checks its names with
/// this before anything is sent.
///
/// # Errors
/// [`Error::Config`] naming the kind and the name.
pub(crate) fn check_segment(kind: &str, name: &str) -> Result<()> {
    let bad = |c: char| matches!(c, '/' | '?' | '#' | '%' | '(' | ')') || c.is_whitespace();
    if name.is_empty() || name.chars().any(|c| bad(c) || c.is_control()) {
        return Err(Error::config(format!(
            "{name:?} is not an {kind} name (one path segment: no '/', '?', '#', '%', \
             parentheses or spaces)"
        )));
    }
    Ok(())
}

/// Serializes a JSON request body for `what` (e.g. `new CustomerV3`).
///
/// # Errors
/// [`Error::Config`] when the value cannot be written as JSON (a map with non-string keys, a
/// `Serialize` implementation that fails).
pub(crate) fn encode_json<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<Bytes> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| Error::config(format!("cannot write {what} as JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_with_delimiters_or_spaces_are_refused() {
        for bad in [
            "", "A/B", "A?x", "A#", "50%", " A", "A B", "F(x)", "A)", "A\u{7}", "A\tB",
        ] {
            let e = check_segment("entity set", bad).unwrap_err();
            assert!(matches!(e, Error::Config { .. }), "{bad:?}: {e:?}");
        }
        check_segment(
            "operation",
            "Microsoft.Dynamics.DataEntities.ExportToPackage",
        )
        .unwrap();
        check_segment("entity set", "CustomersV3").unwrap();
        check_segment("navigation property", "SalesOrderLines").unwrap();
    }

    #[test]
    fn body_that_cannot_be_json_is_a_config_error_naming_it() {
        let mut map = std::collections::BTreeMap::new();
        map.insert((1, 2), "x");
        let e = encode_json("new CustomerV3", &map).unwrap_err();
        assert!(e.to_string().contains("new CustomerV3"), "{e}");
    }

    #[test]
    fn page_size_preference_is_written_as_odata_says() {
        assert_eq!(prefer_max_page_size(250), "odata.maxpagesize=250");
    }
}
