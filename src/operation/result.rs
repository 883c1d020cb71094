//! Reading an operation's result in the shape its return type has.

use bytes::Bytes;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Error as _};
use serde_json::value::RawValue;
use url::Url;

use crate::error::{Error, Result};
use crate::wire::Answer;

/// The successful answer of an action or function sent inside a `$batch`, to read in the shape
/// the operation's return type has (the same readers as the single call's `value()`,
/// `value_or_nested()` and `object()`).
///
/// ```no_run
/// # async fn run(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
/// let mut batch = client.batch();
/// let count = batch.add(client.function("GetCustomerCount").parameter("dataAreaId", "usmf"));
/// let mut results = batch.send().await?;
/// let customers: i64 = results.take(count)?.value()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct OperationResult {
    what: String,
    url: Url,
    body: Bytes,
}

impl OperationResult {
    /// Reads a primitive, enum or collection result from `{"value": …}`; no content reads as
    /// `None` for an `Option<T>`.
    ///
    /// # Errors
    /// [`Error::Decode`] naming the operation and URL when the body does not read as `T`.
    pub fn value<T: DeserializeOwned>(&self) -> Result<T> {
        value(&self.what, &self.url, &self.body)
    }

    /// Like [`value`](Self::value), also accepting the nested `{"value": {"value": …}}` of F&O's
    /// data management actions.
    ///
    /// # Errors
    /// As [`value`](Self::value).
    pub fn value_or_nested<T: DeserializeOwned>(&self) -> Result<T> {
        value_or_nested(&self.what, &self.url, &self.body)
    }

    /// Reads a complex-type or entity result, which is the body itself.
    ///
    /// # Errors
    /// As [`value`](Self::value).
    pub fn object<T: DeserializeOwned>(&self) -> Result<T> {
        object(&self.what, &self.url, &self.body)
    }

    /// `true` when the service answered without content (an operation without a result).
    pub fn is_empty(&self) -> bool {
        is_empty(&self.body)
    }
}

/// Keeps the answer for the caller to read in its shape.
pub(crate) fn keep(answer: &Answer<'_>) -> Result<OperationResult> {
    Ok(OperationResult {
        what: answer.what.to_owned(),
        url: answer.url.clone(),
        body: Bytes::copy_from_slice(answer.body),
    })
}

/// `{"value": …}`, the body of primitive, enum and collection results.
#[derive(Deserialize)]
struct Envelope<T> {
    value: T,
}

/// `{"value": T}`; an empty body (204) is `null` (so `Option<T>` reads as `None`).
pub(crate) fn value<T: DeserializeOwned>(operation: &str, url: &Url, body: &[u8]) -> Result<T> {
    if is_empty(body) {
        return no_content(operation, url);
    }
    serde_json::from_slice::<Envelope<T>>(body)
        .map(|e| e.value)
        .map_err(|e| decode_error(operation, url, &e))
}

/// `{"value": T}` or `{"value": {"value": T}}` (F&O's data management actions answer either).
///
/// The inner shape is tried only when `value` does not read as `T` and is itself an object with
/// a `value` member, so a `T` that is an object with a `value` field is read as is.
pub(crate) fn value_or_nested<T: DeserializeOwned>(
    operation: &str,
    url: &Url,
    body: &[u8],
) -> Result<T> {
    if is_empty(body) {
        return no_content(operation, url);
    }
    let outer = serde_json::from_slice::<Envelope<Box<RawValue>>>(body)
        .map_err(|e| decode_error(operation, url, &e))?;
    let inner = outer.value.get();
    match serde_json::from_str::<T>(inner) {
        Ok(value) => Ok(value),
        Err(direct) => serde_json::from_str::<Envelope<T>>(inner)
            .map(|e| e.value)
            .map_err(|_| decode_error(operation, url, &direct)),
    }
}

/// The body itself as `T` (complex type or entity results); an empty body is `null`.
pub(crate) fn object<T: DeserializeOwned>(operation: &str, url: &Url, body: &[u8]) -> Result<T> {
    if is_empty(body) {
        return no_content(operation, url);
    }
    serde_json::from_slice(body).map_err(|e| decode_error(operation, url, &e))
}

fn is_empty(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// A result read from no content: `Option`s and `()` accept it, other types fail.
fn no_content<T: DeserializeOwned>(operation: &str, url: &Url) -> Result<T> {
    T::deserialize(serde_json::Value::Null).map_err(|e| {
        let e = serde_json::Error::custom(format!(
            "the service sent no content, which does not read as the expected result ({e})"
        ));
        decode_error(operation, url, &e)
    })
}

fn decode_error(operation: &str, url: &Url, e: &serde_json::Error) -> Error {
    Error::decode(format!("result of {operation}"), url.as_str(), e)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::edm::Decimal;

    fn url() -> Url {
        Url::parse("http://127.0.0.1/data/GetCustomerCount()").unwrap()
    }

    #[test]
    fn primitive_result_is_read_from_value_member() {
        let body = br#"{"@odata.context":"$metadata#Edm.Int64","value":3000}"#;
        assert_eq!(value::<i64>("function F", &url(), body).unwrap(), 3000);
        let body = br#"{"@odata.context":"$metadata#Edm.Decimal","value":12345678901234.123456}"#;
        let d: Decimal = value("function F", &url(), body).unwrap();
        assert_eq!(d.to_string(), "12345678901234.123456");
    }

    #[test]
    fn collection_result_is_read_from_value_array() {
        let body = br#"{"value":["a","b"]}"#;
        assert_eq!(
            value::<Vec<String>>("action A", &url(), body).unwrap(),
            ["a", "b"]
        );
    }

    #[test]
    fn dmf_result_reads_in_flat_and_nested_shape() {
        let flat = br#"{"@odata.context":"x","value":"exec-1"}"#;
        let nested = br#"{"@odata.context":"x","value":{"value":"exec-1"}}"#;
        for body in [&flat[..], &nested[..]] {
            assert_eq!(
                value_or_nested::<String>("action ExportToPackage", &url(), body).unwrap(),
                "exec-1"
            );
        }
    }

    #[test]
    fn nested_reader_keeps_objects_with_a_value_field_as_they_are() {
        let body = br#"{"value":{"value":"x"}}"#;
        let map: BTreeMap<String, String> = value_or_nested("action A", &url(), body).unwrap();
        assert_eq!(map["value"], "x");
    }

    #[test]
    fn complex_result_is_the_body_itself() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Blob {
            #[serde(rename = "BlobId")]
            id: String,
        }
        let body = br#"{"@odata.context":"$metadata#X","BlobId":"b-1"}"#;
        assert_eq!(
            object::<Blob>("action A", &url(), body).unwrap(),
            Blob { id: "b-1".into() }
        );
    }

    #[test]
    fn no_content_reads_as_none_or_unit_and_fails_for_values() {
        assert_eq!(value::<Option<i64>>("action A", &url(), b"").unwrap(), None);
        value::<()>("action A", &url(), b"").unwrap();
        object::<Option<String>>("action A", &url(), b" ").unwrap();
        let e = value::<i64>("action SetCustomerOnHold", &url(), b"").unwrap_err();
        let shown = e.to_string();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        assert!(shown.contains("action SetCustomerOnHold"), "{shown}");
        assert!(shown.contains("no content"), "{shown}");
    }

    #[test]
    fn body_that_is_not_json_is_a_decode_error_naming_operation_and_url() {
        let e =
            value::<i64>("function GetCustomerCount", &url(), b"<html>oops</html>").unwrap_err();
        match &e {
            Error::Decode { what, url, .. } => {
                assert_eq!(what, "result of function GetCustomerCount");
                assert_eq!(url, "http://127.0.0.1/data/GetCustomerCount()");
            }
            other => panic!("{other:?}"),
        }
        let e = value_or_nested::<String>("action A", &url(), b"not json").unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        let e = value_or_nested::<String>("action A", &url(), br#"{"value":{"x":1}}"#).unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    }
}
