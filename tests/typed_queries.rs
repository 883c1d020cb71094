//! Typed queries against the sandbox: literals arrive exactly as written, F&O conventions hold,
//! and `$select` projections hold exactly the selected values.

mod common;

use common::sandbox_client;
use d365fo_odata::edm::Decimal;
use d365fo_odata::{Entity, Error, Projection, SelectFields};
use d365fo_sandbox_bindings::{CustomerV3, NewCustomerV3, NoYes, customer_v3 as c};
use futures::TryStreamExt;
use serde::Deserialize;

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

#[tokio::test]
async fn projected_rows_hold_the_same_values_as_whole_rows_across_pages() {
    let client = sandbox_client(Some(40));
    let filter = || c::CUSTOMER_GROUP_ID.eq("10");
    let whole = customers(
        client
            .entity_set::<CustomerV3>()
            .filter(filter())
            .order_by(c::CUSTOMER_ACCOUNT.asc())
            .top(100),
    )
    .await;
    let query = client
        .entity_set::<CustomerV3>()
        .select((
            c::DATA_AREA_ID.required(),
            c::CUSTOMER_ACCOUNT.required(),
            c::ORGANIZATION_NAME,
            c::CREDIT_LIMIT,
            c::IS_ONE_TIME_CUSTOMER,
        ))
        .filter(filter())
        .order_by(c::CUSTOMER_ACCOUNT.asc())
        .top(100)
        .count();
    let url = query.url().unwrap();
    assert!(
        url.query().unwrap().contains(
            "$select=dataAreaId,CustomerAccount,OrganizationName,CreditLimit,IsOneTimeCustomer&"
        ),
        "{url}"
    );
    let mut pages = query.pages();
    let mut projected = Vec::new();
    let mut total = None;
    while let Some(page) = pages.try_next().await.unwrap() {
        assert!(page.rows.len() <= 40, "the page size applies");
        total = total.or(page.count);
        projected.extend(page.rows);
    }
    assert_eq!(projected.len(), 100, "top spans three 40-row pages");
    assert!(total.unwrap() >= 100);
    for (row, full) in projected.iter().zip(&whole) {
        let (company, account, name, limit, one_time) = row;
        assert_eq!(company, &full.data_area_id);
        assert_eq!(account, &full.customer_account);
        assert_eq!(name, &full.organization_name);
        assert_eq!(limit, &full.credit_limit);
        assert_eq!(one_time, &full.is_one_time_customer);
    }
}

#[tokio::test]
async fn null_reads_as_none_and_a_required_null_is_a_decode_error_naming_the_property() {
    let client = sandbox_client(None);
    let account = format!("PRJ{}", std::process::id() % 100_000);
    let created: CustomerV3 = client
        .create::<CustomerV3, _>(&NewCustomerV3::new("usmf", account.as_str()))
        .await
        .unwrap();
    assert_eq!(created.sales_memo, None, "created without a sales memo");
    let by_account = || {
        client
            .entity_set::<CustomerV3>()
            .filter(c::CUSTOMER_ACCOUNT.eq(account.as_str()))
    };

    let row = by_account()
        .select((c::CUSTOMER_ACCOUNT.required(), c::SALES_MEMO))
        .first()
        .await
        .unwrap();
    assert_eq!(row, Some((account.clone(), None)));

    let only = by_account()
        .select(c::SALES_MEMO)
        .collect_all(1)
        .await
        .unwrap();
    assert_eq!(only, [None]);

    let e = by_account()
        .select((c::CUSTOMER_ACCOUNT, c::SALES_MEMO.required()))
        .first()
        .await
        .unwrap_err();
    match &e {
        Error::Decode { what, message, .. } => {
            assert_eq!(what, "page of CustomersV3");
            assert!(
                message.contains("property `SalesMemo` is null"),
                "{message}"
            );
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    client
        .delete::<CustomerV3>(&created.key())
        .if_match(created.etag())
        .await
        .unwrap();
}

#[derive(Debug, PartialEq, Deserialize)]
struct CustomerName {
    #[serde(rename = "CustomerAccount")]
    account: String,
    #[serde(rename = "OrganizationName")]
    name: Option<String>,
}

impl Projection<CustomerV3> for CustomerName {
    fn fields() -> impl SelectFields<CustomerV3> {
        (c::CUSTOMER_ACCOUNT, c::ORGANIZATION_NAME)
    }
}

/// Names its field `Name`, which is not the property it selects.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct MisnamedProjection {
    #[serde(rename = "CustomerAccount")]
    account: String,
    #[serde(rename = "Name")]
    name: Option<String>,
}

impl Projection<CustomerV3> for MisnamedProjection {
    fn fields() -> impl SelectFields<CustomerV3> {
        (c::CUSTOMER_ACCOUNT, c::ORGANIZATION_NAME)
    }
}

#[tokio::test]
async fn select_into_decodes_a_projection_struct_and_refuses_a_misnamed_one() {
    let client = sandbox_client(None);
    let rows = client
        .entity_set::<CustomerV3>()
        .select_into::<CustomerName>()
        .filter(c::ORGANIZATION_NAME.eq("O'Brien"))
        .collect_all(5)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name.as_deref(), Some("O'Brien"));
    assert!(!rows[0].account.is_empty());

    let e = client
        .entity_set::<CustomerV3>()
        .select_into::<MisnamedProjection>()
        .first()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Config { .. }), "{e:?}");
    assert!(e.to_string().contains("`Name`"), "{e}");
}
