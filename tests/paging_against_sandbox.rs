//! Server-driven paging over real HTTP against the local sandbox: every seeded row arrives once.

mod common;

use std::collections::HashSet;

use d365fo_odata::{Client, Error};
use d365fo_sandbox::{DEFAULT_COMPANY, Sandbox};
use futures::TryStreamExt;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct CustomerKey {
    #[serde(rename = "dataAreaId")]
    data_area_id: String,
    #[serde(rename = "CustomerAccount")]
    customer_account: String,
}

fn client(max_page_size: Option<u32>) -> Client {
    let sandbox = Sandbox::shared();
    Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(
            sandbox
                .token()
                .expect("the shared sandbox requires a token"),
        )
        .max_page_size(max_page_size)
        .build()
        .expect("client for the sandbox")
}

#[tokio::test]
async fn pages_through_all_customers_of_the_default_company() {
    let expected = Sandbox::seed_counts()
        .unwrap()
        .rows("CustomersV3", DEFAULT_COMPANY)
        .unwrap();
    assert!(
        expected > 1000,
        "the seed must need several pages, has {expected}"
    );

    let pages: Vec<_> = client(Some(1000))
        .query("CustomersV3")
        .select(["dataAreaId", "CustomerAccount"])
        .pages::<CustomerKey>()
        .try_collect()
        .await
        .unwrap();

    let rows: Vec<&CustomerKey> = pages.iter().flat_map(|p| &p.rows).collect();
    assert_eq!(rows.len() as u64, expected);
    // A server may end with an empty page (a next link after the last full page).
    let full_pages = pages.iter().filter(|p| !p.rows.is_empty()).count() as u64;
    assert_eq!(
        full_pages,
        expected.div_ceil(1000),
        "one page per 1000 rows"
    );
    assert!(pages.iter().all(|p| p.rows.len() <= 1000));
    assert!(pages.last().unwrap().next_link.is_none());
    assert!(rows.iter().all(|r| r.data_area_id == DEFAULT_COMPANY));
    let unique: HashSet<&str> = rows.iter().map(|r| r.customer_account.as_str()).collect();
    assert_eq!(unique.len(), rows.len(), "no row may arrive twice");
}

#[tokio::test]
async fn cross_company_streams_every_seeded_customer() {
    let seed = Sandbox::seed_counts().unwrap();
    let rows: Vec<CustomerKey> = client(Some(5000))
        .query("CustomersV3")
        .select(["dataAreaId", "CustomerAccount"])
        .cross_company()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(seed.total("CustomersV3") >= 25_000);
    assert_eq!(rows.len() as u64, seed.total("CustomersV3"));
    for company in seed.companies() {
        let n = rows.iter().filter(|r| r.data_area_id == company).count() as u64;
        assert_eq!(
            Some(n),
            seed.rows("CustomersV3", company),
            "customers of {company}"
        );
    }
    let unique: HashSet<(&str, &str)> = rows
        .iter()
        .map(|r| (r.data_area_id.as_str(), r.customer_account.as_str()))
        .collect();
    assert_eq!(unique.len(), rows.len(), "no row may arrive twice");
}

#[tokio::test]
async fn count_reports_the_total_across_pages() {
    let expected = Sandbox::seed_counts()
        .unwrap()
        .rows("CustomersV3", DEFAULT_COMPANY)
        .unwrap();
    let mut pages = std::pin::pin!(
        client(Some(10))
            .query("CustomersV3")
            .select(["dataAreaId", "CustomerAccount"])
            .top(25)
            .count()
            .pages::<CustomerKey>()
    );
    let first = pages.try_next().await.unwrap().unwrap();
    assert_eq!(first.count, Some(expected));
    assert_eq!(first.rows.len(), 10);
    let rest: Vec<_> = pages.try_collect().await.unwrap();
    let total = 10 + rest.iter().map(|p| p.rows.len()).sum::<usize>();
    assert_eq!(total, 25, "$top caps the rows across pages");
}

#[tokio::test]
async fn wrong_token_is_an_auth_error_with_the_status() {
    let sandbox = Sandbox::shared();
    let client = Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token("not-the-token")
        .build()
        .unwrap();
    let err = client
        .query("CustomersV3")
        .top(1)
        .stream::<serde_json::Value>()
        .try_next()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn unknown_entity_set_is_not_found() {
    let err = client(None)
        .query("CustomerV3")
        .stream::<serde_json::Value>()
        .try_next()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains("CustomerV3"), "{err}");
}

#[tokio::test]
async fn first_asks_for_one_row_and_is_none_when_nothing_matches() {
    let client = client(None);
    let first: Option<CustomerKey> = client
        .query("CustomersV3")
        .select(["dataAreaId", "CustomerAccount"])
        .order_by("CustomerAccount")
        .first()
        .await
        .unwrap();
    assert!(first.is_some());
    let none: Option<CustomerKey> = client
        .query("CustomersV3")
        .filter("CustomerAccount eq 'NO-SUCH-ACCOUNT'")
        .first()
        .await
        .unwrap();
    assert!(none.is_none());
}

#[tokio::test]
async fn collect_all_fails_loudly_past_its_cap() {
    let client = client(Some(100));
    let query = client
        .query("CustomersV3")
        .select(["dataAreaId", "CustomerAccount"])
        .top(250);
    let all: Vec<CustomerKey> = query.clone().collect_all(250).await.unwrap();
    assert_eq!(all.len(), 250);
    let err = query.collect_all::<CustomerKey>(249).await.unwrap_err();
    assert!(
        matches!(err, Error::RowLimitExceeded { limit: 249, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn resuming_from_a_saved_next_link_reads_the_rest_once() {
    let client = client(Some(100));
    let query = client
        .query("CustomersV3")
        .select(["dataAreaId", "CustomerAccount"])
        .order_by("CustomerAccount")
        .top(250);
    let whole: Vec<CustomerKey> = query.clone().collect_all(250).await.unwrap();

    let mut pages = query.pages::<CustomerKey>();
    let first = pages.try_next().await.unwrap().unwrap();
    let saved = first.next_link.expect("more pages follow").to_string();
    drop(pages);

    let rest: Vec<CustomerKey> = client
        .resume_pages::<CustomerKey>(&saved)
        .rows()
        .try_collect()
        .await
        .unwrap();
    let resumed: Vec<&str> = first
        .rows
        .iter()
        .chain(&rest)
        .map(|r| r.customer_account.as_str())
        .collect();
    let expected: Vec<&str> = whole.iter().map(|r| r.customer_account.as_str()).collect();
    assert_eq!(
        resumed, expected,
        "first page + resumed rest = the whole result, in order"
    );
}

#[tokio::test]
async fn resuming_refuses_a_link_outside_the_service_root() {
    let err = client(None)
        .resume_pages::<CustomerKey>("https://elsewhere.example/data/CustomersV3?$skip=10")
        .try_next()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ForeignNextLink { .. }), "{err:?}");
}
