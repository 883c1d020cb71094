//! The retry loop: one request, attempted until it succeeds, fails for good, or the policy's
//! budget (attempts, total time) is spent, and the table ([`decide`]) that says which failures
//! are worth another attempt. Delays come from the policy's backoff or from the server's
//! `Retry-After`; throttling answers close the client's shared gate.
//!
//! The rules, as the [`RetryPolicy`](crate::policy::RetryPolicy) documentation states them for users:
//!
//! - A request that is not idempotent (a POST, a `$batch` with a change set) is sent again only
//!   when the server proved it did not process it (429, 503 with `Retry-After`) or when it never
//!   left ([`Cause::NotSent`]). Any other failure after it was sent ends the request with
//!   [`Error::MayHaveBeenApplied`].
//! - The time budget ([`RetryPolicy::max_elapsed`]) starts when the first attempt gets its place
//!   among the requests in flight and covers the waits at the gate, the backoff delays and every
//!   attempt in flight: each exchange is bounded by the time left.
//! - A throttling answer closes the gate for everyone only when the request that got it will
//!   wait and try again; a request that gives up instead leaves the gate as it is.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::time::Instant;
use tracing::Span;

use super::attempt::send_authorized;
use super::throttle::Closed;
use super::{Cause, Failure, Request, Response, Transport};
use crate::error::service::ServiceError;
use crate::error::{Error, Result};
use crate::policy::RetryPolicy;
use crate::policy::retry::BackoffDelays;

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Retry {
    /// How long to wait before the next attempt.
    pub(super) delay: Duration,
    /// Whether the wait applies to the whole client (throttling) rather than this request.
    pub(super) shared: bool,
}

/// Whether and after how long a request that failed with `cause` may be sent again. `None`: the
/// failure is final. Budgets are not checked here.
///
/// | cause | idempotent | not idempotent |
/// |---|---|---|
/// | 429 | `Retry-After`, shared | `Retry-After`, shared |
/// | 503 with `Retry-After` | `Retry-After`, shared | `Retry-After`, shared |
/// | not sent | backoff | backoff |
/// | 408, 500, 502, 504, 503 without `Retry-After` | `Retry-After` or backoff | final |
/// | interrupted after sending | backoff | final |
/// | anything else | final | final |
pub(super) fn decide(
    policy: &RetryPolicy,
    cause: Cause,
    idempotent: bool,
    delays: &mut BackoffDelays,
) -> Option<Retry> {
    let backoff = |delays: &mut BackoffDelays| Retry {
        delay: delays.next_delay(),
        shared: false,
    };
    match cause {
        // The server says it did not process the request: safe for any method.
        Cause::Status {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after,
        } => Some(Retry {
            delay: policy.throttle_wait(retry_after),
            shared: true,
        }),
        Cause::Status {
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: Some(retry_after),
        } => Some(Retry {
            delay: policy.throttle_wait(Some(retry_after)),
            shared: true,
        }),
        // The request never left.
        Cause::NotSent => Some(backoff(delays)),
        // Transient, but the request may have been processed: only when repeating is harmless.
        Cause::Status { retry_after, .. } if idempotent && cause.may_have_been_processed() => {
            Some(match retry_after {
                Some(wait) => Retry {
                    delay: policy.throttle_wait(Some(wait)),
                    shared: false,
                },
                None => backoff(delays),
            })
        }
        Cause::Interrupted if idempotent => Some(backoff(delays)),
        _ => None,
    }
}

/// The time budget of one request, from when its first attempt got a place in flight.
#[derive(Debug, Clone, Copy)]
struct Budget {
    began: Instant,
    /// `None`: further away than the clock can count (a budget of `Duration::MAX`).
    deadline: Option<Instant>,
}

impl Budget {
    fn starting_now(max_elapsed: Duration) -> Self {
        let began = Instant::now();
        Budget {
            began,
            deadline: began.checked_add(max_elapsed),
        }
    }

    /// Time left (`None`: unlimited).
    fn left(&self) -> Option<Duration> {
        self.deadline
            .map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }

    /// Whether `delay` from now still ends before the deadline, with time to send.
    fn fits(&self, delay: Duration) -> bool {
        self.left().is_none_or(|left| delay < left)
    }
}

/// Sends `request` until it succeeds, fails for good, or the retry budget is spent.
pub(super) async fn send_with_retries(
    transport: &Transport,
    request: &Request,
    request_id: &str,
) -> Result<Response> {
    let policy = &transport.retry;
    let span = Span::current();
    let called = Instant::now();
    let idempotent = request.is_idempotent();
    let mut delays = policy.backoff();
    let mut budget: Option<Budget> = None;
    let mut waited = Duration::ZERO;
    let mut attempt: u32 = 0;
    // An earlier attempt went out and came back without a definite answer.
    let mut interrupted_earlier = false;
    loop {
        attempt = attempt.saturating_add(1);
        let (outcome, budget) = {
            let _in_flight = transport.limits.acquire().await;
            let budget = *budget.get_or_insert_with(|| Budget::starting_now(policy.max_elapsed));
            if policy.is_enabled() {
                match transport.gate.wait_within(budget.left()).await {
                    Ok(at_gate) => waited = waited.saturating_add(at_gate),
                    Err(closed) => {
                        let waited = waited.saturating_add(closed.waited);
                        let attempts = attempt - 1;
                        tracing::warn!(
                            gate_ms = closed.remaining.as_millis() as u64,
                            budget_left_ms = closed.budget_left.as_millis() as u64,
                            "throttled: the client's pause outlasts this request's budget; giving up"
                        );
                        finish(&span, Some(429), attempts, called);
                        return Err(gate_closed_error(request, closed, attempts, waited));
                    }
                }
            }
            waited = waited.saturating_add(transport.limits.pace().await);
            let bound = budget
                .left()
                .map_or(transport.timeout, |left| left.min(transport.timeout));
            let sent = Instant::now();
            let outcome = if bound.is_zero() {
                // No time left to send in: the request does not leave.
                Err(Failure {
                    error: Error::Timeout {
                        method: request.method.to_string(),
                        url: crate::redact::url(&request.url).into_owned(),
                        after: bound,
                    },
                    cause: Cause::NotSent,
                })
            } else {
                send_authorized(transport, request, bound).await
            };
            tracing::debug!(
                attempt,
                status = outcome.as_ref().map_or_else(
                    |f| f.error.status().unwrap_or_default(),
                    |r| r.status.as_u16()
                ),
                elapsed_ms = sent.elapsed().as_millis() as u64,
                in_flight = transport.limits.in_flight(),
                "attempt finished"
            );
            (outcome, budget)
        };
        let Failure { error, cause } = match outcome {
            Ok(response) => {
                finish(&span, Some(response.status.as_u16()), attempt, called);
                return Ok(response);
            }
            Err(failure) => failure,
        };
        let retry = decide(policy, cause, idempotent, &mut delays);
        let spent = match retry {
            None => None,
            Some(_) if attempt >= policy.max_attempts => Some("attempts"),
            Some(retry) if !budget.fits(retry.delay) => Some("time"),
            Some(_) => None,
        };
        let Some(retry) = retry.filter(|_| spent.is_none()) else {
            if let Some(spent) = spent
                && policy.is_enabled()
            {
                tracing::warn!(
                    attempts = attempt,
                    elapsed_ms = budget.began.elapsed().as_millis() as u64,
                    spent,
                    error = %error,
                    "retry budget spent: giving up"
                );
            }
            finish(&span, error.status(), attempt, called);
            return Err(final_error(
                request,
                request_id,
                error,
                cause,
                idempotent,
                attempt,
                waited,
                interrupted_earlier,
            ));
        };
        interrupted_earlier |= cause.may_have_been_processed();
        if retry.shared {
            // Only a request that waits and tries again pauses the others (see the module docs).
            let asked = match cause {
                Cause::Status { retry_after, .. } => retry_after,
                _ => None,
            };
            transport.gate.close_for(retry.delay, asked);
            tracing::info!(
                wait_ms = retry.delay.as_millis() as u64,
                status = error.status(),
                "throttled: pausing every request of the client"
            );
        }
        tracing::info!(
            attempt,
            delay_ms = retry.delay.as_millis() as u64,
            reason = %error,
            "retrying"
        );
        if !retry.shared {
            tokio::time::sleep(retry.delay).await;
            waited = waited.saturating_add(retry.delay);
        }
        // A shared wait happens at the gate, before the next attempt.
    }
}

/// The error a request ends with: the last attempt's, with the attempts made, and said to be
/// possibly applied when it is.
#[allow(
    clippy::too_many_arguments,
    reason = "the loop's state, passed once at the end"
)]
fn final_error(
    request: &Request,
    request_id: &str,
    error: Error,
    cause: Cause,
    idempotent: bool,
    attempts: u32,
    waited: Duration,
    interrupted_earlier: bool,
) -> Error {
    let error = error.with_attempts(attempts, waited);
    if !idempotent && cause.may_have_been_processed() {
        return Error::MayHaveBeenApplied {
            method: request.method.to_string(),
            url: crate::redact::url(&request.url).into_owned(),
            request_id: request_id.to_owned(),
            attempts,
            source: Box::new(error),
        };
    }
    if interrupted_earlier && request.writes() {
        return error.after_interrupted_attempt();
    }
    error
}

/// The error of a request that the throttle gate would hold for longer than its budget.
fn gate_closed_error(request: &Request, closed: Closed, attempts: u32, waited: Duration) -> Error {
    let message = format!(
        "not sent: the client is paused by a throttling answer for another {:.1}s, longer than \
         the {:.1}s left of this request's retry budget",
        closed.remaining.as_secs_f64(),
        closed.budget_left.as_secs_f64()
    );
    let url = crate::redact::url(&request.url);
    let error = ServiceError::from_response(
        StatusCode::TOO_MANY_REQUESTS.as_u16(),
        request.method.as_str(),
        &url,
        None,
        message.as_bytes(),
    );
    Error::Throttled {
        error: Box::new(error),
        retry_after: closed.asked,
        attempts,
        waited,
    }
}

/// Records the outcome on the request's span.
fn finish(span: &Span, status: Option<u16>, attempts: u32, called: Instant) {
    if let Some(status) = status {
        span.record("status", status);
    }
    span.record("attempts", attempts);
    span.record("duration_ms", called.elapsed().as_millis() as u64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, retry_after: Option<u64>) -> Cause {
        Cause::Status {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn decide_for(cause: Cause, idempotent: bool) -> Option<Retry> {
        let policy = RetryPolicy::standard()
            .max_retry_after(Duration::from_secs(60))
            .default_retry_after(Duration::from_secs(9));
        decide(&policy, cause, idempotent, &mut policy.backoff())
    }

    #[test]
    fn throttling_is_retried_for_every_method_and_shared() {
        for idempotent in [true, false] {
            let retry = decide_for(status(429, Some(2)), idempotent).unwrap();
            assert_eq!(retry.delay, Duration::from_secs(2));
            assert!(retry.shared);
            let retry = decide_for(status(503, Some(3)), idempotent).unwrap();
            assert_eq!(
                retry,
                Retry {
                    delay: Duration::from_secs(3),
                    shared: true
                }
            );
        }
    }

    #[test]
    fn a_429_without_retry_after_waits_the_default_and_an_absurd_one_is_capped() {
        assert_eq!(
            decide_for(status(429, None), false).unwrap().delay,
            Duration::from_secs(9)
        );
        assert_eq!(
            decide_for(status(429, Some(86_400 * 365)), false)
                .unwrap()
                .delay,
            Duration::from_secs(60)
        );
        assert_eq!(
            decide_for(status(429, Some(u64::MAX)), false)
                .unwrap()
                .delay,
            Duration::from_secs(60)
        );
    }

    #[test]
    fn a_retry_after_of_zero_waits_the_floor() {
        for code in [429, 503] {
            assert_eq!(
                decide_for(status(code, Some(0)), false).unwrap().delay,
                RetryPolicy::MIN_RETRY_AFTER,
                "{code}"
            );
        }
        assert_eq!(
            decide_for(status(502, Some(0)), true).unwrap().delay,
            RetryPolicy::MIN_RETRY_AFTER
        );
    }

    #[test]
    fn non_idempotent_requests_are_retried_only_when_provably_unprocessed() {
        // Proof that the server did not process it: it was never sent, or the server says so.
        assert!(decide_for(Cause::NotSent, false).is_some());
        assert!(decide_for(status(429, None), false).is_some());
        assert!(decide_for(status(503, Some(1)), false).is_some());
        // No proof: a gateway's 503 without Retry-After, a 5xx, a cut connection.
        assert!(decide_for(status(503, None), false).is_none());
        assert!(decide_for(Cause::Interrupted, false).is_none());
        for code in [408, 500, 502, 504] {
            assert!(decide_for(status(code, None), false).is_none(), "{code}");
            assert!(decide_for(status(code, Some(1)), false).is_none(), "{code}");
        }
    }

    #[test]
    fn what_may_have_been_processed_is_exactly_what_a_write_cannot_repeat() {
        for cause in [
            Cause::Interrupted,
            status(503, None),
            status(408, None),
            status(500, None),
            status(502, Some(3)),
            status(504, None),
        ] {
            assert!(cause.may_have_been_processed(), "{cause:?}");
            assert!(decide_for(cause, false).is_none(), "{cause:?}");
        }
        for cause in [
            Cause::NotSent,
            Cause::Final,
            status(429, None),
            status(503, Some(0)),
            status(400, None),
            status(409, None),
            status(412, None),
            status(501, None),
        ] {
            assert!(!cause.may_have_been_processed(), "{cause:?}");
        }
    }

    #[test]
    fn idempotent_requests_are_retried_after_transient_failures() {
        assert!(decide_for(Cause::Interrupted, true).is_some());
        for code in [408, 500, 502, 503, 504] {
            let retry = decide_for(status(code, None), true).unwrap();
            assert!(!retry.shared, "{code}");
        }
        assert_eq!(
            decide_for(status(502, Some(4)), true).unwrap().delay,
            Duration::from_secs(4),
            "Retry-After overrides the backoff"
        );
    }

    #[test]
    fn client_errors_are_final() {
        for code in [400, 401, 403, 404, 409, 412, 428, 501] {
            assert!(decide_for(status(code, None), true).is_none(), "{code}");
        }
        assert!(decide_for(Cause::Final, true).is_none());
    }

    #[test]
    fn budgets_of_any_size_are_counted_without_overflow() {
        let unlimited = Budget::starting_now(Duration::MAX);
        assert_eq!(unlimited.left(), None);
        assert!(unlimited.fits(Duration::MAX));
        let none = Budget::starting_now(Duration::ZERO);
        assert_eq!(none.left(), Some(Duration::ZERO));
        assert!(!none.fits(Duration::ZERO));
    }
}
