//! Decoding a page of 1,000 F&O-shaped rows: Edm newtypes (exact decimals,
//! parsed date-times) against the lossy baseline of `f64` and `String`.

use criterion::{Criterion, criterion_group, criterion_main};
use d365fo_odata::edm::{DateTimeOffset, Decimal};
use serde::Deserialize;
use std::hint::black_box;

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EdmRow {
    sales_order_number: String,
    line_amount: Decimal,
    sales_price: Decimal,
    ordered_sales_quantity: Decimal,
    line_discount_percentage: Decimal,
    requested_shipping_date: DateTimeOffset,
    confirmed_receipt_date: DateTimeOffset,
    modified_date_time: DateTimeOffset,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FloatRow {
    sales_order_number: String,
    line_amount: f64,
    sales_price: f64,
    ordered_sales_quantity: f64,
    line_discount_percentage: f64,
    requested_shipping_date: String,
    confirmed_receipt_date: String,
    modified_date_time: String,
}

#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
}

fn page_json(rows: usize) -> String {
    let mut json = String::from(
        r#"{"@odata.context":"https://example/data/$metadata#SalesOrderLines","value":["#,
    );
    for i in 0..rows {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            r#"{{"SalesOrderNumber":"SO-{i:06}","LineAmount":{}.{:06},"SalesPrice":{}.25,"OrderedSalesQuantity":{},"LineDiscountPercentage":0,"RequestedShippingDate":"2024-0{}-1{}T12:00:00Z","ConfirmedReceiptDate":"1900-01-01T12:00:00Z","ModifiedDateTime":"2024-03-0{}T08:15:{:02}.1234567Z"}}"#,
            12_345_678_901_234u64 + i as u64,
            (i * 7919) % 1_000_000,
            i % 5000,
            i % 97,
            1 + i % 9,
            i % 10,
            1 + i % 9,
            i % 60,
        ));
    }
    json.push_str("]}");
    json
}

fn decode(c: &mut Criterion) {
    let json = page_json(1_000);
    let bytes = json.as_bytes();
    // Sanity: the exact path keeps digits the float path loses.
    let edm: Page<EdmRow> = serde_json::from_slice(bytes).unwrap();
    let float: Page<FloatRow> = serde_json::from_slice(bytes).unwrap();
    assert_eq!(
        edm.value[1].line_amount.to_string(),
        "12345678901235.007919"
    );
    assert_ne!(
        float.value[1].line_amount.to_string(),
        "12345678901235.007919"
    );

    let mut group = c.benchmark_group("decode_1000_rows");
    group.bench_function("edm_decimal_datetimeoffset", |b| {
        b.iter(|| serde_json::from_slice::<Page<EdmRow>>(black_box(bytes)).unwrap())
    });
    group.bench_function("f64_string", |b| {
        b.iter(|| serde_json::from_slice::<Page<FloatRow>>(black_box(bytes)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
