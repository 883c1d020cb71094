//! The bindings generated from the sandbox's `$metadata` (crate `d365fo-sandbox-bindings`) work
//! end to end: select and expand, create from the create model, ETag-guarded update from the
//! update model (by key, and from a read row with its ETag sent by default), and typed actions and functions of every binding kind.

mod common;

use common::sandbox_client;
use d365fo_odata::edm::{DateTimeOffset, Decimal};
use d365fo_odata::{Entity, Error};
use d365fo_sandbox_bindings::{
    CustVendorBlocked, CustomerGroup, CustomerGroupKey, CustomerGroupPatch, CustomerV3,
    DataManagementDefinitionGroup, NewCustomerGroup, NoYes, SalesOrderHeaderV2,
    SalesOrderHeaderV2Key, SalesStatus, customer_v3, operations, prelude::*,
    sales_order_header_v2 as h, sales_order_line as l,
};
use futures::TryStreamExt;

#[tokio::test]
async fn select_and_expand_decode_into_projected_rows() {
    let client = sandbox_client(None);
    let orders = client
        .entity_set::<SalesOrderHeaderV2>()
        .select((
            h::DATA_AREA_ID.required(),
            h::SALES_ORDER_NUMBER.required(),
            h::SALES_ORDER_STATUS,
            h::SALES_ORDER_LINES.select((l::INVENTORY_LOT_ID, l::SALES_ORDER_NUMBER)),
            h::CUSTOMER,
        ))
        .order_by(h::SALES_ORDER_NUMBER.asc())
        .top(3)
        .collect_all(3)
        .await
        .unwrap();
    assert_eq!(orders.len(), 3);
    for (company, number, status, lines, customer) in &orders {
        assert_eq!(company, "usmf");
        assert!(status.is_some(), "{number}: selected and set");
        assert!(!lines.is_empty(), "{number}: lines expanded");
        assert!(
            lines
                .iter()
                .all(|(_lot, line_order)| line_order.as_deref() == Some(number.as_str())),
            "lines belong to their order"
        );
        let customer: &CustomerV3 = customer.as_ref().expect("customer expanded");
        assert_eq!(customer.data_area_id, "usmf");
    }
}

#[tokio::test]
async fn enums_filter_with_qualified_literals_and_decode_by_member_name() {
    let client = sandbox_client(None);
    let rows = client
        .entity_set::<CustomerV3>()
        .filter(customer_v3::ON_HOLD_STATUS.eq(CustVendorBlocked::All))
        .select((
            customer_v3::DATA_AREA_ID,
            customer_v3::CUSTOMER_ACCOUNT,
            customer_v3::ON_HOLD_STATUS.required(),
        ))
        .top(5)
        .collect_all(5)
        .await
        .unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|(_, _, on_hold)| *on_hold == CustVendorBlocked::All)
    );
}

#[tokio::test]
async fn create_model_sends_only_set_fields_and_patch_model_updates_with_the_etag() {
    let client = sandbox_client(None);
    let id = format!("GEN{}", std::process::id() % 100_000);
    let new = NewCustomerGroup {
        description: Some("Generated create model".to_owned()),
        ..NewCustomerGroup::new("usmf", id.as_str())
    };
    let created: CustomerGroup = client.create::<CustomerGroup, _>(&new).await.unwrap();
    assert_eq!(created.customer_group_id, id);
    assert_eq!(
        created.description.as_deref(),
        Some("Generated create model")
    );
    assert_eq!(created.is_sales_tax_included_in_price, Some(NoYes::No));

    let key = created.key();
    assert_eq!(key, CustomerGroupKey::new("usmf", id.as_str()));
    let changes = CustomerGroupPatch {
        description: Some("Changed through the update model".to_owned()),
        ..CustomerGroupPatch::default()
    };
    client
        .update::<CustomerGroup, _>(&key, &changes)
        .if_match(created.etag())
        .await
        .unwrap();
    let read = client.get::<CustomerGroup>(&key).await.unwrap();
    assert_eq!(
        read.description.as_deref(),
        Some("Changed through the update model")
    );
    let stale = client
        .update::<CustomerGroup, _>(&key, &changes)
        .if_match(created.etag())
        .await
        .unwrap_err();
    assert!(stale.is_precondition_failed(), "{stale:?}");

    // From a read row, the generated key and ETag are used without being asked for.
    let again = CustomerGroupPatch {
        description: Some("Changed from the read row".to_owned()),
        ..CustomerGroupPatch::default()
    };
    client.update_row(&read, &again).await.unwrap();
    let stale = client.update_row(&read, &again).await.unwrap_err();
    assert!(stale.is_precondition_failed(), "{stale:?}");
    let stale = client.delete_row(&read).await.unwrap_err();
    assert!(stale.is_precondition_failed(), "{stale:?}");
    let fresh = client.get::<CustomerGroup>(&key).await.unwrap();
    assert_eq!(
        fresh.description.as_deref(),
        Some("Changed from the read row")
    );
    client.delete_row(&fresh).await.unwrap();
    assert!(
        client
            .get::<CustomerGroup>(&key)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn typed_operations_of_every_binding_kind() {
    let client = sandbox_client(None);

    let count = operations::get_customer_count(&client)
        .data_area_id("usrt")
        .await
        .unwrap();
    assert!(count.is_some_and(|n| n > 0), "{count:?}");
    // Left out, the parameter is not sent and the service counts the caller's company.
    let default = operations::get_customer_count(&client)
        .send()
        .await
        .unwrap();
    let usmf = operations::get_customer_count(&client)
        .data_area_id("usmf")
        .await
        .unwrap();
    assert_eq!(default, usmf);

    let status =
        operations::set_customer_on_hold(&client, "usmf", "US-000201", CustVendorBlocked::Invoice)
            .await
            .unwrap();
    assert_eq!(status, Some(CustVendorBlocked::Invoice));

    let order =
        client.entity::<SalesOrderHeaderV2>(&SalesOrderHeaderV2Key::new("usmf", "US-SO-000003"));
    let shipped: DateTimeOffset = "2031-02-03T04:05:06Z".parse().unwrap();
    let status = order.confirm_sales_order(shipped).await.unwrap();
    let read = order.get().await.unwrap();
    let status = status.map(|s| SalesStatus::from_name(&s));
    assert_eq!(read.sales_order_status, status);
    assert_eq!(
        read.confirmed_shipping_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2031-02-03T04:05:06Z")
    );

    let unknown = DataManagementDefinitionGroup::set(&client)
        .get_execution_summary_status("no-such-execution")
        .await
        .unwrap();
    assert_eq!(unknown.as_deref(), Some("Unknown"));
    assert_eq!(
        DataManagementDefinitionGroup::ENTITY_SET,
        "DataManagementDefinitionGroups"
    );
}

#[tokio::test]
async fn decimals_stay_exact_through_generated_handles() {
    let limit: Decimal = "12345678901234.123456".parse().unwrap();
    let rows: Vec<CustomerV3> = sandbox_client(None)
        .entity_set::<CustomerV3>()
        .filter(customer_v3::CREDIT_LIMIT.eq(limit))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].credit_limit, Some(limit));
}

#[tokio::test]
async fn entity_bound_operation_on_another_company_needs_cross_company() {
    let client = sandbox_client(None);
    let key = SalesOrderHeaderV2Key::new("usrt", "RT-SO-000001");
    let shipped: DateTimeOffset = "2031-02-03T04:05:06Z".parse().unwrap();
    let e = client
        .entity::<SalesOrderHeaderV2>(&key)
        .confirm_sales_order(shipped)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    client
        .entity::<SalesOrderHeaderV2>(&key)
        .cross_company()
        .confirm_sales_order(shipped)
        .await
        .unwrap();
}
