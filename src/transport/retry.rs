//! The retry loop: one request, attempted until it succeeds, fails for good, or the policy's
//! budget (attempts, total time) is spent. Delays come from the policy's backoff or from the
//! server's `Retry-After`; throttling answers close the client's shared gate.

use std::time::Duration;

use reqwest::StatusCode;
use tokio::time::Instant;
use tracing::Span;

use super::{Cause, Failure, Request, Response, send_authorized};
use crate::client::Client;
use crate::error::Result;
use crate::retry::{BackoffDelays, RetryPolicy};

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
        Cause::Status {
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: None,
        }
        | Cause::NotSent => Some(backoff(delays)),
        // Transient, but the request may have been processed: only when repeating is harmless.
        Cause::Status {
            status:
                StatusCode::REQUEST_TIMEOUT
                | StatusCode::INTERNAL_SERVER_ERROR
                | StatusCode::BAD_GATEWAY
                | StatusCode::GATEWAY_TIMEOUT,
            retry_after,
        } if idempotent => Some(match retry_after {
            Some(wait) => Retry {
                delay: wait.min(policy.max_retry_after),
                shared: false,
            },
            None => backoff(delays),
        }),
        Cause::Interrupted if idempotent => Some(backoff(delays)),
        _ => None,
    }
}

/// Sends `request` until it succeeds, fails for good, or the client's retry budget is spent.
pub(super) async fn send_with_retries(client: &Client, request: &Request) -> Result<Response> {
    let inner = client.inner();
    let policy = &inner.retry;
    let span = Span::current();
    let began = Instant::now();
    let idempotent = request.is_idempotent();
    let mut delays = policy.backoff();
    let mut waited = Duration::ZERO;
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        let outcome = {
            let _in_flight = inner.limits.acquire().await;
            if policy.is_enabled() {
                waited += inner.gate.wait().await;
            }
            inner.limits.pace().await;
            let sent = Instant::now();
            let outcome = send_authorized(client, request).await;
            tracing::debug!(
                attempt,
                status = outcome.as_ref().map_or_else(
                    |f| f.error.status().unwrap_or_default(),
                    |r| r.status.as_u16()
                ),
                elapsed_ms = sent.elapsed().as_millis() as u64,
                in_flight = inner.limits.in_flight(),
                "attempt finished"
            );
            outcome
        };
        let failure = match outcome {
            Ok(response) => {
                finish(&span, Some(response.status.as_u16()), attempt, began);
                return Ok(response);
            }
            Err(failure) => failure,
        };
        let Failure { error, cause } = failure;
        let Some(retry) = decide(policy, cause, idempotent, &mut delays) else {
            finish(&span, error.status(), attempt, began);
            return Err(error.with_attempts(attempt, waited));
        };
        if retry.shared && policy.is_enabled() {
            inner.gate.close_for(retry.delay);
            tracing::info!(
                wait_ms = retry.delay.as_millis() as u64,
                status = error.status(),
                "throttled: pausing every request of the client"
            );
        }
        let elapsed = began.elapsed();
        if attempt >= policy.max_attempts || elapsed + retry.delay > policy.max_elapsed {
            if policy.is_enabled() {
                tracing::warn!(
                    attempts = attempt,
                    elapsed_ms = elapsed.as_millis() as u64,
                    next_wait_ms = retry.delay.as_millis() as u64,
                    error = %error,
                    "retry budget spent: giving up"
                );
            }
            finish(&span, error.status(), attempt, began);
            return Err(error.with_attempts(attempt, waited));
        }
        tracing::info!(
            attempt,
            delay_ms = retry.delay.as_millis() as u64,
            reason = %error,
            "retrying"
        );
        if !retry.shared {
            tokio::time::sleep(retry.delay).await;
            waited += retry.delay;
        }
        // A shared wait happens at the gate, before the next attempt.
    }
}

/// Records the outcome on the request's span.
fn finish(span: &Span, status: Option<u16>, attempts: u32, began: Instant) {
    if let Some(status) = status {
        span.record("status", status);
    }
    span.record("attempts", attempts);
    span.record("duration_ms", began.elapsed().as_millis() as u64);
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
    }

    #[test]
    fn non_idempotent_requests_are_retried_only_when_provably_unprocessed() {
        assert!(decide_for(Cause::NotSent, false).is_some());
        assert!(decide_for(status(503, None), false).is_some());
        assert!(decide_for(Cause::Interrupted, false).is_none());
        for code in [408, 500, 502, 504] {
            assert!(decide_for(status(code, None), false).is_none(), "{code}");
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
        for code in [400, 401, 403, 404, 409, 412, 428] {
            assert!(decide_for(status(code, None), true).is_none(), "{code}");
        }
        assert!(decide_for(Cause::Final, true).is_none());
    }
}
