//! Actions and functions against the sandbox: each binding kind, typed parameters and results.

mod common;

use std::time::Duration;

use common::fno::{
    CustVendorBlocked, CustomerV3, CustomerV3Key, DataManagementDefinitionGroup,
    DmfExecutionStatus, ExportToPackage, SalesOrderHeaderV2, SalesOrderHeaderV2Key, SalesStatus,
};
use common::sandbox_client;
use d365fo_odata::Error;
use d365fo_sandbox::Sandbox;

const NS: &str = "Microsoft.Dynamics.DataEntities";

#[tokio::test]
async fn entity_bound_action_confirms_the_order_and_returns_its_status() {
    let client = sandbox_client(None);
    let key = SalesOrderHeaderV2Key::new("usmf", "US-SO-000002");
    let order = client.entity::<SalesOrderHeaderV2>(&key);
    let before = order.get().await.unwrap();
    let status: SalesStatus = order
        .action(&format!("{NS}.ConfirmSalesOrder"))
        .parameter("confirmedShippingDate", "2030-05-01T12:00:00Z")
        .value()
        .await
        .unwrap();
    assert_eq!(Some(status), before.sales_order_status);
    let after = order.get().await.unwrap();
    assert_eq!(
        after.confirmed_shipping_date.unwrap().to_string(),
        "2030-05-01T12:00:00Z"
    );
}

#[tokio::test]
async fn entity_bound_action_on_another_company_needs_cross_company() {
    let client = sandbox_client(None);
    let key = SalesOrderHeaderV2Key::new("usrt", "RT-SO-000001");
    let action = format!("{NS}.ConfirmSalesOrder");
    let e = client
        .entity::<SalesOrderHeaderV2>(&key)
        .action(&action)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    let order = client.entity::<SalesOrderHeaderV2>(&key).cross_company();
    let url = order.action(&action).url().unwrap();
    assert!(
        url.as_str().ends_with(
            "/data/SalesOrderHeadersV2(dataAreaId='usrt',SalesOrderNumber='RT-SO-000001')\
             /Microsoft.Dynamics.DataEntities.ConfirmSalesOrder?cross-company=true"
        ),
        "{url}"
    );
    let status: SalesStatus = order.action(&action).value().await.unwrap();
    assert_eq!(Some(status), order.get().await.unwrap().sales_order_status);
}

#[tokio::test]
async fn unbound_action_takes_an_enum_parameter_and_returns_the_enum() {
    let client = sandbox_client(None);
    let account = "US-000200";
    let status: CustVendorBlocked = client
        .action("SetCustomerOnHold")
        .parameter("dataAreaId", "usmf")
        .parameter("CustomerAccount", account)
        .parameter("OnHoldStatus", &CustVendorBlocked::Invoice)
        .value()
        .await
        .unwrap();
    assert_eq!(status, CustVendorBlocked::Invoice);
    let customer = client
        .get::<CustomerV3>(&CustomerV3Key::new("usmf", account))
        .await
        .unwrap();
    assert_eq!(customer.on_hold_status, Some(CustVendorBlocked::Invoice));
}

#[tokio::test]
async fn unbound_action_refusal_is_a_typed_error_not_a_decode_failure() {
    let e = sandbox_client(None)
        .action("SetCustomerOnHold")
        .parameter("dataAreaId", "usmf")
        .parameter("CustomerAccount", "NO-SUCH-CUSTOMER")
        .parameter("OnHoldStatus", &CustVendorBlocked::All)
        .value::<CustVendorBlocked>()
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

#[tokio::test]
async fn unbound_function_with_a_literal_parameter_counts_each_companys_seed() {
    let client = sandbox_client(None);
    let seed = Sandbox::seed_counts().unwrap();
    for company in seed.companies() {
        let count: i64 = client
            .function("GetCustomerCount")
            .parameter("dataAreaId", company)
            .value()
            .await
            .unwrap();
        let expected = seed.rows("CustomersV3", company).unwrap();
        assert_eq!(u64::try_from(count).unwrap(), expected, "{company}");
    }
    let default: i64 = client.function("GetCustomerCount").value().await.unwrap();
    let expected = seed.rows("CustomersV3", seed.default_company()).unwrap();
    assert_eq!(u64::try_from(default).unwrap(), expected);
}

#[tokio::test]
async fn function_result_of_the_wrong_type_is_a_decode_error_naming_the_function() {
    let e = sandbox_client(None)
        .function("GetCustomerCount")
        .parameter("dataAreaId", "usrt")
        .value::<String>()
        .await
        .unwrap_err();
    match e {
        Error::Decode { what, url, .. } => {
            assert_eq!(what, "result of function GetCustomerCount");
            assert!(
                url.ends_with("/data/GetCustomerCount(dataAreaId='usrt')"),
                "{url}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn collection_bound_dmf_actions_export_and_report_status_until_final() {
    let client = sandbox_client(None);
    let execution_id: String = client
        .collection_action::<DataManagementDefinitionGroup>(&format!("{NS}.ExportToPackage"))
        .parameters(&ExportToPackage {
            definition_group_id: "CustomerGroupsExport".into(),
            package_name: "customer-groups".into(),
            execution_id: String::new(),
            re_execute: false,
            legal_entity_id: "usmf".into(),
        })
        .value_or_nested()
        .await
        .unwrap();
    assert!(!execution_id.is_empty());

    let status_of = |id: String| {
        let client = client.clone();
        async move {
            client
                .collection_action::<DataManagementDefinitionGroup>(&format!(
                    "{NS}.GetExecutionSummaryStatus"
                ))
                .parameter("executionId", &id)
                .value_or_nested::<DmfExecutionStatus>()
                .await
                .unwrap()
        }
    };
    let mut seen = Vec::new();
    for _ in 0..20 {
        let status = status_of(execution_id.clone()).await;
        let done = !matches!(
            status,
            DmfExecutionStatus::NotRun | DmfExecutionStatus::Executing
        );
        seen.push(status);
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.first(), Some(&DmfExecutionStatus::NotRun), "{seen:?}");
    assert_eq!(
        seen.last(),
        Some(&DmfExecutionStatus::Succeeded),
        "{seen:?}"
    );
    assert_eq!(
        status_of("no-such-execution".into()).await,
        DmfExecutionStatus::Unknown
    );
}
