//! Typed queries against the sandbox: literals arrive exactly as written, F&O conventions hold.

mod common;

use common::sandbox_client;
use d365fo_odata::edm::Decimal;
use d365fo_sandbox_bindings::{CustomerV3, NoYes, customer_v3 as c};
use futures::TryStreamExt;

async fn customers(query: d365fo_odata::Query<CustomerV3>) -> Vec<CustomerV3> {
    query.stream().try_collect().await.unwrap()
}

#[tokio::test]
async fn names_that_need_escaping_round_trip_through_filters() {
    let client = sandbox_client(None);
    for name in [
        "O'Brien",
        "Smith & Sons",
        "#1 Supplies",
        "Müller",
        "東京商事",
        "100% Pure",
        "a/b",
        "+plus",
        "It's 'quoted'",
    ] {
        let rows = customers(
            client
                .entity_set::<CustomerV3>()
                .filter(c::ORGANIZATION_NAME.eq(name)),
        )
        .await;
        assert_eq!(rows.len(), 1, "exactly one customer named {name:?}");
        assert_eq!(rows[0].organization_name.as_deref(), Some(name));
    }
}

#[tokio::test]
async fn decimal_money_is_exact_in_filter_and_decoding() {
    let limit: Decimal = "12345678901234.123456".parse().unwrap();
    let rows = customers(
        sandbox_client(None)
            .entity_set::<CustomerV3>()
            .filter(c::CREDIT_LIMIT.eq(limit)),
    )
    .await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].customer_account, "US-DECIMAL");
    let decoded = rows[0].credit_limit.unwrap();
    assert_eq!(decoded.to_string(), "12345678901234.123456");
    assert_eq!(decoded, limit);
}

#[tokio::test]
async fn enum_literal_filter_selects_the_same_rows_as_the_member_name() {
    let client = sandbox_client(None);
    let typed = customers(
        client
            .entity_set::<CustomerV3>()
            .filter(c::IS_ONE_TIME_CUSTOMER.eq(NoYes::Yes)),
    )
    .await;
    assert!(!typed.is_empty(), "the seed has one-time customers");
    assert!(
        typed
            .iter()
            .all(|r| r.is_one_time_customer == Some(NoYes::Yes))
    );
    let all_yes = customers(
        client
            .entity_set::<CustomerV3>()
            .filter(c::IS_ONE_TIME_CUSTOMER.ne(NoYes::No)),
    )
    .await;
    assert_eq!(all_yes.len(), typed.len());
}

#[tokio::test]
async fn fno_wildcard_contains_matches_substrings() {
    let rows = customers(
        sandbox_client(None)
            .entity_set::<CustomerV3>()
            .filter(c::ORGANIZATION_NAME.contains("Exactness")),
    )
    .await;
    let names: Vec<_> = rows
        .iter()
        .filter_map(|r| r.organization_name.as_deref())
        .collect();
    assert_eq!(names, ["Decimal Exactness Inc."]);
}

#[tokio::test]
async fn combined_filter_and_order_page_in_order() {
    let client = sandbox_client(Some(100));
    let rows = customers(
        client
            .entity_set::<CustomerV3>()
            .filter(
                c::CUSTOMER_GROUP_ID
                    .eq_any(["10", "20"])
                    .and(c::ORGANIZATION_NUMBER_OF_EMPLOYEES.ge(0)),
            )
            .order_by(c::CUSTOMER_ACCOUNT.desc())
            .top(450),
    )
    .await;
    assert_eq!(rows.len(), 450, "top spans several 100-row pages");
    assert!(
        rows.iter()
            .all(|r| matches!(r.customer_group_id.as_deref(), Some("10" | "20")))
    );
    assert!(
        rows.windows(2)
            .all(|w| w[0].customer_account >= w[1].customer_account),
        "descending by account across page boundaries"
    );
}
