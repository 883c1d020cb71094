//! Matching against captured and hand-made `$batch` answers: every answer shape of a change
//! set, Content-ID problems, and mangled answers that must never panic.

use bytes::Bytes;
use reqwest::Method;

use super::super::parse::parse_batch;
use super::*;

fn op(slot: usize, method: Method, target: &str) -> Operation {
    Operation::test(slot, method, target, None)
}

fn read(slot: usize) -> Operation {
    op(slot, Method::GET, "CustomerGroups")
}

/// A read, then a change set of a header and two lines (Content-IDs 2, 3, 4).
fn order_ops() -> (Vec<Operation>, Vec<Unit>) {
    let ops = vec![
        read(0),
        op(1, Method::POST, "SalesOrderHeadersV2"),
        op(2, Method::POST, "SalesOrderLines"),
        op(3, Method::POST, "SalesOrderLines"),
    ];
    (ops, vec![Unit::Single(0), Unit::ChangeSet(vec![1, 2, 3])])
}

const BATCH: &str = "batchresponse_7a1e5b0c-3f2d-4e8a-9b61-2c4d8f0e9a17";
const CHANGE_SET: &str = "changesetresponse_0d9c3b2a-61f4-4c7e-8e25-b3a9f1d04c68";
const JSON: &str = "application/json; odata.metadata=minimal; charset=utf-8";
const WRITE_ERROR: &str = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'SalesOrderLineV2Entity'. Infolog: Info: Cannot create a record in Order lines (SalesLine). LOT-1, usmf: The record already exists..","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","stacktrace":"   at Microsoft.Dynamics.Platform.Integration.Services.OData.Update.UpdateProcessor.CreateEntity_Save()"}}}"#;

/// One embedded response: `Content-ID` header when given, status line, JSON body.
fn part(content_id: Option<&str>, status: &str, extra: &str, body: &str) -> String {
    let id = content_id.map_or(String::new(), |id| format!("Content-ID: {id}\r\n"));
    format!(
        "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n{id}\r\n\
         HTTP/1.1 {status}\r\n{extra}Content-Type: {JSON}\r\nOData-Version: 4.0\r\n\r\n{body}\r\n"
    )
}

/// A nested change-set response holding `parts`.
fn change_set(parts: &[String]) -> String {
    let mut out = format!("Content-Type: multipart/mixed; boundary={CHANGE_SET}\r\n\r\n");
    for p in parts {
        out.push_str(&format!("--{CHANGE_SET}\r\n{p}"));
    }
    out.push_str(&format!("--{CHANGE_SET}--\r\n"));
    out
}

/// The outer response holding `parts`.
fn batch(parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(&format!("--{BATCH}\r\n{p}"));
    }
    out.push_str(&format!("--{BATCH}--\r\n"));
    out
}

fn read_ok() -> String {
    part(
        Some("1"),
        "200 OK",
        "",
        r#"{"@odata.context":"https://fno.example/data/$metadata#CustomerGroups","value":[]}"#,
    )
}

fn matched(
    ops: &[Operation],
    units: &[Unit],
    text: &str,
    continue_on_error: bool,
) -> Result<Vec<UnitOutcome>, ParseFailure> {
    let units: Vec<&Unit> = units.iter().collect();
    let body = Bytes::copy_from_slice(text.as_bytes());
    let parsed = parse_batch(&format!("multipart/mixed; boundary={BATCH}"), &body).unwrap();
    match_parts(
        ops,
        &units,
        parsed,
        continue_on_error,
        "https://fno.example/data/$batch",
    )
}

fn error_of(outcome: &Outcome) -> &BatchError {
    match outcome {
        Outcome::Failed(e) => e,
        other => panic!("expected a batch error, found {other:?}"),
    }
}

fn status_of(outcome: &Outcome) -> u16 {
    match outcome {
        Outcome::Answered(r) => r.status.as_u16(),
        other => panic!("expected an answer, found {other:?}"),
    }
}

#[test]
fn fno_failed_change_set_gives_the_failing_line_its_error_and_rolls_back_the_rest() {
    let (ops, units) = order_ops();
    let text = batch(&[
        read_ok(),
        change_set(&[part(
            Some("3"),
            "500 Internal Server Error",
            "",
            WRITE_ERROR,
        )]),
    ]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    assert_eq!(outcomes[0].class, UnitClass::Succeeded);
    let set = &outcomes[1];
    assert_eq!(set.class, UnitClass::Failed);
    assert!(set.throttling.is_none());
    assert_eq!(
        set.outcomes.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(status_of(&set.outcomes[1].1), 500);
    for i in [0, 2] {
        let error = error_of(&set.outcomes[i].1);
        let BatchError::RolledBack { operation, cause } = error else {
            panic!("expected RolledBack, found {error}")
        };
        assert!(
            operation.starts_with("POST https://fno.example/data/"),
            "{operation}"
        );
        assert_eq!(cause.status, 500);
        assert!(
            cause
                .infolog()
                .join(" ")
                .contains("The record already exists"),
            "{cause:?}"
        );
        assert!(!error.may_have_been_applied());
    }
}

#[test]
fn spec_form_single_error_part_rolls_back_the_rest() {
    let (ops, units) = order_ops();
    let text = batch(&[read_ok(), part(Some("2"), "409 Conflict", "", WRITE_ERROR)]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    let set = &outcomes[1];
    assert_eq!(set.class, UnitClass::Failed);
    assert_eq!(status_of(&set.outcomes[0].1), 409);
    for i in [1, 2] {
        assert!(matches!(
            error_of(&set.outcomes[i].1),
            BatchError::RolledBack { .. }
        ));
    }
}

#[test]
fn a_2xx_answer_inside_a_failed_change_set_was_rolled_back() {
    let (ops, units) = order_ops();
    let text = batch(&[
        read_ok(),
        change_set(&[
            part(Some("2"), "201 Created", "", "{}"),
            part(Some("4"), "500 Internal Server Error", "", WRITE_ERROR),
        ]),
    ]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    let set = &outcomes[1];
    assert_eq!(set.class, UnitClass::Failed);
    assert!(matches!(
        error_of(&set.outcomes[0].1),
        BatchError::RolledBack { .. }
    ));
    assert!(matches!(
        error_of(&set.outcomes[1].1),
        BatchError::RolledBack { .. }
    ));
    assert_eq!(status_of(&set.outcomes[2].1), 500);
}

fn assert_malformed(outcome: &UnitOutcome, offset: usize, words: &str) {
    assert_eq!(outcome.class, UnitClass::Unknown);
    for (_, o) in &outcome.outcomes {
        let error = error_of(o);
        let BatchError::MalformedResponse {
            offset: at,
            problem,
            ..
        } = error
        else {
            panic!("expected MalformedResponse, found {error}")
        };
        assert_eq!(*at, offset, "{error}");
        assert!(problem.contains(words), "{problem}");
        assert!(error.may_have_been_applied());
        assert!(
            error.to_string().contains("may have been applied"),
            "{error}"
        );
    }
}

#[test]
fn a_nested_part_with_an_unknown_content_id_is_malformed_at_its_offset() {
    let (ops, units) = order_ops();
    let text = batch(&[
        read_ok(),
        change_set(&[part(
            Some("9"),
            "500 Internal Server Error",
            "",
            WRITE_ERROR,
        )]),
    ]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    let at = text
        .find(
            "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 9",
        )
        .unwrap();
    assert_malformed(&outcomes[1], at, "\"9\", which names no operation");
    assert_eq!(
        outcomes[0].class,
        UnitClass::Succeeded,
        "the read keeps its answer"
    );
}

#[test]
fn duplicated_content_ids_are_malformed() {
    let (ops, units) = order_ops();
    let dup = part(Some("3"), "500 Internal Server Error", "", WRITE_ERROR);
    let text = batch(&[read_ok(), change_set(&[dup.clone(), dup])]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    let second = text
        .rfind(&format!("--{CHANGE_SET}\r\nContent-Type: application/http"))
        .unwrap()
        + CHANGE_SET.len()
        + 4;
    assert_malformed(&outcomes[1], second, "answered twice");
}

#[test]
fn a_nested_error_part_without_content_id_is_malformed() {
    let (ops, units) = order_ops();
    let text = batch(&[
        read_ok(),
        change_set(&[part(None, "500 Internal Server Error", "", WRITE_ERROR)]),
    ]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    let at = text.find(&format!("--{CHANGE_SET}\r\n")).unwrap() + CHANGE_SET.len() + 4;
    assert_malformed(&outcomes[1], at, "no Content-ID");
}

#[test]
fn more_nested_parts_than_requests_are_malformed() {
    let (ops, units) = order_ops();
    let ok = |id: &str| part(Some(id), "201 Created", "", "{}");
    let text = batch(&[read_ok(), change_set(&[ok("2"), ok("3"), ok("4"), ok("5")])]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    let at = text.find("Content-ID: 5").unwrap()
        - "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n".len();
    assert_malformed(&outcomes[1], at, "got 4 parts");
}

#[test]
fn a_single_success_part_for_a_change_set_of_several_is_malformed() {
    let (ops, units) = order_ops();
    let text = batch(&[read_ok(), part(None, "200 OK", "", "{}")]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    assert_eq!(outcomes[1].class, UnitClass::Unknown);
}

#[test]
fn all_parts_without_content_id_match_by_position() {
    let (ops, units) = order_ops();
    let text = batch(&[
        read_ok(),
        change_set(&[
            part(None, "201 Created", "", r#"{"n":1}"#),
            part(None, "201 Created", "", r#"{"n":2}"#),
            part(None, "201 Created", "", r#"{"n":3}"#),
        ]),
    ]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    assert_eq!(outcomes[1].class, UnitClass::Succeeded);
    for (i, (_, o)) in outcomes[1].outcomes.iter().enumerate() {
        let Outcome::Answered(r) = o else { panic!() };
        assert_eq!(&r.body[..], format!(r#"{{"n":{}}}"#, i + 1).as_bytes());
    }
}

#[test]
fn a_lone_429_without_content_id_throttles_the_whole_change_set() {
    let (ops, units) = order_ops();
    let throttled = part(None, "429 Too Many Requests", "Retry-After: 4\r\n", "{}");
    for answer in [
        change_set(std::slice::from_ref(&throttled)),
        throttled.clone(),
    ] {
        let text = batch(&[read_ok(), answer]);
        let outcomes = matched(&ops, &units, &text, false).unwrap();
        let set = &outcomes[1];
        assert_eq!(
            set.class,
            UnitClass::Throttled(Some(Duration::from_secs(4)))
        );
        assert!(set.throttling.is_some());
        for (_, o) in &set.outcomes {
            assert_eq!(status_of(o), 429);
        }
    }
}

#[test]
fn a_missing_unit_after_a_failure_is_not_run_only_without_continue_on_error() {
    let ops = vec![read(0), op(1, Method::POST, "SalesOrderHeadersV2")];
    let units = vec![Unit::Single(0), Unit::ChangeSet(vec![1])];
    let text = batch(&[part(
        Some("1"),
        "429 Too Many Requests",
        "Retry-After: 2\r\n",
        "{}",
    )]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    assert_eq!(outcomes[1].class, UnitClass::NotRun);

    let outcomes = matched(&ops, &units, &text, true).unwrap();
    assert_eq!(outcomes[1].class, UnitClass::Unknown);
    let error = error_of(&outcomes[1].outcomes[0].1);
    let BatchError::MissingResponse { offset, .. } = error else {
        panic!("{error}")
    };
    assert_eq!(*offset, text.find(&format!("\r\n--{BATCH}--")).unwrap());
    assert!(error.may_have_been_applied());
}

#[test]
fn a_part_answering_another_request_is_malformed() {
    let ops = vec![read(0)];
    let units = vec![Unit::Single(0)];
    let text = batch(&[part(Some("7"), "200 OK", "", "{}")]);
    let outcomes = matched(&ops, &units, &text, false).unwrap();
    assert_eq!(outcomes[0].class, UnitClass::Unknown);
}

const ONE_OK: &str = "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{\"value\":[]}\r\n--b--\r\n";

#[test]
fn fewer_parts_than_requests_after_a_success_is_missing_at_the_closing_delimiter() {
    let ops = vec![read(0), read(1)];
    let units = [Unit::Single(0), Unit::Single(1)];
    let units: Vec<&Unit> = units.iter().collect();
    let body = Bytes::from_static(ONE_OK.as_bytes());
    let parsed = parse_batch("multipart/mixed; boundary=b", &body).unwrap();
    let outcomes = match_parts(&ops, &units, parsed, false, "u").unwrap();
    assert_eq!(outcomes[0].class, UnitClass::Succeeded);
    assert_eq!(outcomes[1].class, UnitClass::Unknown);
    let Outcome::Failed(BatchError::MissingResponse { offset, .. }) = &outcomes[1].outcomes[0].1
    else {
        panic!("{:?}", outcomes[1])
    };
    assert_eq!(*offset, ONE_OK.find("\r\n--b--").unwrap());
}

#[test]
fn more_parts_than_requests_is_a_multipart_error_at_the_extra_part() {
    let ops = vec![read(0)];
    let units = [Unit::Single(0)];
    let units: Vec<&Unit> = units.iter().collect();
    let text = ONE_OK.replace(
        "--b--",
        "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n\r\n--b--",
    );
    let body = Bytes::from(text.clone());
    let parsed = parse_batch("multipart/mixed; boundary=b", &body).unwrap();
    let e = match_parts(&ops, &units, parsed, false, "u").unwrap_err();
    assert_eq!(e.offset, text.rfind("--b\r\nContent-Type").unwrap() + 5);
    assert!(
        e.message.contains("2 parts for 1 requests"),
        "{}",
        e.message
    );
    let error = e.into_error("https://fno.example/data/$batch");
    assert!(matches!(error, crate::Error::Multipart { .. }), "{error}");
}

/// Deterministic xorshift, so a failure reproduces.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn shuffled_and_mangled_content_ids_never_panic_and_keep_every_operation() {
    let (ops, units) = order_ops();
    let ids = ["1", "2", "3", "4", "5", "", "x"];
    let statuses = [
        "201 Created",
        "500 Internal Server Error",
        "429 Too Many Requests",
    ];
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    for _ in 0..2_000 {
        let n = (next(&mut seed) % 5) as usize + 1;
        let parts: Vec<String> = (0..n)
            .map(|_| {
                let id = ids[(next(&mut seed) as usize) % ids.len()];
                let status = statuses[(next(&mut seed) as usize) % statuses.len()];
                part((!id.is_empty()).then_some(id), status, "", "{}")
            })
            .collect();
        let text = batch(&[read_ok(), change_set(&parts)]);
        let outcomes = matched(&ops, &units, &text, next(&mut seed).is_multiple_of(2)).unwrap();
        assert_eq!(outcomes.len(), 2);
        assert_eq!(
            outcomes[1].outcomes.len(),
            3,
            "every operation has an outcome"
        );
    }
}
