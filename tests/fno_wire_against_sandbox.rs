//! The client against the sandbox's F&O wire shapes (the default, `Wire::Fno`): error chains whose
//! innermost exception names an unknown property, absolute `$skip`/`$top` next links, base64
//! `'RecVersion,RecId'` ETags, both forms of the empty date; and a subset of paging and writes
//! against the spec/CAP shapes (`Wire::Cap`) so that both stay supported.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::fno::CustomerV3;
use common::sandbox_client;
use d365fo_odata::Client;
use d365fo_odata::edm::{Binary, DateTimeOffset};
use d365fo_sandbox::{Sandbox, Wire};
use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
struct CustomerKey {
    #[serde(rename = "dataAreaId")]
    data_area_id: String,
    #[serde(rename = "CustomerAccount")]
    customer_account: String,
}

#[derive(Debug, Deserialize)]
struct ReviewDate {
    #[serde(rename = "CredManLastReviewDate")]
    last_review: DateTimeOffset,
}

/// A raw GET on the shared sandbox, with its token.
async fn raw_get(path_and_query: &str, prefer: Option<&str>) -> serde_json::Value {
    let sandbox = Sandbox::shared();
    let mut request = reqwest::Client::new()
        .get(format!("{}{path_and_query}", sandbox.base_url()))
        .bearer_auth(sandbox.token().unwrap());
    if let Some(prefer) = prefer {
        request = request.header("Prefer", prefer);
    }
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{path_and_query}");
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn an_unknown_property_in_filter_shows_its_name_from_the_innermost_cause() {
    let e = sandbox_client(None)
        .query("CustomersV3")
        .filter("Colour eq 'Red'")
        .collect_all::<serde_json::Value>(10)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e}");
    let service = e.service_error().unwrap();
    assert_eq!(service.code, "", "F&O sends an empty code");
    assert_eq!(service.message, "An error has occurred.");
    assert_eq!(service.causes().len(), 3, "{service:?}");
    assert_eq!(
        service.causes()[0].message,
        "Exception has been thrown by the target of an invocation."
    );
    let shown = e.to_string();
    assert!(shown.contains("innermost cause"), "{shown}");
    assert!(
        shown.contains(
            "The property 'Colour' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV3'"
        ),
        "{shown}"
    );
}

#[tokio::test]
async fn an_unknown_property_in_select_is_the_same_typed_chain() {
    let e = sandbox_client(None)
        .query("CustomersV3")
        .select(["CustomerAccount", "Colour"])
        .collect_all::<serde_json::Value>(10)
        .await
        .unwrap_err();
    let inner = e.service_error().unwrap().innermost_cause().unwrap();
    assert_eq!(
        inner.kind.as_deref(),
        Some("Microsoft.OData.ODataException")
    );
    assert!(inner.message.contains("'Colour'"), "{e}");
}

#[tokio::test]
async fn next_links_are_absolute_and_skip_top_based_and_paging_reads_every_row_once() {
    let filter = "CustomerGroupId%20eq%20'20'";
    let page = raw_get(
        &format!(
            "/data/CustomersV3?cross-company=true&$filter={filter}&$select=CustomerAccount&$top=7"
        ),
        Some("odata.maxpagesize=3"),
    )
    .await;
    let base = Sandbox::shared().base_url();
    assert_eq!(
        page["@odata.context"],
        format!("{base}/data/$metadata#CustomersV3")
    );
    let next = page["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!(
            "{base}/data/CustomersV3?cross-company=true&$filter="
        )) && next.ends_with("&$select=CustomerAccount&$skip=3&$top=4"),
        "{next}"
    );

    // The client follows those links: all rows of the query arrive once, in order.
    let query = sandbox_client(Some(100))
        .query("CustomersV3")
        .cross_company()
        .filter("CustomerGroupId eq '20'")
        .select(["dataAreaId", "CustomerAccount"])
        .order_by("dataAreaId,CustomerAccount")
        .top(450);
    let pages: Vec<_> = query
        .clone()
        .pages::<CustomerKey>()
        .try_collect()
        .await
        .unwrap();
    assert!(
        pages.len() >= 5,
        "450 rows in pages of 100: {}",
        pages.len()
    );
    let rows: Vec<(String, String)> = pages
        .iter()
        .flat_map(|p| &p.rows)
        .map(|r| (r.data_area_id.clone(), r.customer_account.clone()))
        .collect();
    assert_eq!(rows.len(), 450);
    assert_eq!(
        rows.iter().collect::<HashSet<_>>().len(),
        450,
        "no row twice"
    );
    let companies: HashSet<&str> = rows.iter().map(|(c, _)| c.as_str()).collect();
    assert!(
        companies.len() > 1,
        "cross-company=true was kept: {companies:?}"
    );
}

/// The `'RecVersion,RecId'` text inside a weak base64 ETag.
fn decode_etag(etag: &str) -> (u32, i64) {
    let inner = etag
        .strip_prefix("W/\"")
        .and_then(|e| e.strip_suffix('"'))
        .unwrap_or_else(|| panic!("a weak ETag: {etag}"));
    let decoded = String::from_utf8(Binary::from_base64(inner).unwrap().into_bytes()).unwrap();
    let (version, rec_id) = decoded
        .strip_prefix('\'')
        .and_then(|d| d.strip_suffix('\''))
        .and_then(|d| d.split_once(','))
        .unwrap_or_else(|| panic!("'RecVersion,RecId': {decoded}"));
    (version.parse().unwrap(), rec_id.parse().unwrap())
}

#[tokio::test]
async fn etags_are_base64_of_recversion_and_recid_and_change_with_the_version() {
    let client = sandbox_client(None);
    let account = "US-000331";
    let path = format!("/data/CustomersV3(dataAreaId='usmf',CustomerAccount='{account}')");
    let before = raw_get(&path, None).await["@odata.etag"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, rec_id) = decode_etag(&before);
    assert!(rec_id >= 5_637_144_576, "an F&O-sized RecId: {rec_id}");
    let _: String = client
        .action("SetCustomerOnHold")
        .parameter("dataAreaId", "usmf")
        .parameter("CustomerAccount", account)
        .parameter("OnHoldStatus", "Payment")
        .value()
        .await
        .unwrap();
    let after = raw_get(&path, None).await["@odata.etag"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(after, before, "a write draws a new RecVersion");
    assert_eq!(decode_etag(&after).1, rec_id, "the RecId stays");
}

#[tokio::test]
async fn seeded_empty_dates_of_both_forms_read_as_empty() {
    let client = sandbox_client(None);
    for form in ["1900-01-01T12:00:00Z", "1900-01-01T00:00:00Z"] {
        let rows: Vec<ReviewDate> = client
            .query("CustomersV3")
            .filter(format!("CredManLastReviewDate eq {form}"))
            .select(["CredManLastReviewDate"])
            .top(3)
            .collect_all(3)
            .await
            .unwrap();
        assert_eq!(rows.len(), 3, "{form}");
        for row in rows {
            assert!(row.last_review.is_fno_empty_date(), "{form}");
            assert_eq!(row.last_review.non_empty(), None);
        }
    }
}

fn cap_client(sandbox: &Sandbox, max_page_size: Option<u32>) -> Client {
    Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .max_page_size(max_page_size)
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_cap_wire_pages_writes_and_guards_with_its_own_shapes() {
    let sandbox = Sandbox::builder()
        .wire(Wire::Cap)
        .ready_timeout(Duration::from_secs(120))
        .start()
        .unwrap();
    let client = cap_client(&sandbox, Some(100));

    // Paging over relative $skiptoken links.
    let rows: Vec<CustomerKey> = client
        .query("CustomersV3")
        .select(["dataAreaId", "CustomerAccount"])
        .order_by("CustomerAccount")
        .top(250)
        .collect_all(250)
        .await
        .unwrap();
    assert_eq!(rows.len(), 250);
    let keys: HashSet<&str> = rows.iter().map(|r| r.customer_account.as_str()).collect();
    assert_eq!(keys.len(), 250);

    // A duplicate key is a 409 there, still a conflict; the error body is CAP's.
    let dup = client
        .create::<CustomerV3, _>(&json!({"dataAreaId": "usmf", "CustomerAccount": "US-000015"}))
        .await
        .unwrap_err();
    assert_eq!(dup.status(), Some(409), "{dup}");
    assert!(dup.is_conflict());

    // An unknown property: CAP's message, still naming the property.
    let e = client
        .query("CustomersV3")
        .filter("Colour eq 'Red'")
        .collect_all::<serde_json::Value>(1)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("Colour"), "{e}");
    assert!(
        e.service_error().unwrap().causes().is_empty(),
        "no chain from CAP"
    );
}
