//! Business events raised by the sandbox's actions, read from its feed (payloads as F&O sends them
//! to an HTTPS endpoint) and decoded with the typed envelope; de-duplication over redeliveries.

mod common;

use common::fno::{SalesOrderHeaderV2, SalesOrderHeaderV2Key, SalesStatus};
use common::sandbox_client;
use d365fo_odata::business_events::{
    BusinessEvent, ControlNumberWindow, Delivery, WcfDate, parse_events,
};
use d365fo_sandbox::Sandbox;
use serde::Deserialize;

const NS: &str = "Microsoft.Dynamics.DataEntities";

#[derive(Debug, Deserialize)]
struct OnHoldChanged {
    #[serde(rename = "CustomerAccount")]
    customer_account: String,
    #[serde(rename = "OnHoldStatus")]
    on_hold_status: String,
    #[serde(rename = "ReleaseDate")]
    release_date: WcfDate,
}

#[derive(Debug, Deserialize)]
struct OrderConfirmed {
    #[serde(rename = "SalesOrderNumber")]
    sales_order_number: String,
    #[serde(rename = "ConfirmedShippingDate")]
    confirmed_shipping_date: WcfDate,
    #[serde(rename = "SalesOrderStatus")]
    sales_order_status: SalesStatus,
}

/// The raw feed of events with a control number above `since`.
async fn feed(since: i64) -> Vec<u8> {
    let url = format!(
        "{}/_sandbox/business-events?since={since}",
        Sandbox::shared().base_url()
    );
    let response = reqwest::get(&url).await.unwrap();
    assert!(response.status().is_success(), "{url}");
    response.bytes().await.unwrap().to_vec()
}

/// The events of the feed above `since` whose `field` is one of `values`, decoded with payload `P`.
async fn events_where<P: serde::de::DeserializeOwned>(
    since: i64,
    field: &str,
    values: &[&str],
) -> Vec<BusinessEvent<P>> {
    let all: Vec<BusinessEvent<serde_json::Value>> =
        parse_events(&feed(since).await, "feed").unwrap();
    all.iter()
        .filter(|e| values.iter().any(|v| e.payload[field] == *v))
        .map(|e| BusinessEvent::from_json(&serde_json::to_vec(e).unwrap(), "feed").unwrap())
        .collect()
}

/// The highest control number in the feed so far (0 when empty).
async fn high_water_mark() -> i64 {
    let events: Vec<BusinessEvent> = parse_events(&feed(0).await, "feed").unwrap();
    events.iter().map(|e| e.control_number).max().unwrap_or(0)
}

#[tokio::test]
async fn set_customer_on_hold_raises_an_event_with_the_f_and_o_envelope() {
    let client = sandbox_client(None);
    let since = high_water_mark().await;
    let account = "US-000321";
    let _: String = client
        .action("SetCustomerOnHold")
        .parameter("dataAreaId", "usmf")
        .parameter("CustomerAccount", account)
        .parameter("OnHoldStatus", "Invoice")
        .value()
        .await
        .unwrap();
    let mut found: Vec<BusinessEvent<OnHoldChanged>> =
        events_where(since, "CustomerAccount", &[account]).await;
    assert_eq!(found.len(), 1);
    let event = found.remove(0);
    let raw: Vec<BusinessEvent<serde_json::Value>> =
        events_where(since, "CustomerAccount", &[account]).await;
    let wire = serde_json::to_value(&raw[0]).unwrap();
    assert_eq!(
        event.business_event_id,
        "CustomerOnHoldStatusChangedBusinessEvent"
    );
    assert_eq!(event.legal_entity.as_deref(), Some("USMF"));
    assert_eq!(event.context_record_subject.as_deref(), Some(account));
    assert!(event.control_number > since);
    assert!(!event.event_id.is_nil());
    assert!(!event.initiating_user_aad_object_id.unwrap().is_nil());
    assert_eq!((event.major_version, event.minor_version), (0, 0));
    assert_eq!(event.payload.customer_account, account);
    assert_eq!(event.payload.on_hold_status, "Invoice");
    assert!(event.payload.release_date.is_empty(), "the empty X++ date");

    // EventTime is the ISO time cut to whole seconds; the ISO form has 7 fractional digits.
    let precise = event.event_time_iso8601.expect("EventTimeIso8601");
    let text = precise.to_string();
    let seconds = event.event_time.value().expect("EventTime");
    assert_eq!(
        seconds.as_offset_date_time().unix_timestamp(),
        precise.as_offset_date_time().unix_timestamp()
    );
    assert_eq!(seconds.as_offset_date_time().nanosecond(), 0);
    let iso = wire["EventTimeIso8601"].as_str().unwrap();
    assert_eq!(iso.len(), "2022-12-30T13:51:15.2942742Z".len(), "{iso}");
    assert!(text.starts_with(&iso[..19]), "{text} vs {iso}");
    assert!(
        wire["InitiatingUserAADObjectId"]
            .as_str()
            .unwrap()
            .starts_with('{')
    );
}

#[tokio::test]
async fn confirm_sales_order_raises_an_event_with_dates_in_wcf_form() {
    let client = sandbox_client(None);
    let since = high_water_mark().await;
    let key = SalesOrderHeaderV2Key::new("usmf", "US-SO-000017");
    let _: SalesStatus = client
        .entity::<SalesOrderHeaderV2>(&key)
        .action(&format!("{NS}.ConfirmSalesOrder"))
        .parameter("confirmedShippingDate", "2031-02-03T12:00:00Z")
        .value()
        .await
        .unwrap();
    let mut found: Vec<BusinessEvent<OrderConfirmed>> =
        events_where(since, "SalesOrderNumber", &["US-SO-000017"]).await;
    assert_eq!(found.len(), 1);
    let event = found.remove(0);
    assert_eq!(event.business_event_id, "SalesOrderConfirmedBusinessEvent");
    assert_eq!(event.payload.sales_order_number, "US-SO-000017");
    assert_eq!(
        event
            .payload
            .confirmed_shipping_date
            .value()
            .unwrap()
            .to_string(),
        "2031-02-03T12:00:00Z"
    );
    let order = client
        .entity::<SalesOrderHeaderV2>(&key)
        .get()
        .await
        .unwrap();
    assert_eq!(
        Some(event.payload.sales_order_status),
        order.sales_order_status
    );
}

#[tokio::test]
async fn redelivered_and_reordered_events_are_told_apart_by_control_number() {
    let client = sandbox_client(None);
    let since = high_water_mark().await;
    for (account, status) in [
        ("US-000322", "All"),
        ("US-000323", "Payment"),
        ("US-000324", "Invoice"),
    ] {
        let _: String = client
            .action("SetCustomerOnHold")
            .parameter("dataAreaId", "usmf")
            .parameter("CustomerAccount", account)
            .parameter("OnHoldStatus", status)
            .value()
            .await
            .unwrap();
    }
    let ours: Vec<BusinessEvent<OnHoldChanged>> = events_where(
        since,
        "CustomerAccount",
        &["US-000322", "US-000323", "US-000324"],
    )
    .await;
    assert_eq!(ours.len(), 3);
    let numbers: Vec<i64> = ours.iter().map(|e| e.control_number).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");

    // Delivered: the last first, then all three again in order.
    let mut window = ControlNumberWindow::new(100);
    let deliveries: Vec<Delivery> = [&ours[2], &ours[0], &ours[1], &ours[2]]
        .into_iter()
        .chain(ours.iter())
        .map(|e| window.observe_event(e))
        .collect();
    assert_eq!(
        deliveries,
        [
            Delivery::New,
            Delivery::OutOfOrder,
            Delivery::OutOfOrder,
            Delivery::Duplicate,
            Delivery::Duplicate,
            Delivery::Duplicate,
            Delivery::Duplicate,
        ]
    );
    let first_deliveries = deliveries.iter().filter(|d| d.is_first_delivery()).count();
    assert_eq!(first_deliveries, 3);
}

#[tokio::test]
async fn the_feed_mixing_an_old_alert_event_with_new_events_decodes_every_event() {
    let client = sandbox_client(None);
    let _: String = client
        .action("SetCustomerOnHold")
        .parameter("dataAreaId", "usmf")
        .parameter("CustomerAccount", "US-000325")
        .parameter("OnHoldStatus", "No")
        .value()
        .await
        .unwrap();
    let body = feed(0).await;
    let raw: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
    let events: Vec<BusinessEvent> = parse_events(&body, "feed").unwrap();
    assert_eq!(events.len(), raw.len(), "every event of the feed decodes");
    let alert = events
        .iter()
        .find(|e| e.business_event_id == "BusinessEventsAlertEvent")
        .expect("the feed holds an alert event in the 2019 shape");
    assert_eq!(alert.legal_entity, None);
    assert_eq!(alert.context_record_subject, None);
    assert_eq!(alert.initiating_user_aad_object_id, None);
    assert_eq!(alert.event_time_iso8601, None);
    assert!(alert.event_time_precise().is_some(), "EventTime is there");
    assert!(
        alert
            .payload
            .values()
            .any(|v| v.is_array() || v.is_object()),
        "nested fields"
    );
    assert!(
        events
            .iter()
            .any(|e| e.legal_entity.as_deref() == Some("USMF"))
    );
}
