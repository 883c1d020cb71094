//! [`BusinessEvent`]: the envelope every F&O business event payload starts with.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::WcfDate;
use crate::edm::{DateTimeOffset, Guid};
use crate::error::{Error, Result};

/// One F&O business event: the common envelope (from X++ `BusinessEventsContract`) and the
/// event-specific fields in `P`.
///
/// F&O sends one flat JSON object: the envelope fields below, then the event's own fields
/// (named after the contract's `DataMember` attributes, enums as symbol strings, dates again as
/// `/Date(ms)/` — use [`WcfDate`] for those). `P` receives every field that is not part of the
/// envelope, so a struct with the fields one cares about (and `#[serde(rename = "…")]` for
/// their names) is enough; the default, a JSON map, keeps all of them untyped.
///
/// ```
/// use d365fo_odata::business_events::{BusinessEvent, WcfDate};
///
/// #[derive(serde::Deserialize)]
/// struct InvoicePosted {
///     #[serde(rename = "InvoiceNumber")]
///     invoice_number: String,
///     #[serde(rename = "InvoiceDate")]
///     invoice_date: WcfDate,
/// }
///
/// let body = br#"{
///     "BusinessEventId": "SalesInvoicePostedBusinessEvent",
///     "BusinessEventLegalEntity": "USMF",
///     "ContextRecordSubject": "",
///     "ControlNumber": 5637611083,
///     "EventId": "3C47A4CD-6EDC-4319-B893-3F862EED65FD",
///     "EventTime": "/Date(1672408275000)/",
///     "EventTimeIso8601": "2022-12-30T13:51:15.2942742Z",
///     "InitiatingUserAADObjectId": "{410A2690-5EC2-42EE-9F2A-E75B4E324930}",
///     "MajorVersion": 0,
///     "MinorVersion": 0,
///     "ParentContextRecordSubjects": [],
///     "InvoiceNumber": "CIV-000123",
///     "InvoiceDate": "/Date(1672358400000)/"
/// }"#;
/// let event: BusinessEvent<InvoicePosted> = BusinessEvent::from_json(body, "queue sales-events")?;
/// assert_eq!(event.control_number, 5637611083);
/// assert_eq!(event.payload.invoice_number, "CIV-000123");
/// assert_eq!(event.event_time_precise().unwrap().to_string(), "2022-12-30T13:51:15.2942742Z");
/// # Ok::<(), d365fo_odata::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BusinessEvent<P = serde_json::Map<String, serde_json::Value>> {
    /// `BusinessEventId`: the event's identifier, the X++ class name, e.g.
    /// `SalesInvoicePostedBusinessEvent`.
    #[serde(rename = "BusinessEventId")]
    pub business_event_id: String,
    /// `BusinessEventLegalEntity`: the legal entity (company) the event was raised in; `None`
    /// in payloads of older F&O versions and alert events, which do not send it.
    #[serde(
        rename = "BusinessEventLegalEntity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub legal_entity: Option<String>,
    /// `ContextRecordSubject`: what the event is about, often empty; `None` when not sent
    /// (older versions, alert events).
    #[serde(
        rename = "ContextRecordSubject",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub context_record_subject: Option<String>,
    /// `ControlNumber`: increases with every event, with gaps; see
    /// [`ControlNumberWindow`](super::ControlNumberWindow) for de-duplication.
    #[serde(rename = "ControlNumber")]
    pub control_number: i64,
    /// `EventId`: unique per event (upper-case GUID text on the wire). The empty string F&O's
    /// downloadable schemas carry reads as [`Guid::NIL`].
    #[serde(rename = "EventId", with = "plain_guid")]
    pub event_id: Guid,
    /// `EventTime`: when the event was raised, to the second, as `/Date(ms)/`.
    #[serde(rename = "EventTime")]
    pub event_time: WcfDate,
    /// `EventTimeIso8601`: the same instant with 7 fractional digits; absent from payloads of
    /// older F&O versions and alert events. Kept as sent, so F&O's empty date
    /// (`1900-01-01T00:00:00Z` or `…T12:00:00Z`, see
    /// [`DateTimeOffset::is_fno_empty_date`]) reads as that date here;
    /// [`event_time_precise`](Self::event_time_precise) skips it.
    #[serde(
        rename = "EventTimeIso8601",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub event_time_iso8601: Option<DateTimeOffset>,
    /// `InitiatingUserAADObjectId`: the Entra ID object id of the user whose action raised the
    /// event (`{GUID}` with braces on the wire; nil for system events); `None` when not sent
    /// (older versions, alert events).
    #[serde(
        rename = "InitiatingUserAADObjectId",
        default,
        with = "braced_guid",
        skip_serializing_if = "Option::is_none"
    )]
    pub initiating_user_aad_object_id: Option<Guid>,
    /// `MajorVersion` of the event's contract.
    #[serde(rename = "MajorVersion")]
    pub major_version: i32,
    /// `MinorVersion` of the event's contract.
    #[serde(rename = "MinorVersion")]
    pub minor_version: i32,
    /// `ParentContextRecordSubjects`: sent as an array or `null`, or not at all by older
    /// versions and alert events (both read as empty).
    #[serde(
        rename = "ParentContextRecordSubjects",
        default,
        deserialize_with = "null_as_empty"
    )]
    pub parent_context_record_subjects: Vec<String>,
    /// The event-specific fields.
    #[serde(flatten)]
    pub payload: P,
}

impl<P> BusinessEvent<P> {
    /// When the event was raised: `EventTimeIso8601` when present and not F&O's empty date
    /// (100 ns precision), else `EventTime`; `None` when neither holds a date.
    pub fn event_time_precise(&self) -> Option<DateTimeOffset> {
        self.event_time_iso8601
            .and_then(DateTimeOffset::non_empty)
            .or(self.event_time.value())
    }
}

impl<P: DeserializeOwned> BusinessEvent<P> {
    /// Decodes one event from a JSON object. `source` says where the body came from (a URL, a
    /// queue name) for the error message.
    ///
    /// # Errors
    /// [`Error::Decode`] with the line and column when the body is not an event object, an
    /// envelope field is missing or malformed, or `P` rejects the event's fields.
    pub fn from_json(body: &[u8], source: &str) -> Result<Self> {
        serde_json::from_slice(body).map_err(|e| Error::decode("business event", source, &e))
    }
}

/// Decodes a body holding one event object or a JSON array of them (the form F&O's Service Bus
/// and HTTPS endpoints deliver, and the form a batch of saved payloads takes). `source` says where
/// the body came from, for the error message.
///
/// # Errors
/// [`Error::Decode`] with the line and column of the first event that does not decode.
pub fn parse_events<P: DeserializeOwned>(
    body: &[u8],
    source: &str,
) -> Result<Vec<BusinessEvent<P>>> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        serde_json::from_slice::<Vec<BusinessEvent<P>>>(body)
            .map_err(|e| Error::decode("business events", source, &e))
    } else {
        BusinessEvent::from_json(body, source).map(|event| vec![event])
    }
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default())
}

/// A GUID read with or without braces, in either case.
fn parse_guid<E: serde::de::Error>(text: &str, field: &str) -> std::result::Result<Guid, E> {
    let bare = text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text);
    Guid::parse(bare).map_err(|e| E::custom(format!("{field}: {e}")))
}

/// `EventId`: upper-case GUID text without braces; `""` is nil.
mod plain_guid {
    use super::*;

    pub(super) fn serialize<S: serde::Serializer>(
        guid: &Guid,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&guid.to_string().to_ascii_uppercase())
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Guid, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.is_empty() {
            return Ok(Guid::NIL);
        }
        parse_guid(&text, "EventId")
    }
}

/// `InitiatingUserAADObjectId`: `{GUID}`, upper case, with braces; absent or `null` is `None`.
mod braced_guid {
    use super::*;

    pub(super) fn serialize<S: serde::Serializer>(
        guid: &Option<Guid>,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match guid {
            Some(guid) => {
                serializer.serialize_str(&format!("{{{}}}", guid.to_string().to_ascii_uppercase()))
            }
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Option<Guid>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            Some(text) => parse_guid(&text, "InitiatingUserAADObjectId").map(Some),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shaped like an F&O sales invoice posted event (all envelope fields, event fields after).
    const INVOICE_POSTED: &str = r#"{
        "BusinessEventId": "SalesInvoicePostedBusinessEvent",
        "BusinessEventLegalEntity": "USMF",
        "ContextRecordSubject": "",
        "ControlNumber": 5637611083,
        "CustomerAccount": "US-004",
        "EventId": "9D2F5A60-1B7C-4C0E-8E57-0F4D2A6B3C91",
        "EventTime": "/Date(1672408275000)/",
        "EventTimeIso8601": "2022-12-30T13:51:15.2942742Z",
        "InitiatingUserAADObjectId": "{5E2D28CB-A456-4512-B6AB-F3455D765946}",
        "InvoiceAmountInAccountingCurrency": 1250.75,
        "InvoiceDate": "/Date(1672358400000)/",
        "InvoiceDueDate": "/Date(-2208988800000)/",
        "InvoiceId": "CIV-000871",
        "MajorVersion": 0,
        "MinorVersion": 0,
        "ParentContextRecordSubjects": [],
        "SalesOrderNumber": "SO-004212"
    }"#;

    /// Shaped like the sample F&O's "Download schema" gives: empty values everywhere.
    const SCHEMA_SAMPLE: &str = r#"{"AdminEmailId":"","BusinessEventId":"","BusinessEventLegalEntity":"","ContextRecordSubject":"","ControlNumber":0,"EventId":"","EventTime":"/Date(-2208988800000)/","EventTimeIso8601":"1900-01-01T00:00:00Z","InitiatingUserAADObjectId":"{00000000-0000-0000-0000-000000000000}","JobDescription":"","JobEndUtcDateTime":"/Date(-2208988800000)/","JobId":0,"MajorVersion":0,"MinorVersion":0,"ParentContextRecordSubjects":null}"#;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct InvoicePosted {
        #[serde(rename = "InvoiceId")]
        invoice_id: String,
        #[serde(rename = "InvoiceDate")]
        invoice_date: WcfDate,
        #[serde(rename = "InvoiceDueDate")]
        invoice_due_date: WcfDate,
        #[serde(rename = "CustomerAccount")]
        customer_account: String,
    }

    #[test]
    fn decodes_the_envelope_and_a_typed_payload() {
        let e: BusinessEvent<InvoicePosted> =
            BusinessEvent::from_json(INVOICE_POSTED.as_bytes(), "test").unwrap();
        assert_eq!(e.business_event_id, "SalesInvoicePostedBusinessEvent");
        assert_eq!(e.legal_entity.as_deref(), Some("USMF"));
        assert_eq!(e.control_number, 5_637_611_083);
        assert_eq!(
            e.event_id.to_string(),
            "9d2f5a60-1b7c-4c0e-8e57-0f4d2a6b3c91"
        );
        assert_eq!(
            e.event_time.value().unwrap().to_string(),
            "2022-12-30T13:51:15Z"
        );
        assert_eq!(
            e.event_time_precise().unwrap().to_string(),
            "2022-12-30T13:51:15.2942742Z"
        );
        assert_eq!(
            e.initiating_user_aad_object_id.unwrap().to_string(),
            "5e2d28cb-a456-4512-b6ab-f3455d765946"
        );
        assert!(e.parent_context_record_subjects.is_empty());
        assert_eq!(e.payload.invoice_id, "CIV-000871");
        assert_eq!(e.payload.customer_account, "US-004");
        assert_eq!(
            e.payload.invoice_date.value().unwrap().to_string(),
            "2022-12-30T00:00:00Z"
        );
        assert!(e.payload.invoice_due_date.is_empty());
    }

    #[test]
    fn the_untyped_payload_keeps_every_event_field_and_none_of_the_envelope() {
        let e: BusinessEvent = BusinessEvent::from_json(INVOICE_POSTED.as_bytes(), "test").unwrap();
        let mut keys: Vec<_> = e.payload.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "CustomerAccount",
                "InvoiceAmountInAccountingCurrency",
                "InvoiceDate",
                "InvoiceDueDate",
                "InvoiceId",
                "SalesOrderNumber"
            ]
        );
    }

    #[test]
    fn serializes_back_to_the_wire_shape() {
        let e: BusinessEvent<InvoicePosted> =
            BusinessEvent::from_json(INVOICE_POSTED.as_bytes(), "test").unwrap();
        let again: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(again["EventId"], "9D2F5A60-1B7C-4C0E-8E57-0F4D2A6B3C91");
        assert_eq!(
            again["InitiatingUserAADObjectId"],
            "{5E2D28CB-A456-4512-B6AB-F3455D765946}"
        );
        assert_eq!(again["EventTime"], "/Date(1672408275000)/");
        assert_eq!(again["EventTimeIso8601"], "2022-12-30T13:51:15.2942742Z");
        assert_eq!(again["InvoiceDueDate"], "/Date(-2208988800000)/");
        let back: BusinessEvent<InvoicePosted> = serde_json::from_value(again).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn a_schema_sample_with_empty_values_decodes() {
        let e: BusinessEvent = BusinessEvent::from_json(SCHEMA_SAMPLE.as_bytes(), "test").unwrap();
        assert!(e.event_id.is_nil());
        assert!(e.initiating_user_aad_object_id.unwrap().is_nil());
        assert!(e.event_time.is_empty());
        assert!(
            e.event_time_iso8601.unwrap().is_fno_empty_date(),
            "kept as sent"
        );
        assert_eq!(
            e.event_time_precise(),
            None,
            "both times are the empty date"
        );
        assert!(e.parent_context_record_subjects.is_empty());
        assert_eq!(e.payload["JobId"], 0);
    }

    #[test]
    fn parent_subjects_and_a_missing_iso_time_are_read() {
        let body = INVOICE_POSTED
            .replace(
                r#""ParentContextRecordSubjects": []"#,
                r#""ParentContextRecordSubjects": ["SO-004212", "USMF"]"#,
            )
            .replace(r#""EventTimeIso8601": "2022-12-30T13:51:15.2942742Z","#, "");
        let e: BusinessEvent = BusinessEvent::from_json(body.as_bytes(), "test").unwrap();
        assert_eq!(e.parent_context_record_subjects, ["SO-004212", "USMF"]);
        assert_eq!(e.event_time_iso8601, None);
        assert_eq!(
            e.event_time_precise().unwrap().to_string(),
            "2022-12-30T13:51:15Z"
        );
    }

    #[test]
    fn bad_envelope_fields_are_decode_errors_with_a_position() {
        let cases = [
            (
                INVOICE_POSTED.replace(r#""ControlNumber": 5637611083,"#, ""),
                "ControlNumber",
            ),
            (
                INVOICE_POSTED.replace("/Date(1672408275000)/", "2022-12-30"),
                "/Date(",
            ),
            (
                INVOICE_POSTED.replace("{5E2D28CB-A456-4512-B6AB-F3455D765946}", "{nope}"),
                "InitiatingUserAADObjectId",
            ),
            (
                INVOICE_POSTED.replace("9D2F5A60-1B7C-4C0E-8E57-0F4D2A6B3C91", "x"),
                "EventId",
            ),
        ];
        for (body, needle) in cases {
            let e = BusinessEvent::<serde_json::Map<String, serde_json::Value>>::from_json(
                body.as_bytes(),
                "queue q1",
            )
            .unwrap_err();
            let Error::Decode { url, message, .. } = &e else {
                panic!("{e:?}")
            };
            assert_eq!(url, "queue q1");
            assert!(message.contains(needle), "{needle}: {e}");
        }
    }

    /// An alert event in the 2019 shape: only the six fields every version sends, plus
    /// event fields holding a nested object and an array.
    const ALERT_2019: &str = r#"{
        "BusinessEventId": "BusinessEventsAlertEvent",
        "ControlNumber": 5637145326,
        "EventId": "0C7FB4B7-3D71-4E0C-A3F5-2D6A8A0E1B44",
        "EventTime": "/Date(1561041315000)/",
        "MajorVersion": 0,
        "MinorVersion": 0,
        "AlertRuleId": "000123",
        "CompanyId": "usmf",
        "Subject": "Customer changed",
        "Fields": [{"Name": "CreditMax", "OldValue": "1000", "NewValue": "2500"}],
        "Context": {"Table": "CustTable", "Keys": {"AccountNum": "US-001"}}
    }"#;

    #[test]
    fn an_old_alert_event_without_the_newer_envelope_fields_decodes() {
        let e: BusinessEvent = BusinessEvent::from_json(ALERT_2019.as_bytes(), "t").unwrap();
        assert_eq!(e.business_event_id, "BusinessEventsAlertEvent");
        assert_eq!(e.control_number, 5_637_145_326);
        assert_eq!(e.legal_entity, None);
        assert_eq!(e.context_record_subject, None);
        assert_eq!(e.initiating_user_aad_object_id, None);
        assert_eq!(e.event_time_iso8601, None);
        assert!(e.parent_context_record_subjects.is_empty());
        assert_eq!(
            e.event_time_precise().unwrap().to_string(),
            "2019-06-20T14:35:15Z"
        );
        assert_eq!(e.payload["Fields"][0]["NewValue"], "2500");
        assert_eq!(e.payload["Context"]["Keys"]["AccountNum"], "US-001");
        let again = serde_json::to_value(&e).unwrap();
        assert!(
            again.get("BusinessEventLegalEntity").is_none(),
            "absent stays absent"
        );
        assert!(again.get("InitiatingUserAADObjectId").is_none());
    }

    #[test]
    fn an_array_mixing_old_and_new_shapes_decodes_every_event() {
        let array = format!("[{INVOICE_POSTED}, {ALERT_2019}, {SCHEMA_SAMPLE}]");
        let events: Vec<BusinessEvent> = parse_events(array.as_bytes(), "t").unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].legal_entity.as_deref(), Some("USMF"));
        assert_eq!(events[1].legal_entity, None);
        assert_eq!(events[2].legal_entity.as_deref(), Some(""));
    }

    #[test]
    fn the_six_fields_every_version_sends_are_still_required() {
        for field in [
            "BusinessEventId",
            "ControlNumber",
            "EventId",
            "EventTime",
            "MajorVersion",
            "MinorVersion",
        ] {
            let mut value: serde_json::Value = serde_json::from_str(ALERT_2019).unwrap();
            value.as_object_mut().unwrap().remove(field);
            let body = serde_json::to_vec(&value).unwrap();
            let e =
                BusinessEvent::<serde_json::Map<String, serde_json::Value>>::from_json(&body, "t")
                    .unwrap_err();
            assert!(e.to_string().contains(field), "{field}: {e}");
        }
    }

    #[test]
    fn an_empty_iso_time_of_either_form_falls_back_to_event_time() {
        for empty in ["1900-01-01T00:00:00Z", "1900-01-01T12:00:00Z"] {
            let body = INVOICE_POSTED.replace("2022-12-30T13:51:15.2942742Z", empty);
            let e: BusinessEvent = BusinessEvent::from_json(body.as_bytes(), "t").unwrap();
            assert_eq!(
                e.event_time_precise().unwrap().to_string(),
                "2022-12-30T13:51:15Z",
                "{empty}"
            );
        }
    }

    #[test]
    fn parses_one_event_or_an_array() {
        let one: Vec<BusinessEvent> = parse_events(INVOICE_POSTED.as_bytes(), "t").unwrap();
        assert_eq!(one.len(), 1);
        let array = format!("  [{INVOICE_POSTED}, {SCHEMA_SAMPLE}]");
        let many: Vec<BusinessEvent> = parse_events(array.as_bytes(), "t").unwrap();
        assert_eq!(many.len(), 2);
        assert_eq!(many[1].control_number, 0);
        let e = parse_events::<serde_json::Value>(b"[1]", "t").unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    }
}
