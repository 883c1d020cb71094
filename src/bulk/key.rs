//! Key columns: the properties a bulk read orders and cuts by, read back from every row as OData
//! literals so that they can be compared and written into `$filter` conditions.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::Deserialize as _;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess};
use serde_json::value::RawValue;

use crate::edm::ODataLiteral;
use crate::paging::RowDecoder;
use crate::query::{Field, Selection};

/// Most columns a bulk read orders by (the range field plus the key).
pub(crate) const MAX_COLUMNS: usize = 12;

/// One property a bulk read orders by: its name and how to turn its JSON value into a literal.
#[derive(Clone, Copy)]
pub(crate) struct Column {
    pub(crate) name: &'static str,
    literal: fn(&str) -> Result<String, serde_json::Error>,
}

impl fmt::Debug for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl Column {
    /// The OData literal of one JSON value of this column.
    ///
    /// # Errors
    /// When the value is not JSON of the column's type (or is `null`).
    pub(crate) fn literal(&self, json: &str) -> Result<String, serde_json::Error> {
        (self.literal)(json)
    }

    pub(crate) fn of<E, T: DeserializeOwned + ODataLiteral + 'static>(field: Field<E, T>) -> Self {
        Column {
            name: field.name(),
            literal: literal_of::<T>,
        }
    }
}

/// Decodes a JSON value as `T` and writes its OData literal (`'O''Brien'`, `42`,
/// `2024-01-01T00:00:00Z`): the form `$filter` compares with.
fn literal_of<T: DeserializeOwned + ODataLiteral>(json: &str) -> Result<String, serde_json::Error> {
    let value: T = serde_json::from_str(json)?;
    let mut out = String::new();
    value.write_literal(&mut out);
    Ok(out)
}

/// The full key of an entity type as field handles, for [`BulkRead::key`](super::BulkRead::key):
/// one handle, or a tuple of up to six (e.g. `(DATA_AREA_ID, CUSTOMER_ACCOUNT)`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of `{E}`'s key field handles",
    note = "pass the key properties of the queried entity: one field handle, or a tuple of them"
)]
pub trait KeyColumns<E> {
    /// Appends the properties, in key order.
    fn push_columns(self, out: &mut Columns);
}

/// The properties a bulk read orders by, collected by [`KeyColumns`]; opaque.
#[derive(Debug, Default)]
pub struct Columns(pub(crate) Vec<Column>);

impl<E, T: DeserializeOwned + ODataLiteral + 'static> KeyColumns<E> for Field<E, T> {
    fn push_columns(self, out: &mut Columns) {
        out.0.push(Column::of(self));
    }
}

/// The columns of `key`, in order.
pub(crate) fn columns_of<E>(key: impl KeyColumns<E>) -> Vec<Column> {
    let mut out = Columns::default();
    key.push_columns(&mut out);
    out.0
}

macro_rules! key_tuple {
    ($($t:ident $i:tt),+) => {
        impl<E, $($t: DeserializeOwned + ODataLiteral + 'static),+> KeyColumns<E>
            for ($(Field<E, $t>,)+)
        {
            fn push_columns(self, out: &mut Columns) {
                $(out.0.push(Column::of(self.$i));)+
            }
        }
    };
}

key_tuple!(T0 0);
key_tuple!(T0 0, T1 1);
key_tuple!(T0 0, T1 1, T2 2);
key_tuple!(T0 0, T1 1, T2 2, T3 3);
key_tuple!(T0 0, T1 1, T2 2, T3 3, T4 4);
key_tuple!(T0 0, T1 1, T2 2, T3 3, T4 4, T5 5);

/// The literals of a row's ordering columns, in column order.
pub(crate) type KeyValues = Box<[String]>;

/// The key values as text for messages: `dataAreaId='usmf', CustomerAccount='C-1'`.
pub(crate) fn describe(columns: &[Column], values: &[String]) -> String {
    columns
        .iter()
        .zip(values)
        .map(|(c, v)| format!("{}={v}", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the values of `columns` from one row (a JSON object) as literals.
///
/// # Errors
/// When a column is missing from the row, appears twice, is `null` or does not have its type.
pub(crate) fn capture(row: &str, columns: &[Column]) -> Result<KeyValues, serde_json::Error> {
    capture_with(row, columns, |_, _| Ok(()))
}

/// Like [`capture`], and hands each column's raw JSON value to `each` (with its index).
///
/// Reading stops at the last column needed: `row` must be one whole JSON value, as a
/// [`RawValue`] split from a page is (its syntax is checked when it is split).
///
/// # Errors
/// As [`capture`], or the error of `each`.
pub(crate) fn capture_with(
    row: &str,
    columns: &[Column],
    mut each: impl FnMut(usize, &RawValue) -> Result<(), serde_json::Error>,
) -> Result<KeyValues, serde_json::Error> {
    let mut found = vec![None; columns.len()];
    let mut json = serde_json::Deserializer::from_str(row);
    let read = Capture {
        columns,
        found: &mut found,
    }
    .deserialize(&mut json);
    if let Err(e) = read {
        // With every column found the only error left is the one for the members not read.
        if columns.is_empty() || found.iter().any(Option::is_none) {
            return Err(e);
        }
    }
    let mut out = Vec::with_capacity(columns.len());
    for (i, (column, value)) in columns.iter().zip(found).enumerate() {
        let Some(value) = value else {
            return Err(de::Error::custom(format_args!(
                "the row has no `{}`, which the bulk read orders by (select it)",
                column.name
            )));
        };
        let literal = column.literal(value.get()).map_err(|e| {
            de::Error::custom(format_args!(
                "`{}` = {}: {e} (a bulk read needs a value in every row)",
                column.name,
                truncate(value.get())
            ))
        })?;
        each(i, value)?;
        out.push(literal);
    }
    Ok(out.into_boxed_slice())
}

fn truncate(text: &str) -> &str {
    match text.char_indices().nth(64) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Borrows the raw JSON values of `columns` out of a row object into `found`, and stops once
/// every one is found (the caller then ignores the error about the members left unread).
struct Capture<'c, 'de> {
    columns: &'c [Column],
    found: &'c mut [Option<&'de RawValue>],
}

impl<'de> DeserializeSeed<'de> for Capture<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> de::Visitor<'de> for Capture<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an entity object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut missing = self.columns.len();
        while missing > 0 {
            let Some(name) = map.next_key::<std::borrow::Cow<'de, str>>()? else {
                break;
            };
            match self.columns.iter().position(|c| c.name == name) {
                Some(i) if self.found[i].is_some() => {
                    return Err(de::Error::custom(format_args!(
                        "`{name}` appears twice in one row"
                    )));
                }
                Some(i) => {
                    self.found[i] = Some(map.next_value::<&'de RawValue>()?);
                    missing -= 1;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Decodes rows with a selection and reads their ordering columns alongside.
pub(crate) struct KeyedDecoder<E, S> {
    selection: S,
    columns: Arc<[Column]>,
    entity: PhantomData<fn() -> E>,
}

impl<E, S: Clone> Clone for KeyedDecoder<E, S> {
    fn clone(&self) -> Self {
        KeyedDecoder {
            selection: self.selection.clone(),
            columns: self.columns.clone(),
            entity: PhantomData,
        }
    }
}

impl<E, S> KeyedDecoder<E, S> {
    pub(crate) fn new(selection: S, columns: Arc<[Column]>) -> Self {
        KeyedDecoder {
            selection,
            columns,
            entity: PhantomData,
        }
    }
}

impl<E: 'static, S: Selection<E>> RowDecoder for KeyedDecoder<E, S> {
    type Row = (KeyValues, S::Row);

    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<Self::Row, D::Error> {
        let raw = <&RawValue>::deserialize(row)?;
        let key = capture(raw.get(), &self.columns).map_err(de::Error::custom)?;
        let mut json = serde_json::Deserializer::from_str(raw.get());
        let value = self
            .selection
            .decode_row(&mut json)
            .map_err(de::Error::custom)?;
        Ok((key, value))
    }
}

/// Reads only the ordering columns of each row (boundary probes).
#[derive(Clone)]
pub(crate) struct KeyOnly(pub(crate) Arc<[Column]>);

impl RowDecoder for KeyOnly {
    type Row = KeyValues;

    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<KeyValues, D::Error> {
        let raw = <&RawValue>::deserialize(row)?;
        capture(raw.get(), &self.0).map_err(de::Error::custom)
    }
}

/// `$filter` text for "after `values`" in the lexicographic order of `columns` (all ascending):
/// `a gt 1 or (a eq 1 and (b gt 'x'))`.
pub(crate) fn after(columns: &[Column], values: &[String]) -> String {
    let mut out = String::new();
    write_after(columns, values, &mut out);
    out
}

/// `$filter` text for "at or before `values`" in the same order:
/// `a lt 1 or (a eq 1 and (b le 'x'))`; the complement of [`after`].
pub(crate) fn at_or_before(columns: &[Column], values: &[String]) -> String {
    let mut out = String::new();
    write_at_or_before(columns, values, &mut out);
    out
}

fn write_at_or_before(columns: &[Column], values: &[String], out: &mut String) {
    write_bounded(columns, values, out, ("le", "lt"), "true");
}

/// Writes "after" (`ops` = `("ge", "gt")`) or "at or before" (`("le", "lt")`). With more than
/// one column the first is bounded on its own as well, `a ge 1 and (a gt 1 or (…))`: the same
/// rows, but a condition on the leading column alone lets the service seek its index instead of
/// scanning for the `or`.
fn write_bounded(
    columns: &[Column],
    values: &[String],
    out: &mut String,
    (inclusive, strict): (&str, &str),
    empty: &str,
) {
    let (Some(column), Some(value)) = (columns.first(), values.first()) else {
        out.push_str(empty);
        return;
    };
    let name = column.name;
    if columns.len() > 1 && values.len() > 1 {
        out.push_str(&format!(
            "{name} {inclusive} {value} and ({name} {strict} {value} or ("
        ));
        write_rest(&columns[1..], &values[1..], out, (inclusive, strict));
        out.push_str("))");
    } else if inclusive == "le" {
        out.push_str(&format!("{name} le {value}"));
    } else {
        out.push_str(&format!("{name} gt {value}"));
    }
}

/// The lexicographic tail: `b gt 'x' or (b eq 'x' and (c gt 7))` (or `le`/`lt` at or before).
fn write_rest(columns: &[Column], values: &[String], out: &mut String, ops: (&str, &str)) {
    let (Some(column), Some(value)) = (columns.first(), values.first()) else {
        out.push_str("false");
        return;
    };
    let name = column.name;
    if columns.len() > 1 && values.len() > 1 {
        out.push_str(&format!(
            "{name} {} {value} or ({name} eq {value} and (",
            ops.1
        ));
        write_rest(&columns[1..], &values[1..], out, ops);
        out.push_str("))");
    } else if ops.0 == "le" {
        out.push_str(&format!("{name} le {value}"));
    } else {
        out.push_str(&format!("{name} gt {value}"));
    }
}

fn write_after(columns: &[Column], values: &[String], out: &mut String) {
    write_bounded(columns, values, out, ("ge", "gt"), "false");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edm::DateTimeOffset;

    struct Cust;
    const AREA: Field<Cust, String> = Field::new("dataAreaId");
    const ACCOUNT: Field<Cust, String> = Field::new("CustomerAccount");
    const MODIFIED: Field<Cust, DateTimeOffset> = Field::new("ModifiedDateTime");
    const REC: Field<Cust, i64> = Field::new("RecId");

    #[test]
    fn captures_literals_of_the_columns_in_column_order() {
        let columns = columns_of((MODIFIED, AREA, ACCOUNT, REC));
        let row = r#"{"CustomerAccount":"O'Brien","x":[1,{"y":2}],"RecId":5637144576,
                      "dataAreaId":"usmf","ModifiedDateTime":"2024-05-01T10:00:00.125Z"}"#;
        let key = capture(row, &columns).unwrap();
        assert_eq!(
            &*key,
            [
                "2024-05-01T10:00:00.125Z",
                "'usmf'",
                "'O''Brien'",
                "5637144576"
            ]
        );
    }

    #[test]
    fn missing_null_duplicate_or_mistyped_columns_are_errors_naming_the_column() {
        let columns = columns_of((AREA, ACCOUNT));
        for (row, needle) in [
            (r#"{"dataAreaId":"usmf"}"#, "no `CustomerAccount`"),
            (
                r#"{"dataAreaId":"usmf","CustomerAccount":null}"#,
                "`CustomerAccount` = null",
            ),
            (
                r#"{"dataAreaId":"a","dataAreaId":"b","CustomerAccount":"c"}"#,
                "`dataAreaId` appears twice",
            ),
            (
                r#"{"dataAreaId":7,"CustomerAccount":"c"}"#,
                "`dataAreaId` = 7",
            ),
            (r#"[1,2]"#, "entity object"),
            (r#"{"dataAreaId":"#, "EOF"),
        ] {
            let e = capture(row, &columns).unwrap_err().to_string();
            assert!(e.contains(needle), "{row}: {e}");
        }
    }

    #[test]
    fn after_filters_are_lexicographic() {
        let columns = columns_of((AREA, ACCOUNT, REC));
        let values = ["'usmf'".to_owned(), "'C1'".to_owned(), "7".to_owned()];
        assert_eq!(
            after(&columns, &values),
            "dataAreaId ge 'usmf' and (dataAreaId gt 'usmf' or (CustomerAccount gt 'C1' or \
             (CustomerAccount eq 'C1' and (RecId gt 7))))"
        );
        assert_eq!(after(&columns[..1], &values[..1]), "dataAreaId gt 'usmf'");
        assert_eq!(after(&[], &[]), "false");
        assert_eq!(
            at_or_before(&columns, &values),
            "dataAreaId le 'usmf' and (dataAreaId lt 'usmf' or (CustomerAccount lt 'C1' or \
             (CustomerAccount eq 'C1' and (RecId le 7))))"
        );
        assert_eq!(
            at_or_before(&columns[..1], &values[..1]),
            "dataAreaId le 'usmf'"
        );
        assert_eq!(at_or_before(&[], &[]), "true");
    }
}
