//! Reading real F&O error bodies and hostile ones.

use super::*;

const FNO_WRITE_FAILURE: &str = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.; Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","stacktrace":"   at X"}}}"#;

/// An unknown property in `$filter`, as F&O answers it: the real cause two levels down.
const FNO_UNKNOWN_PROPERTY: &str = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Exception has been thrown by the target of an invocation.","type":"System.Reflection.TargetInvocationException","stacktrace":"   at System.RuntimeMethodHandle.InvokeMethod(Object target, Object[] arguments, Signature sig, Boolean constructor)\r\n   at System.Reflection.RuntimeMethodInfo.UnsafeInvokeInternal(Object obj, Object[] parameters, Object[] arguments)","internalexception":{"message":"Exception has been thrown by the target of an invocation.","type":"System.Reflection.TargetInvocationException","stacktrace":"   at Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataQueryProcessor.ApplyQuery()","internalexception":{"message":"The property 'Colour' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV3'. Make sure to only use property names that are defined by the type.","type":"Microsoft.OData.ODataException","stacktrace":"   at Microsoft.OData.UriParser.EndPathBinder.BindEndPath(EndPathToken endPathToken)"}}}}}"#;

fn parse(status: u16, body: &str) -> ServiceError {
    ServiceError::from_response(
        status,
        "GET",
        "https://x/data/CustomersV3",
        None,
        body.as_bytes(),
    )
}

#[test]
fn parses_fno_write_failure_with_infolog_lines() {
    let e = ServiceError::from_response(
        500,
        "POST",
        "https://x/data/CustomersV3",
        Some("aid-1".into()),
        FNO_WRITE_FAILURE.as_bytes(),
    );
    assert_eq!(e.message, "An error has occurred.");
    assert_eq!(
        e.inner_type.as_deref(),
        Some("Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException")
    );
    assert_eq!(
        e.infolog(),
        vec![
            "Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.",
            "Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.",
        ]
    );
    assert_eq!(e.causes().len(), 1);
    assert_eq!(e.causes()[0].stacktrace.as_deref(), Some("   at X"));
    let shown = e.to_string();
    assert!(
        shown.contains("HTTP 500 on POST https://x/data/CustomersV3"),
        "{shown}"
    );
    assert!(shown.contains("— Write failed for table row"), "{shown}");
    assert!(!shown.contains("innermost cause"), "one level: {shown}");
    assert!(shown.contains("[activity id aid-1]"), "{shown}");
}

#[test]
fn keeps_the_whole_internalexception_chain_and_shows_the_innermost_message() {
    let e = parse(400, FNO_UNKNOWN_PROPERTY);
    let causes = e.causes();
    assert_eq!(causes.len(), 3);
    assert_eq!(e.causes_omitted(), 0);
    assert_eq!(
        causes.iter().map(|c| c.level).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(
        causes[0].message,
        "Exception has been thrown by the target of an invocation."
    );
    assert_eq!(
        causes[1].kind.as_deref(),
        Some("System.Reflection.TargetInvocationException")
    );
    let inner = e.innermost_cause().unwrap();
    assert_eq!(inner.level, 2);
    assert_eq!(
        inner.kind.as_deref(),
        Some("Microsoft.OData.ODataException")
    );
    assert!(inner.message.starts_with(
        "The property 'Colour' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV3'."
    ));
    assert!(inner.stacktrace.as_deref().unwrap().contains("BindEndPath"));
    assert_eq!(e.inner_message.as_deref(), Some(causes[0].message.as_str()));

    let shown = e.to_string();
    assert!(
        shown.contains("innermost cause (level 3 of 3, Microsoft.OData.ODataException): The property 'Colour' does not exist"),
        "{shown}"
    );
    assert!(e.infolog().is_empty());
}

#[test]
fn members_after_a_nested_exception_belong_to_their_own_level() {
    let body = r#"{"error":{"code":"0022","message":"m","innererror":{"internalexception":{"type":"Inner","message":"inner text","extra":{"a":[1,{"b":"}"}]}},"message":"outer text","type":"Outer"}}}"#;
    let e = parse(400, body);
    assert_eq!(e.code, "0022");
    assert_eq!(e.causes().len(), 2);
    assert_eq!(e.causes()[0].message, "outer text");
    assert_eq!(e.causes()[0].kind.as_deref(), Some("Outer"));
    assert_eq!(e.causes()[1].message, "inner text");
    assert_eq!(e.inner_type.as_deref(), Some("Outer"));
    assert!(
        e.to_string()
            .starts_with("HTTP 400 on GET https://x/data/CustomersV3: [0022] m")
    );
}

#[test]
fn infolog_keeps_a_message_with_a_newline_whole() {
    let body = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). T1.\nThe record already exists..","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","stacktrace":""}}}"#;
    let e = parse(400, body);
    assert_eq!(
        e.infolog(),
        [
            "Info: Cannot create a record in Customer groups (CustGroup). T1.\nThe record already exists.."
        ]
    );
    assert_eq!(
        e.causes()[0].stacktrace,
        None,
        "a blank stack trace is none"
    );
}

#[test]
fn infolog_reads_through_the_chain_and_lists_repeats_once() {
    let body = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Exception has been thrown by the target of an invocation.","type":"System.Reflection.TargetInvocationException","internalexception":{"message":"Write failed for table row of type 'SalesOrderHeaderV2Entity'. Infolog: Warning: Customer US-404 does not exist.\nError: Update has been canceled.","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","internalexception":{"message":"Infolog: Error: Update has been canceled.; Error: Posting failed; retry later.","type":"Microsoft.Dynamics.Ax.Xpp.ErrorException"}}}}}"#;
    let e = parse(400, body);
    assert_eq!(
        e.infolog(),
        [
            "Warning: Customer US-404 does not exist.",
            "Error: Update has been canceled.",
            "Error: Posting failed; retry later.",
        ]
    );
}

/// A chain deeper than serde_json's recursion limit of 128 and longer than the levels kept.
fn deep_chain(levels: usize) -> String {
    let mut body =
        String::from(r#"{"error":{"code":"","message":"An error has occurred.","innererror":"#);
    for i in 0..levels {
        if i > 0 {
            body.push_str(r#","internalexception":"#);
        }
        body.push_str(&format!(
            r#"{{"message":"level {i}","type":"T{i}","stacktrace":"s""#
        ));
    }
    body.push_str(&"}".repeat(levels));
    body.push_str("}}");
    body
}

#[test]
fn a_thousand_deep_chain_keeps_bounded_levels_and_the_innermost() {
    let e = parse(400, &deep_chain(1000));
    assert_eq!(e.message, "An error has occurred.");
    assert_eq!(e.causes().len(), ServiceError::MAX_CAUSES);
    assert_eq!(e.causes_omitted(), 1000 - ServiceError::MAX_CAUSES);
    assert_eq!(e.causes()[0].message, "level 0");
    assert_eq!(e.causes()[ServiceError::MAX_CAUSES - 2].message, "level 14");
    let inner = e.innermost_cause().unwrap();
    assert_eq!((inner.level, inner.message.as_str()), (999, "level 999"));
    let shown = e.to_string();
    assert!(
        shown.contains(
            "innermost cause (level 1000 of 1000, T999; 984 levels in between not kept): level 999"
        ),
        "{shown}"
    );
}

#[test]
fn a_chain_of_exactly_the_kept_levels_loses_nothing() {
    let e = parse(400, &deep_chain(ServiceError::MAX_CAUSES));
    assert_eq!(e.causes().len(), ServiceError::MAX_CAUSES);
    assert_eq!(e.causes_omitted(), 0);
    let levels: Vec<usize> = e.causes().iter().map(|c| c.level).collect();
    assert_eq!(levels, (0..ServiceError::MAX_CAUSES).collect::<Vec<_>>());
}

#[test]
fn too_deep_json_elsewhere_is_kept_as_an_excerpt_without_overflowing() {
    let depth = 100_000;
    let body = format!(
        r#"{{"error":{{"message":"m","details":{}{}}}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let e = parse(400, &body);
    assert!(
        e.message
            .starts_with(r#"{"error":{"message":"m","details":[[["#)
    );
    assert!(e.message.chars().count() <= MAX_BODY_EXCERPT + 1);
    assert!(e.causes().is_empty());
    let unclosed = format!(
        r#"{{"error":{{"innererror":{}"#,
        r#"{"internalexception":"#.repeat(depth)
    );
    let e = parse(400, &unclosed);
    assert!(e.causes().is_empty(), "not JSON: kept as text");
}

#[test]
fn a_ten_megabyte_message_is_cut_and_display_stays_small() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let body = format!(
        r#"{{"error":{{"code":"","message":"{huge}","innererror":{{"message":"outer","internalexception":{{"message":"{huge}","type":"Big"}}}}}}}}"#
    );
    let e = parse(500, &body);
    assert!(e.message.len() < ServiceError::MAX_MESSAGE_BYTES + 64);
    assert!(e.message.ends_with(&format!(
        "… [{} more bytes cut]",
        huge.len() - ServiceError::MAX_MESSAGE_BYTES
    )));
    let inner = e.innermost_cause().unwrap();
    assert!(inner.truncated);
    assert!(inner.message.len() < ServiceError::MAX_MESSAGE_BYTES + 64);
    let shown = e.to_string();
    assert!(
        shown.len() < 4 * ServiceError::MAX_DISPLAY_BYTES,
        "{}",
        shown.len()
    );
    assert!(shown.contains(" more bytes]"), "visible marker");
    assert!(format!("{e:?}").len() < 3 * ServiceError::MAX_MESSAGE_BYTES);
}

#[test]
fn cuts_at_a_character_boundary() {
    let (text, cut) = cap_text("ääää".to_owned(), 3);
    assert!(cut);
    assert_eq!(text, "ä… [6 more bytes cut]");
    assert_eq!(
        Clipped(&"é".repeat(2000)).to_string().len(),
        1024 + " … [2976 more bytes]".len() - 1
    );
}

#[test]
fn innererror_as_plain_text_is_one_cause() {
    let e = parse(
        500,
        r#"{"error":{"code":"","message":"m","innererror":"Infolog: Error: plain."}}"#,
    );
    assert_eq!(e.causes().len(), 1);
    assert_eq!(e.inner_message.as_deref(), Some("Infolog: Error: plain."));
    assert_eq!(e.infolog(), ["Error: plain."]);
}

#[test]
fn keeps_target_and_details_of_standard_odata_error() {
    let body = r#"{"error":{"code":"400","message":"Bad filter","target":"$filter","details":[{"code":"x","message":"near col 5"}]}}"#;
    let e = ServiceError::from_response(400, "GET", "u", None, body.as_bytes());
    assert_eq!(e.code, "400");
    assert_eq!(e.target.as_deref(), Some("$filter"));
    assert_eq!(e.details.len(), 1);
    assert_eq!(e.details[0].message, "near col 5");
    assert!(e.infolog().is_empty());
    assert!(e.causes().is_empty());
}

#[test]
fn html_error_page_becomes_a_short_message() {
    let page = format!(
        "<html>\n<body>  <h1>502 Bad Gateway</h1>{}</body></html>",
        "x".repeat(2000)
    );
    let e = ServiceError::from_response(502, "GET", "u", None, page.as_bytes());
    assert!(
        e.message
            .starts_with("<html> <body> <h1>502 Bad Gateway</h1>")
    );
    assert_eq!(e.message.chars().count(), MAX_BODY_EXCERPT + 1);
}
