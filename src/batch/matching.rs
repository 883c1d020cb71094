//! Matching the parts of a `$batch` response to the units that were sent: one top-level part per
//! unit, in order; a change set answered either by a nested multipart (it succeeded) or by one
//! error response (it failed and was rolled back as a whole).

use std::time::{Duration, SystemTime};

use super::error::BatchError;
use super::operation::{Operation, Unit};
use super::parse::{ParseFailure, Part, PartResponse};
use super::results::Outcome;
use crate::service_error::ServiceError;
use crate::transport::retry_after;

/// How a unit fared, as far as what to do next is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitClass {
    /// Every operation was answered 2xx.
    Succeeded,
    /// It failed for good (an error status other than 429, or a malformed answer).
    Failed,
    /// The service answered 429 and applied nothing; it may be sent again after the wait.
    Throttled(Option<Duration>),
    /// The service stopped before it (an earlier failure); nothing of it was applied.
    NotRun,
}

/// The outcome of one unit: its class and each operation's outcome by slot.
#[derive(Debug, Clone)]
pub(crate) struct UnitOutcome {
    pub(crate) class: UnitClass,
    pub(crate) outcomes: Vec<(usize, Outcome)>,
}

/// Matches `parts` to `units`.
///
/// # Errors
/// A [`ParseFailure`] when the response does not have the shape of the request: a change-set
/// response for a lone request, or more parts than units.
pub(crate) fn match_parts(
    ops: &[Operation],
    units: &[&Unit],
    parts: Vec<Part>,
    body_len: usize,
    batch_url: &str,
) -> Result<Vec<UnitOutcome>, ParseFailure> {
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
    let mut result = Vec::with_capacity(units.len());
    let mut parts = parts.into_iter();
    for unit in units {
        let Some(part) = parts.next() else {
            let stopped = result.last().is_some_and(|u: &UnitOutcome| {
                matches!(
                    u.class,
                    UnitClass::Failed | UnitClass::Throttled(_) | UnitClass::NotRun
                )
            });
            result.push(if stopped {
                not_run(ops, unit)
            } else {
                missing(ops, unit, body_len)
            });
            continue;
        };
        let outcome = match (unit, part) {
            (Unit::Single(slot), Part::Response(r)) => UnitOutcome {
                class: classify(std::slice::from_ref(&r)),
                outcomes: vec![(*slot, Outcome::Answered(r))],
            },
            (Unit::Single(slot), Part::ChangeSet { offset, .. }) => {
                return Err(ParseFailure {
                    offset,
                    message: format!(
                        "expected the response to {}, found a change-set response",
                        ops[*slot].describe()
                    ),
                });
            }
            (Unit::ChangeSet(slots), Part::ChangeSet { responses, offset }) => {
                change_set_answered(ops, slots, responses, offset)?
            }
            (Unit::ChangeSet(slots), Part::Response(r)) => {
                change_set_failed(ops, slots, r, batch_url)
            }
        };
        result.push(outcome);
    }
    Ok(result)
}

fn classify(responses: &[PartResponse]) -> UnitClass {
    if responses.iter().all(|r| r.status.is_success()) {
        return UnitClass::Succeeded;
    }
    let any_success = responses.iter().any(|r| r.status.is_success());
    let throttled: Vec<&PartResponse> = responses
        .iter()
        .filter(|r| r.status.as_u16() == 429)
        .collect();
    if !any_success && !throttled.is_empty() {
        let wait = throttled
            .iter()
            .filter_map(|r| retry_after(&r.headers, SystemTime::now()))
            .max();
        return UnitClass::Throttled(wait);
    }
    UnitClass::Failed
}

fn not_run(ops: &[Operation], unit: &Unit) -> UnitOutcome {
    UnitOutcome {
        class: UnitClass::NotRun,
        outcomes: unit
            .slots()
            .iter()
            .map(|&s| {
                let error = BatchError::NotExecuted {
                    operation: ops[s].describe(),
                    reason: "the service stopped at an earlier failure".to_owned(),
                };
                (s, Outcome::Failed(error))
            })
            .collect(),
    }
}

fn missing(ops: &[Operation], unit: &Unit, offset: usize) -> UnitOutcome {
    UnitOutcome {
        class: UnitClass::Failed,
        outcomes: unit
            .slots()
            .iter()
            .map(|&s| {
                let error = BatchError::MissingResponse {
                    operation: ops[s].describe(),
                    offset,
                };
                (s, Outcome::Failed(error))
            })
            .collect(),
    }
}

/// A change set answered with a nested multipart: each response matched by `Content-ID`
/// (by position when the service sent none).
fn change_set_answered(
    ops: &[Operation],
    slots: &[usize],
    responses: Vec<PartResponse>,
    offset: usize,
) -> Result<UnitOutcome, ParseFailure> {
    if responses.len() > slots.len() {
        return Err(ParseFailure {
            offset,
            message: format!(
                "the change-set response has {} parts for {} requests",
                responses.len(),
                slots.len()
            ),
        });
    }
    let class = classify(&responses);
    let by_id = responses.iter().all(|r| r.content_id.is_some());
    let mut remaining: Vec<Option<PartResponse>> = responses.into_iter().map(Some).collect();
    let outcomes = slots
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let found = if by_id {
                remaining.iter_mut().find_map(|r| {
                    r.take_if(|r| r.content_id.as_deref() == Some(ops[s].content_id.as_str()))
                })
            } else {
                remaining.get_mut(i).and_then(Option::take)
            };
            let outcome = match found {
                Some(r) => Outcome::Answered(r),
                None => Outcome::Failed(BatchError::MissingResponse {
                    operation: ops[s].describe(),
                    offset,
                }),
            };
            (s, outcome)
        })
        .collect::<Vec<_>>();
    let class = if outcomes
        .iter()
        .any(|(_, o)| matches!(o, Outcome::Failed(_)))
    {
        UnitClass::Failed
    } else {
        class
    };
    Ok(UnitOutcome { class, outcomes })
}

/// A change set answered with one response: it failed as a whole. The operation named by the
/// response's `Content-ID` gets the response; the others were rolled back.
fn change_set_failed(
    ops: &[Operation],
    slots: &[usize],
    response: PartResponse,
    batch_url: &str,
) -> UnitOutcome {
    if response.status.is_success() && slots.len() == 1 {
        // A one-request change set answered without the nested multipart; tolerated.
        return UnitOutcome {
            class: UnitClass::Succeeded,
            outcomes: vec![(slots[0], Outcome::Answered(response))],
        };
    }
    let class = match classify(std::slice::from_ref(&response)) {
        UnitClass::Succeeded => UnitClass::Failed,
        other => other,
    };
    let culprit = slots
        .iter()
        .copied()
        .find(|&s| response.content_id.as_deref() == Some(ops[s].content_id.as_str()))
        .or_else(|| (slots.len() == 1).then_some(slots[0]));
    let (method, url) = match culprit {
        Some(s) => (ops[s].method.as_str().to_owned(), ops[s].url.to_string()),
        None => ("POST".to_owned(), batch_url.to_owned()),
    };
    let activity_id = crate::service_error::ACTIVITY_ID_HEADERS
        .iter()
        .find_map(|name| response.headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cause = Box::new(ServiceError::from_response(
        response.status.as_u16(),
        &method,
        &url,
        activity_id,
        &response.body,
    ));
    let outcomes = slots
        .iter()
        .map(|&s| {
            let outcome = if Some(s) == culprit {
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
    UnitOutcome { class, outcomes }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use reqwest::Method;
    use url::Url;

    use super::super::parse::parse_batch;
    use super::*;

    fn read(slot: usize) -> Operation {
        let url = Url::parse("https://fno.example/data/CustomerGroups").unwrap();
        Operation {
            method: Method::GET,
            target: "CustomerGroups".to_owned(),
            url,
            headers: Vec::new(),
            body: None,
            content_id: (slot + 1).to_string(),
        }
    }

    const ONE_OK: &str = "--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{\"value\":[]}\r\n--b--\r\n";

    #[test]
    fn fewer_parts_than_requests_after_a_success_is_missing_with_the_offset() {
        let ops = vec![read(0), read(1)];
        let units = [Unit::Single(0), Unit::Single(1)];
        let units: Vec<&Unit> = units.iter().collect();
        let body = Bytes::from_static(ONE_OK.as_bytes());
        let parts = parse_batch("multipart/mixed; boundary=b", &body).unwrap();
        let outcomes = match_parts(&ops, &units, parts, body.len(), "u").unwrap();
        assert_eq!(outcomes[0].class, UnitClass::Succeeded);
        assert_eq!(outcomes[1].class, UnitClass::Failed);
        let Outcome::Failed(BatchError::MissingResponse { offset, .. }) =
            &outcomes[1].outcomes[0].1
        else {
            panic!("{:?}", outcomes[1])
        };
        assert_eq!(*offset, ONE_OK.len());
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
        let parts = parse_batch("multipart/mixed; boundary=b", &body).unwrap();
        let e = match_parts(&ops, &units, parts, body.len(), "u").unwrap_err();
        assert_eq!(e.offset, text.rfind("--b\r\nContent-Type").unwrap() + 5);
        assert!(
            e.message.contains("2 parts for 1 requests"),
            "{}",
            e.message
        );
        let error = e.into_error("https://fno.example/data/$batch");
        assert!(matches!(error, crate::Error::Multipart { .. }), "{error}");
    }
}
