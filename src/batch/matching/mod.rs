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

use super::operation::{Operation, Unit};
use super::parse::{ParseFailure, ParsedBatch, Part, PartResponse};
use super::results::Outcome;
use crate::error::BatchError;
use crate::error::service::ServiceError;
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
    let activity_id = crate::error::service::ACTIVITY_ID_HEADERS
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
mod tests;
