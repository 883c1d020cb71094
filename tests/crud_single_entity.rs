//! Single-entity reads and writes against the sandbox: create with only the set fields, read by
//! key (special characters, other companies), ETag-guarded update and delete, typed failures.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::fno::{
    CustVendorBlocked, CustomerV3, CustomerV3Key, NewCustomerV3, NoYes, SalesOrderHeaderV2,
};
use common::sandbox_client;
use d365fo_odata::edm::Decimal;
use d365fo_odata::{Client, Entity, Error};
use serde::Deserialize;
use serde_json::json;

/// A customer account no other test uses (the sandbox allows 20 characters).
fn unique_account(tag: &str) -> String {
    assert!(tag.len() <= 8, "tag {tag:?} is too long for an account");
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("T{tag}-{nanos:08x}")
}

fn new_customer(account: &str) -> NewCustomerV3 {
    NewCustomerV3 {
        data_area_id: Some("usmf".into()),
        customer_account: Some(account.into()),
        organization_name: Some("Fabrikam Test".into()),
        customer_group_id: Some("10".into()),
        ..NewCustomerV3::default()
    }
}

async fn create(client: &Client, account: &str) -> CustomerV3 {
    client
        .create::<CustomerV3, _>(&new_customer(account))
        .await
        .expect("create the customer")
}

/// ETags of the sandbox change with every write (with `--wire cap` they are millisecond
/// timestamps): let one millisecond pass between writes.
async fn next_millisecond() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

#[test]
fn write_model_serializes_only_the_fields_that_are_set() {
    let new = NewCustomerV3 {
        credit_limit: Some("1000.50".parse().unwrap()),
        is_one_time_customer: Some(NoYes::Yes),
        ..new_customer("US-NEW")
    };
    assert_eq!(
        serde_json::to_value(&new).unwrap(),
        json!({
            "dataAreaId": "usmf",
            "CustomerAccount": "US-NEW",
            "OrganizationName": "Fabrikam Test",
            "CustomerGroupId": "10",
            "CreditLimit": 1000.50,
            "IsOneTimeCustomer": "Yes",
        })
    );
    assert_eq!(
        serde_json::to_string(&NewCustomerV3::default()).unwrap(),
        "{}"
    );
}

#[tokio::test]
async fn create_returns_the_stored_entity_with_server_defaults_for_unset_fields() {
    let client = sandbox_client(None);
    let account = unique_account("create");
    let limit: Decimal = "2500.75".parse().unwrap();
    let new = NewCustomerV3 {
        credit_limit: Some(limit),
        ..new_customer(&account)
    };
    let created = client.create::<CustomerV3, _>(&new).await.unwrap();
    assert_eq!(created.customer_account, account);
    assert_eq!(created.data_area_id, "usmf");
    assert_eq!(created.organization_name.as_deref(), Some("Fabrikam Test"));
    assert_eq!(created.credit_limit, Some(limit));
    // Not sent, so the service chose: enum defaults, and nothing for the rest.
    assert_eq!(created.on_hold_status, Some(CustVendorBlocked::No));
    assert_eq!(created.is_one_time_customer, Some(NoYes::No));
    assert_eq!(created.organization_number_of_employees, None);
    assert!(created.etag().is_some(), "a created row carries its ETag");

    let read = client
        .get::<CustomerV3>(&CustomerV3Key::new("usmf", &account))
        .await
        .unwrap();
    assert_eq!(read.organization_name.as_deref(), Some("Fabrikam Test"));
    assert_eq!(read.customer_group_id.as_deref(), Some("10"));
    assert_eq!(read.etag(), created.etag());
}

#[tokio::test]
async fn update_sends_if_match_from_the_read_etag_so_a_stale_etag_gets_412() {
    let client = sandbox_client(None);
    let account = unique_account("etag");
    let key = CustomerV3Key::new("usmf", &account);
    create(&client, &account).await;
    let read = client.get::<CustomerV3>(&key).await.unwrap();
    let first = read.etag().cloned().expect("read rows carry @odata.etag");
    next_millisecond().await;

    let changes = NewCustomerV3 {
        organization_name: Some("Renamed once".into()),
        ..NewCustomerV3::default()
    };
    let second = client
        .update::<CustomerV3, _>(&key, &changes)
        .if_match(read.etag())
        .await
        .unwrap()
        .expect("the service reports the new ETag");
    assert_ne!(second, first);
    next_millisecond().await;

    // The first ETag is stale now: If-Match was sent, so the service refuses.
    let again = NewCustomerV3 {
        organization_name: Some("Renamed twice".into()),
        ..NewCustomerV3::default()
    };
    let e = client
        .update::<CustomerV3, _>(&key, &again)
        .if_match(&first)
        .await
        .unwrap_err();
    assert!(e.is_precondition_failed(), "{e:?}");
    assert_eq!(e.status(), Some(412));
    let now = client.get::<CustomerV3>(&key).await.unwrap();
    assert_eq!(now.organization_name.as_deref(), Some("Renamed once"));
    // PATCH kept what it did not send.
    assert_eq!(now.customer_group_id.as_deref(), Some("10"));

    // The fresh ETag works.
    client
        .update::<CustomerV3, _>(&key, &again)
        .if_match(&second)
        .await
        .unwrap();
    let now = client.get::<CustomerV3>(&key).await.unwrap();
    assert_eq!(now.organization_name.as_deref(), Some("Renamed twice"));
}

#[tokio::test]
async fn update_opt_outs_apply_whatever_the_current_version() {
    let client = sandbox_client(None);
    let account = unique_account("optout");
    let key = CustomerV3Key::new("usmf", &account);
    create(&client, &account).await;
    let employees = |n| NewCustomerV3 {
        organization_number_of_employees: Some(n),
        ..NewCustomerV3::default()
    };
    client
        .update::<CustomerV3, _>(&key, &employees(7))
        .if_match_any()
        .await
        .unwrap();
    client
        .update::<CustomerV3, _>(&key, &employees(8))
        .without_if_match()
        .await
        .unwrap();
    // No ETag known (None) sends no If-Match either.
    client
        .update::<CustomerV3, _>(&key, &employees(9))
        .if_match(None)
        .await
        .unwrap();
    let now = client.get::<CustomerV3>(&key).await.unwrap();
    assert_eq!(now.organization_number_of_employees, Some(9));
}

#[tokio::test]
async fn delete_with_a_stale_etag_fails_and_with_the_current_one_removes_the_row() {
    let client = sandbox_client(None);
    let account = unique_account("delete");
    let key = CustomerV3Key::new("usmf", &account);
    let created = create(&client, &account).await;
    next_millisecond().await;
    let customer = client.entity::<CustomerV3>(&key);
    customer
        .update(&NewCustomerV3 {
            organization_name: Some("Changed".into()),
            ..NewCustomerV3::default()
        })
        .await
        .unwrap();

    let e = customer
        .delete()
        .if_match(created.etag())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::PreconditionFailed(_)), "{e:?}");

    let current = customer.get().await.unwrap();
    customer.delete().if_match(current.etag()).await.unwrap();
    let e = customer.get().await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    let e = customer.delete().if_match_any().await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

#[tokio::test]
async fn update_row_sends_the_rows_etag_so_a_stale_row_gets_412() {
    let client = sandbox_client(None);
    let account = unique_account("rowupd");
    let row = create(&client, &account).await;
    next_millisecond().await;
    let rename = |name: &str| NewCustomerV3 {
        organization_name: Some(name.into()),
        ..NewCustomerV3::default()
    };

    let new_etag = client
        .update_row(&row, &rename("Renamed from the row"))
        .await
        .unwrap()
        .expect("the service reports the new ETag");
    assert_ne!(Some(&new_etag), row.etag());
    next_millisecond().await;

    // The same row again: its ETag is stale now, and it was sent without being asked for.
    let e = client
        .update_row(&row, &rename("Lost update"))
        .await
        .unwrap_err();
    assert!(e.is_precondition_failed(), "{e:?}");
    assert_eq!(e.status(), Some(412));
    let key = CustomerV3Key::new("usmf", &account);
    let now = client.get::<CustomerV3>(&key).await.unwrap();
    assert_eq!(
        now.organization_name.as_deref(),
        Some("Renamed from the row")
    );

    // Opting out is explicit.
    client
        .update_row(&row, &rename("Last writer wins"))
        .if_match_any()
        .await
        .unwrap();
    let now = client.get::<CustomerV3>(&key).await.unwrap();
    assert_eq!(now.organization_name.as_deref(), Some("Last writer wins"));
    client.delete_row(&now).await.unwrap();
}

#[tokio::test]
async fn delete_row_with_a_stale_row_fails_and_with_a_fresh_one_removes_it() {
    let client = sandbox_client(None);
    let account = unique_account("rowdel");
    let created = create(&client, &account).await;
    next_millisecond().await;
    client
        .update_row(
            &created,
            &NewCustomerV3 {
                organization_number_of_employees: Some(3),
                ..NewCustomerV3::default()
            },
        )
        .await
        .unwrap();

    let e = client.delete_row(&created).await.unwrap_err();
    assert!(matches!(e, Error::PreconditionFailed(_)), "{e:?}");

    let key = CustomerV3Key::new("usmf", &account);
    let fresh = client.get::<CustomerV3>(&key).await.unwrap();
    client.delete_row(&fresh).await.unwrap();
    let e = client.get::<CustomerV3>(&key).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

#[tokio::test]
async fn row_without_etag_is_refused_before_sending_unless_opted_out() {
    let client = sandbox_client(None);
    let account = unique_account("rownoet");
    let mut row = create(&client, &account).await;
    row.etag = None;
    let changes = NewCustomerV3 {
        organization_name: Some("Not sent".into()),
        ..NewCustomerV3::default()
    };

    let e = client.update_row(&row, &changes).await.unwrap_err();
    match &e {
        Error::MissingETag {
            entity,
            method,
            url,
        } => {
            assert_eq!(entity, CustomerV3::TYPE_NAME);
            assert_eq!(method, "PATCH");
            assert!(url.contains(&account), "{url}");
        }
        other => panic!("expected MissingETag, got {other:?}"),
    }
    let e = client.delete_row(&row).await.unwrap_err();
    assert!(matches!(e, Error::MissingETag { .. }), "{e:?}");
    let key = CustomerV3Key::new("usmf", &account);
    let now = client.get::<CustomerV3>(&key).await.unwrap();
    assert_eq!(now.organization_name.as_deref(), Some("Fabrikam Test"));

    client
        .update_row(&row, &changes)
        .without_if_match()
        .await
        .unwrap();
    client.delete_row(&row).without_if_match().await.unwrap();
    let e = client.get::<CustomerV3>(&key).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

#[tokio::test]
async fn row_whose_type_does_not_tell_its_key_is_a_config_error() {
    let client = sandbox_client(None);
    let row: SalesOrderHeaderV2 = client
        .entity_set::<SalesOrderHeaderV2>()
        .first()
        .await
        .unwrap()
        .expect("the sandbox has sales orders");
    let e = client.delete_row(&row).await.unwrap_err();
    assert!(matches!(e, Error::Config { .. }), "{e:?}");
    assert!(e.to_string().contains("row_key"), "{e}");
}

#[tokio::test]
async fn keys_with_quotes_ampersands_spaces_and_umlauts_read_by_key() {
    let client = sandbox_client(None);
    for account in ["US-O'KEY", "US-A&B", "US-Ü 1"] {
        let row = client
            .get::<CustomerV3>(&CustomerV3Key::new("usmf", account))
            .await
            .unwrap_or_else(|e| panic!("{account}: {e}"));
        assert_eq!(row.customer_account, account);
        assert_eq!(row.data_area_id, "usmf");
    }
}

#[tokio::test]
async fn another_companys_row_is_not_found_without_cross_company_and_found_with_it() {
    let client = sandbox_client(None);
    let key = CustomerV3Key::new("usrt", "RT-000001");
    let e = client.get::<CustomerV3>(&key).await.unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    let row = client
        .get::<CustomerV3>(&key)
        .cross_company()
        .await
        .unwrap();
    assert_eq!(row.data_area_id, "usrt");
    assert_eq!(row.customer_account, "RT-000001");
    let via_ref = client
        .entity::<CustomerV3>(&key)
        .cross_company()
        .get()
        .await
        .unwrap();
    assert_eq!(via_ref.customer_account, "RT-000001");
}

#[tokio::test]
async fn another_companys_row_is_updated_only_with_cross_company() {
    let client = sandbox_client(None);
    let key = CustomerV3Key::new("demf", "DE-000002");
    let changes = NewCustomerV3 {
        organization_number_of_employees: Some(42),
        ..NewCustomerV3::default()
    };
    let e = client
        .update::<CustomerV3, _>(&key, &changes)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    let row = client
        .get::<CustomerV3>(&key)
        .cross_company()
        .await
        .unwrap();
    client
        .update::<CustomerV3, _>(&key, &changes)
        .cross_company()
        .if_match(row.etag())
        .await
        .unwrap();
    let row = client
        .get::<CustomerV3>(&key)
        .cross_company()
        .await
        .unwrap();
    assert_eq!(row.organization_number_of_employees, Some(42));
}

#[tokio::test]
async fn duplicate_create_is_a_conflict_carrying_the_infolog() {
    let client = sandbox_client(None);
    let account = unique_account("dup");
    create(&client, &account).await;
    let e = client
        .create::<CustomerV3, _>(&new_customer(&account))
        .await
        .unwrap_err();
    assert!(e.is_conflict(), "{e:?}");
    assert_eq!(
        e.status(),
        Some(400),
        "F&O answers a direct duplicate with 400"
    );
    let service = e.service_error().unwrap();
    assert!(
        service
            .infolog()
            .iter()
            .any(|line| line.contains("already exists")),
        "{service:?}"
    );
    assert!(e.activity_id().is_some(), "the sandbox sends ms-dyn-aid");
}

#[tokio::test]
async fn unknown_key_is_not_found() {
    let client = sandbox_client(None);
    let e = client
        .get::<CustomerV3>(&CustomerV3Key::new("usmf", "NO-SUCH-CUSTOMER"))
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

/// A binding whose account is typed wrongly: reading it must fail with a decode error.
#[derive(Debug, Deserialize)]
struct MistypedCustomer {
    #[serde(rename = "CustomerAccount")]
    _customer_account: i64,
}

impl Entity for MistypedCustomer {
    const ENTITY_SET: &'static str = "CustomersV3";
    const TYPE_NAME: &'static str = "Microsoft.Dynamics.DataEntities.CustomerV3";
    type Key = CustomerV3Key;
    type Profile = d365fo_odata::profile::Fno;
}

#[tokio::test]
async fn row_that_does_not_match_the_binding_is_a_decode_error_naming_entity_and_url() {
    let client = sandbox_client(None);
    let e = client
        .get::<MistypedCustomer>(&CustomerV3Key::new("usmf", "US-A&B"))
        .await
        .unwrap_err();
    match e {
        Error::Decode { what, url, .. } => {
            assert_eq!(what, "entity Microsoft.Dynamics.DataEntities.CustomerV3");
            assert!(
                url.ends_with("/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-A%26B')"),
                "{url}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn entity_urls_carry_the_encoded_key_and_cross_company_option() {
    let client = sandbox_client(None);
    let url = client
        .entity::<CustomerV3>(&CustomerV3Key::new("usmf", "US-Ü 1"))
        .cross_company()
        .url()
        .unwrap();
    assert!(
        url.as_str().ends_with(
            "/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-%C3%9C%201')?cross-company=true"
        ),
        "{url}"
    );
}
