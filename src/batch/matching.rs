//! Matching the parts of a `$batch` response to the units that were sent: one top-level part per
//! unit, in order. A change set is answered in one of three shapes:
//!
//! - a nested `multipart/mixed` with one response per request (it succeeded), matched by
//!   `Content-ID`, or by position when the service sent none;
//! - a nested `multipart/mixed` holding **only the failing request's response** (F&O): that
//!   request gets it, every other request of the change set was rolled back;
//! - one `application/http` error response in place of the change set (OData spec, SAP CAP):
//!   the request its `Content-ID` names gets it, the others were rolled back.
//!
//! What cannot be tied to a request (an unknown or repeated `Content-ID`, a part without one
//! where the position does not tell, more parts than requests) makes every request of that unit
//! a [`BatchError::MalformedResponse`]: it may have been applied, and it is never sent again.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use super::error::BatchError;
use super::operation::{Operation, Unit};
use super::parse::{ParseFailure, ParsedBatch, Part, PartResponse};
use super::results::Outcome;
use crate::service_error::ServiceError;
use crate::transport::retry_after;

/// How a unit fared, as far as what to do next is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitClass {
    /// Every operation was answered 2xx.
    Succeeded,
    /// It failed for good (an error status other than 429); nothing of it was applied.
    Failed,
    /// The service answered 429 and applied nothing; it may be sent again after the wait.
    Throttled(Option<Duration>),
    /// The service stopped before it (an earlier failure, no continue-on-error); nothing of it
    /// was applied.
    NotRun,
    /// No answer proves what happened (a missing or malformed part): it may have been applied,
    /// so it is never sent again.
    Unknown,
}

/// The outcome of one unit: its class and each operation's outcome by slot.
#[derive(Debug, Clone)]
pub(crate) struct UnitOutcome {
    pub(crate) class: UnitClass,
    pub(crate) outcomes: Vec<(usize, Outcome)>,
    /// Headers of the 429 answer, when the unit was throttled (for the client's throttle gate).
    pub(crate) throttling: Option<HeaderMap>,
}

impl UnitOutcome {
    fn new(class: UnitClass, outcomes: Vec<(usize, Outcome)>) -> Self {
        UnitOutcome {
            class,
            outcomes,
            throttling: None,
        }
    }
}

/// Matches the parts of `batch` to `units`. With `continue_on_error`, the service goes on after
/// a failure, so a unit without a part is never taken as not run.
///
/// # Errors
/// A [`ParseFailure`] when the response does not have the shape of the request at all: a
/// change-set response for a lone request, or more top-level parts than units.
pub(crate) fn match_parts(
    ops: &[Operation],
    units: &[&Unit],
    batch: ParsedBatch,
    continue_on_error: bool,
    batch_url: &str,
) -> Result<Vec<UnitOutcome>, ParseFailure> {
    let ParsedBatch { parts, end } = batch;
    if parts.len() > units.len() {
        return Err(ParseFailure {
            offset: parts[units.len()].offset(),
            message: format!(
                "the response has {} parts for {} requests",
                parts.len(),
                units.len()
            ),
        });
    }
    let mut result: Vec<UnitOutcome> = Vec::with_capacity(units.len());
    let mut parts = parts.into_iter();
    for unit in units {
        let Some(part) = parts.next() else {
            // Without continue-on-error the service stops at the first failure: the units after
            // a failed, throttled or unrun one were not run. Otherwise nothing proves it.
            let stopped = !continue_on_error
                && result.last().is_some_and(|u| {
                    matches!(
                        u.class,
                        UnitClass::Failed | UnitClass::Throttled(_) | UnitClass::NotRun
                    )
                });
            result.push(if stopped {
                not_run(ops, unit)
            } else {
                missing(ops, unit, end)
            });
            continue;
        };
        let outcome = match (unit, part) {
            (Unit::Single(slot), Part::Response(r)) => single(ops, *slot, r),
            (Unit::Single(slot), Part::ChangeSet { offset, .. }) => {
                return Err(ParseFailure {
                    offset,
                    message: format!(
                        "expected the response to {}, found a change-set response",
                        ops[*slot].describe()
                    ),
                });
            }
            (Unit::ChangeSet(slots), Part::ChangeSet { responses, end, .. }) => {
                change_set_nested(ops, slots, responses, end, batch_url)
            }
            (Unit::ChangeSet(slots), Part::Response(r)) => {
                change_set_single(ops, slots, r, batch_url)
            }
        };
        result.push(outcome);
    }
    Ok(result)
}

/// A request outside change sets, answered by its own part.
fn single(ops: &[Operation], slot: usize, response: PartResponse) -> UnitOutcome {
    if let Some(id) = response.content_id.as_deref()
        && id != ops[slot].content_id
    {
        let problem = format!(
            "the part has Content-ID {id:?}, but answers the place of Content-ID {}",
            ops[slot].content_id
        );
        return malformed(ops, &[slot], response.offset, &problem);
    }
    let class = if response.status.is_success() {
        UnitClass::Succeeded
    } else if response.status.as_u16() == 429 {
        UnitClass::Throttled(retry_after(&response.headers, SystemTime::now()))
    } else {
        UnitClass::Failed
    };
    let throttling = matches!(class, UnitClass::Throttled(_)).then(|| response.headers.clone());
    UnitOutcome {
        class,
        outcomes: vec![(slot, Outcome::Answered(response))],
        throttling,
    }
}

fn not_run(ops: &[Operation], unit: &Unit) -> UnitOutcome {
    let outcomes = unit
        .slots()
        .iter()
        .map(|&s| {
            let error = BatchError::NotExecuted {
                operation: ops[s].describe(),
                reason: "the service stopped at an earlier failure".to_owned(),
            };
            (s, Outcome::Failed(error))
        })
        .collect();
    UnitOutcome::new(UnitClass::NotRun, outcomes)
}

fn missing(ops: &[Operation], unit: &Unit, offset: usize) -> UnitOutcome {
    let outcomes = unit
        .slots()
        .iter()
        .map(|&s| {
            let error = BatchError::MissingResponse {
                operation: ops[s].describe(),
                offset,
            };
            (s, Outcome::Failed(error))
        })
        .collect();
    UnitOutcome::new(UnitClass::Unknown, outcomes)
}

fn malformed(ops: &[Operation], slots: &[usize], offset: usize, problem: &str) -> UnitOutcome {
    let outcomes = slots
        .iter()
        .map(|&s| {
            let error = BatchError::MalformedResponse {
                operation: ops[s].describe(),
                offset,
                problem: problem.to_owned(),
            };
            (s, Outcome::Failed(error))
        })
        .collect();
    UnitOutcome::new(UnitClass::Unknown, outcomes)
}

/// `1, 2, 3`: the Content-IDs of a change set, for messages.
fn id_list(ops: &[Operation], slots: &[usize]) -> String {
    slots
        .iter()
        .map(|&s| ops[s].content_id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The service error of `response`, for the operations rolled back because of it.
fn cause_of(
    ops: &[Operation],
    culprit: Option<usize>,
    response: &PartResponse,
    batch_url: &str,
) -> Box<ServiceError> {
    let (method, url) = match culprit {
        Some(s) => (ops[s].method().as_str().to_owned(), ops[s].url.to_string()),
        None => ("POST".to_owned(), batch_url.to_owned()),
    };
    let activity_id = crate::service_error::ACTIVITY_ID_HEADERS
        .iter()
        .find_map(|name| response.headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Box::new(ServiceError::from_response(
        response.status.as_u16(),
        &method,
        &url,
        activity_id,
        &response.body,
    ))
}

/// The class of a failed change set: throttled when every answer it got is a 429 (the service
/// applied nothing and says so), failed otherwise.
fn failed_class<'a>(answers: impl Iterator<Item = &'a PartResponse> + Clone) -> UnitClass {
    if answers.clone().all(|r| r.status.as_u16() == 429) {
        UnitClass::Throttled(
            answers
                .filter_map(|r| retry_after(&r.headers, SystemTime::now()))
                .max(),
        )
    } else {
        UnitClass::Failed
    }
}

/// A change set answered with a nested multipart: a response for each request, or only the
/// failing request's response (F&O).
fn change_set_nested(
    ops: &[Operation],
    slots: &[usize],
    responses: Vec<PartResponse>,
    end: usize,
    batch_url: &str,
) -> UnitOutcome {
    if responses.len() > slots.len() {
        let problem = format!(
            "the change set's {} operations (Content-IDs {}) got {} parts",
            slots.len(),
            id_list(ops, slots),
            responses.len()
        );
        return malformed(ops, slots, responses[slots.len()].offset, &problem);
    }
    let total = responses.len();
    let mut assigned: Vec<Option<PartResponse>> = vec![None; slots.len()];
    let mut anonymous: Vec<PartResponse> = Vec::new();
    for response in responses {
        let Some(id) = response.content_id.as_deref() else {
            anonymous.push(response);
            continue;
        };
        let Some(i) = slots.iter().position(|&s| ops[s].content_id == id) else {
            let problem = format!(
                "a part has Content-ID {id:?}, which names no operation of the change set \
                 (Content-IDs {})",
                id_list(ops, slots)
            );
            return malformed(ops, slots, response.offset, &problem);
        };
        if let Some(first) = &assigned[i] {
            let problem = format!(
                "Content-ID {id} is answered twice (its first part is at byte {})",
                first.offset
            );
            return malformed(ops, slots, response.offset, &problem);
        }
        assigned[i] = Some(response);
    }
    if !anonymous.is_empty() {
        if total == slots.len() {
            // Every request has a part: those without Content-ID take the free places in order.
            let free: Vec<usize> = (0..slots.len())
                .filter(|&i| assigned[i].is_none())
                .collect();
            for (i, response) in free.into_iter().zip(anonymous) {
                assigned[i] = Some(response);
            }
        } else if total == 1 && anonymous[0].status.as_u16() == 429 {
            // One 429 for the whole change set: the service applied none of it.
            return answered_whole(slots, &anonymous[0]);
        } else {
            let first = &anonymous[0];
            let problem = format!(
                "a {} part has no Content-ID, and with {total} parts for the change set's {} \
                 operations its position does not tell which one it answers",
                first.status.as_u16(),
                slots.len()
            );
            return malformed(ops, slots, first.offset, &problem);
        }
    }
    resolve(ops, slots, assigned, end, batch_url)
}

/// Every operation of a change set gets the one error answer that failed the whole of it.
fn answered_whole(slots: &[usize], response: &PartResponse) -> UnitOutcome {
    let class = failed_class(std::iter::once(response));
    UnitOutcome {
        class,
        outcomes: slots
            .iter()
            .map(|&s| (s, Outcome::Answered(response.clone())))
            .collect(),
        throttling: matches!(class, UnitClass::Throttled(_)).then(|| response.headers.clone()),
    }
}

/// The outcome of a change set once its parts are tied to its requests (`assigned`, by place).
/// A change set is atomic: when one request failed, every request answered 2xx or not answered
/// at all was rolled back with it.
fn resolve(
    ops: &[Operation],
    slots: &[usize],
    assigned: Vec<Option<PartResponse>>,
    end: usize,
    batch_url: &str,
) -> UnitOutcome {
    let failure = assigned.iter().enumerate().find_map(|(i, r)| {
        r.as_ref()
            .filter(|r| !r.status.is_success())
            .map(|r| (i, r))
    });
    let Some((culprit, failure)) = failure else {
        let complete = assigned.iter().all(Option::is_some);
        let outcomes = slots
            .iter()
            .zip(assigned)
            .map(|(&s, r)| {
                let outcome = match r {
                    Some(r) => Outcome::Answered(r),
                    None => Outcome::Failed(BatchError::MissingResponse {
                        operation: ops[s].describe(),
                        offset: end,
                    }),
                };
                (s, outcome)
            })
            .collect();
        let class = if complete {
            UnitClass::Succeeded
        } else {
            UnitClass::Unknown
        };
        return UnitOutcome::new(class, outcomes);
    };
    let cause = cause_of(ops, Some(slots[culprit]), failure, batch_url);
    let class = failed_class(assigned.iter().flatten());
    let throttling = matches!(class, UnitClass::Throttled(_)).then(|| failure.headers.clone());
    let outcomes = slots
        .iter()
        .zip(assigned)
        .map(|(&s, r)| {
            let outcome = match r {
                Some(r) if !r.status.is_success() => Outcome::Answered(r),
                _ => Outcome::Failed(BatchError::RolledBack {
                    operation: ops[s].describe(),
                    cause: cause.clone(),
                }),
            };
            (s, outcome)
        })
        .collect();
    UnitOutcome {
        class,
        outcomes,
        throttling,
    }
}

/// A change set answered with one `application/http` part in its place (OData spec form of a
/// failed change set; tolerated as a success for a change set of one request).
fn change_set_single(
    ops: &[Operation],
    slots: &[usize],
    response: PartResponse,
    batch_url: &str,
) -> UnitOutcome {
    let culprit = match response.content_id.as_deref() {
        None => None,
        Some(id) => match slots.iter().position(|&s| ops[s].content_id == id) {
            Some(i) => Some(i),
            None => {
                let problem = format!(
                    "the change set is answered by a single {} part with Content-ID {id:?}, \
                     which names none of its operations (Content-IDs {})",
                    response.status.as_u16(),
                    id_list(ops, slots)
                );
                return malformed(ops, slots, response.offset, &problem);
            }
        },
    };
    if response.status.is_success() {
        if let [slot] = slots {
            return UnitOutcome::new(
                UnitClass::Succeeded,
                vec![(*slot, Outcome::Answered(response))],
            );
        }
        let problem = format!(
            "a single {} part answers the whole change set of {} operations",
            response.status.as_u16(),
            slots.len()
        );
        return malformed(ops, slots, response.offset, &problem);
    }
    let Some(culprit) = culprit else {
        // The change set failed as a whole, and nothing says because of which request: each
        // gets the failure.
        return answered_whole(slots, &response);
    };
    let cause = cause_of(ops, Some(slots[culprit]), &response, batch_url);
    let class = failed_class(std::iter::once(&response));
    let throttling = matches!(class, UnitClass::Throttled(_)).then(|| response.headers.clone());
    let outcomes = slots
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let outcome = if i == culprit {
                Outcome::Answered(response.clone())
            } else {
                Outcome::Failed(BatchError::RolledBack {
                    operation: ops[s].describe(),
                    cause: cause.clone(),
                })
            };
            (s, outcome)
        })
        .collect();
    UnitOutcome {
        class,
        outcomes,
        throttling,
    }
}

#[cfg(test)]
mod tests {
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
        let at = text.find("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 9").unwrap();
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
        let Outcome::Failed(BatchError::MissingResponse { offset, .. }) =
            &outcomes[1].outcomes[0].1
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
}
