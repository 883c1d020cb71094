//! Selections against hand-made row bodies: tuple and single-item rows, required and missing
//! properties, expansions, projections.

use serde::Deserialize;

use super::*;
use crate::query::navigation::Many;

struct Header;
struct Line;

const NUMBER: Field<Header, String> = Field::new("SalesOrderNumber");
const STATUS: Field<Header, String> = Field::new("SalesOrderStatus");
const LINES: Navigation<Header, Line, Many> = Navigation::new("SalesOrderLines");
const ITEM: Field<Line, String> = Field::new("ItemNumber");
const QTY: Field<Line, i32> = Field::new("Quantity");

fn decode<E, S: Selection<E>>(selection: &S, json: &str) -> serde_json::Result<S::Row> {
    selection.decode_row(&mut serde_json::Deserializer::from_str(json))
}

#[test]
fn tuple_rows_hold_only_the_selected_values_in_order() {
    let row = decode(
        &(STATUS, NUMBER.required()),
        r#"{"@odata.etag":"W/\"1\"","SalesOrderNumber":"SO-1","dataAreaId":"usmf","SalesOrderStatus":null}"#,
    )
    .unwrap();
    assert_eq!(row, (None, "SO-1".to_owned()));
}

#[test]
fn a_selected_property_missing_from_the_row_is_an_error_not_none() {
    let e = decode(&(NUMBER, STATUS), r#"{"SalesOrderNumber":"SO-1"}"#).unwrap_err();
    assert!(
        e.to_string()
            .contains("selected property `SalesOrderStatus` is missing"),
        "{e}"
    );
}

#[test]
fn required_null_names_the_property() {
    let e = decode(&NUMBER.required(), r#"{"SalesOrderNumber":null}"#).unwrap_err();
    assert!(
        e.to_string()
            .contains("property `SalesOrderNumber` is null"),
        "{e}"
    );
    assert_eq!(
        decode(&NUMBER, r#"{"SalesOrderNumber":null}"#).unwrap(),
        None
    );
}

#[test]
fn wrong_value_type_and_duplicate_keys_fail() {
    assert!(decode(&(QTY,), r#"{"Quantity":"many"}"#).is_err());
    let e = decode(&QTY, r#"{"Quantity":1,"Quantity":2}"#).unwrap_err();
    assert!(e.to_string().contains("duplicate field `Quantity`"), "{e}");
}

#[test]
fn expanded_selection_writes_nested_select_and_decodes_target_rows() {
    let selection = (NUMBER.required(), LINES.select((ITEM.required(), QTY)));
    let (mut select, mut expand) = (Vec::new(), Vec::new());
    selection.write_options(&mut select, &mut expand);
    assert_eq!(select, ["SalesOrderNumber"]);
    assert_eq!(expand, ["SalesOrderLines($select=ItemNumber,Quantity)"]);
    let row = decode(
        &selection,
        r#"{"SalesOrderNumber":"SO-1","SalesOrderLines":[{"ItemNumber":"A","Quantity":2},{"ItemNumber":"B","Quantity":null}]}"#,
    )
    .unwrap();
    assert_eq!(
        row,
        (
            "SO-1".to_owned(),
            vec![("A".to_owned(), Some(2)), ("B".to_owned(), None)]
        )
    );
}

#[test]
fn projection_field_names_must_match_the_selection() {
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Order {
        #[serde(rename = "SalesOrderNumber")]
        number: String,
        #[serde(rename = "SalesOrderStatus")]
        status: Option<String>,
    }
    assert_eq!(
        check_projection::<Order>(&["SalesOrderNumber", "SalesOrderStatus"]),
        None
    );
    let extra = check_projection::<Order>(&["SalesOrderNumber"]).unwrap();
    assert!(extra.contains("field for `SalesOrderStatus`"), "{extra}");
    let unread =
        check_projection::<Order>(&["SalesOrderNumber", "SalesOrderStatus", "Other"]).unwrap();
    assert!(unread.contains("selects `Other`"), "{unread}");
    let not_struct = check_projection::<String>(&["X"]).unwrap();
    assert!(not_struct.contains("needs a struct"), "{not_struct}");
}
