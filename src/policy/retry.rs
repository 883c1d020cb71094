//! [`RetryPolicy`]: how a [`Client`](crate::Client) retries failed requests and waits out throttling.

use std::time::Duration;

use backoff::backoff::Backoff as _;

/// Retry and throttling policy of a [`Client`](crate::Client), modelled on the AWS SDK's
/// `RetryConfig`. Configure it with
/// [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy); the default is
/// [`RetryPolicy::standard`].
///
/// # What is retried
///
///
/// | outcome of an attempt | idempotent request | non-idempotent request (POST, a change set) |
/// |---|---|---|
/// | 429 Too Many Requests | retried after `Retry-After` | retried after `Retry-After` |
/// | 503 Service Unavailable **with** `Retry-After` | retried after `Retry-After` | retried after `Retry-After` |
/// | connection could not be made (never sent) | retried | retried |
/// | 503 **without** `Retry-After`, 408, 500, 502, 504 | retried | **not** retried: [`Error::MayHaveBeenApplied`](crate::Error::MayHaveBeenApplied) |
/// | connection cut after sending, body cut off, timeout | retried | **not** retried: [`Error::MayHaveBeenApplied`](crate::Error::MayHaveBeenApplied) |
/// | any other status | not retried | not retried |
///
/// A request is idempotent when its method is `GET`, `HEAD`, `OPTIONS`, `PUT` or `DELETE`, or when
/// it is a `PATCH` that carries `If-Match` (a repeated update then fails with 412 instead of being
/// applied twice). A `$batch` of reads only is idempotent; one with a change set is not.
///
/// **Writes are never applied twice by a retry.** A non-idempotent request is sent again only
/// when the service proved that it did not process it: a 429, a 503 that carries `Retry-After`
/// (the service's own throttling answer), or no connection at all. A gateway's 503 without
/// `Retry-After`, a 500, a connection reset or a timeout after the request went out prove
/// nothing (F&O may have committed the row), so the request ends with
/// [`Error::MayHaveBeenApplied`](crate::Error::MayHaveBeenApplied), which carries the last
/// attempt's error, the number of attempts and the `x-ms-client-request-id` every attempt sent
/// ([`Error::may_have_been_applied`](crate::Error::may_have_been_applied) tells it apart).
/// An idempotent write that was interrupted, sent again and then answered 412 or 404 keeps its
/// [`Error::PreconditionFailed`](crate::Error::PreconditionFailed) or
/// [`Error::NotFound`](crate::Error::NotFound), marked
/// ([`ServiceError::earlier_attempt_interrupted`](crate::ServiceError::earlier_attempt_interrupted))
/// because the interrupted attempt may have been applied and caused it.
///
/// **Throttling is shared.** One gate per client: a 429 (or a 503 with `Retry-After`) pauses every
/// task that uses the client until the server's `Retry-After` has passed, not just the task that
/// got it, since F&O's service protection limits count all requests of a user. `Retry-After` is
/// read in both forms (delta-seconds and HTTP-date); a value larger than
/// [`RetryPolicy::max_retry_after`] is capped, one below [`RetryPolicy::MIN_RETRY_AFTER`]
/// (`Retry-After: 0`, a date in the past) is raised to it, and an unreadable or missing one on a
/// 429 means [`RetryPolicy::default_retry_after`]. Only a request that is going to wait and try
/// again closes the gate: one that gives up (attempts spent, or the wait does not fit in what is
/// left of its [`RetryPolicy::max_elapsed`]) returns [`Error::Throttled`](crate::Error::Throttled)
/// and leaves the other tasks alone. A task that finds the gate closed for longer than what is
/// left of its own budget fails at once with [`Error::Throttled`](crate::Error::Throttled)
/// (attempts counted so far, the server's `Retry-After`) instead of waiting in vain.
///
/// **Other failures back off** exponentially with jitter; a `Retry-After` on the answer overrides
/// the computed delay.
///
/// **Every retry is bounded** by [`RetryPolicy::max_attempts`] and [`RetryPolicy::max_elapsed`].
/// The time budget starts when the request's first attempt gets its place among the requests in
/// flight (queueing behind the client's own concurrency limit is not counted) and covers waits at
/// the gate, backoff delays and the attempts themselves: each attempt is bounded by the client's
/// timeout or the time left, whichever is shorter, so a slow answer cannot overrun the budget.
/// When either budget is spent, or the next wait would not end before the budget does, the last
/// error is returned — for throttling [`Error::Throttled`](crate::Error::Throttled) with the
/// attempts made and the time spent waiting. All time arithmetic saturates: no `Retry-After` and
/// no policy value (not even [`Duration::MAX`]) can overflow.
///
/// Every retry and every wait is logged with [`tracing`](https://docs.rs/tracing) inside a span
/// per request (`odata.request`, with method, URL, client request id, final status, attempts and
/// duration).
///
/// The delays are computed with the `backoff` crate (exponential growth with ±50% jitter). That
/// crate is flagged unmaintained (RUSTSEC-2025-0012, informational); it is used only to compute
/// delays, never for its retry loop, and stays behind this type so that it can be replaced without
/// changing callers.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use d365fo_odata::RetryPolicy;
///
/// // The defaults, with a shorter total budget for an interactive tool.
/// let policy = RetryPolicy::standard().max_elapsed(Duration::from_secs(30));
/// # let _ = policy;
/// // Send every request once; a 429 surfaces at once as `Error::Throttled`.
/// let off = RetryPolicy::none();
/// # let _ = off;
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_elapsed: Duration,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) default_retry_after: Duration,
}

impl RetryPolicy {
    /// Attempts per request in [`RetryPolicy::standard`], the first one included.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
    /// Time budget per request in [`RetryPolicy::standard`]: F&O's service protection window.
    pub const DEFAULT_MAX_ELAPSED: Duration = Duration::from_secs(300);
    /// First backoff delay in [`RetryPolicy::standard`].
    pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_secs(1);
    /// Longest backoff delay in [`RetryPolicy::standard`].
    pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(30);
    /// Longest `Retry-After` honoured in [`RetryPolicy::standard`]; longer values are capped.
    pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
    /// Wait after a 429 without a readable `Retry-After` in [`RetryPolicy::standard`] (the value
    /// Microsoft's F&O retry sample uses).
    pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);
    /// The shortest wait after a throttling answer: a `Retry-After` of zero (or an HTTP-date in
    /// the past) waits this long, so that a server saying "now" is not hammered in a tight loop.
    pub const MIN_RETRY_AFTER: Duration = Duration::from_millis(250);

    /// The default policy: up to 5 attempts within 300 s; backoff from 1 s doubling up to 30 s
    /// with jitter; `Retry-After` honoured up to 300 s; 30 s after a 429 without `Retry-After`.
    pub fn standard() -> Self {
        RetryPolicy {
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            max_elapsed: Self::DEFAULT_MAX_ELAPSED,
            initial_backoff: Self::DEFAULT_INITIAL_BACKOFF,
            max_backoff: Self::DEFAULT_MAX_BACKOFF,
            max_retry_after: Self::DEFAULT_MAX_RETRY_AFTER,
            default_retry_after: Self::DEFAULT_RETRY_AFTER,
        }
    }

    /// No retries and no waits: every request is sent once, a 429 is returned at once as
    /// [`Error::Throttled`](crate::Error::Throttled) and does not pause the client's other tasks.
    /// The concurrency and rate limits of the client still apply.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::standard()
        }
    }

    /// Attempts per request, the first one included (`1` disables retries; `0` counts as `1`).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Total time one request may take, waits, retries and the attempt in flight included
    /// (each attempt is cut off when the budget ends). No retry is started whose wait would not
    /// end before this budget does. [`Duration::MAX`] means no limit.
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// The first backoff delay; each further one doubles, up to [`RetryPolicy::max_backoff`],
    /// each randomised by ±50%.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest backoff delay.
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The longest `Retry-After` honoured: a larger value (say a date a week ahead) is capped to
    /// this (but never below [`RetryPolicy::MIN_RETRY_AFTER`]). Should the capped wait still not fit in [`RetryPolicy::max_elapsed`], the request
    /// fails at once with [`Error::Throttled`](crate::Error::Throttled).
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// The wait after a 429 that has no `Retry-After`, or one that cannot be read.
    pub fn default_retry_after(mut self, wait: Duration) -> Self {
        self.default_retry_after = wait;
        self
    }

    /// `false` for [`RetryPolicy::none`] (and any policy of one attempt).
    pub fn is_enabled(&self) -> bool {
        self.max_attempts > 1
    }

    /// The delay sequence of one request.
    pub(crate) fn backoff(&self) -> BackoffDelays {
        BackoffDelays::new(self.initial_backoff, self.max_backoff)
    }

    /// A server-sent wait, capped and floored; `None` (absent or unreadable) becomes the
    /// default wait.
    pub(crate) fn throttle_wait(&self, retry_after: Option<Duration>) -> Duration {
        retry_after
            .unwrap_or(self.default_retry_after)
            .min(self.max_retry_after)
            .max(Self::MIN_RETRY_AFTER)
    }
}

impl Default for RetryPolicy {
    /// [`RetryPolicy::standard`].
    fn default() -> Self {
        Self::standard()
    }
}

/// Exponential delays with jitter for one request. The only place that touches `backoff`.
#[derive(Debug)]
pub(crate) struct BackoffDelays {
    inner: backoff::ExponentialBackoff,
    max: Duration,
}

impl BackoffDelays {
    fn new(initial: Duration, max: Duration) -> Self {
        let inner = backoff::ExponentialBackoffBuilder::new()
            .with_initial_interval(initial)
            .with_max_interval(max)
            .with_multiplier(2.0)
            .with_randomization_factor(0.5)
            // Our loop enforces the budget; `backoff` only computes delays.
            .with_max_elapsed_time(None)
            .build();
        BackoffDelays { inner, max }
    }

    /// The next delay, never above the configured maximum (jitter may push past it otherwise).
    pub(crate) fn next_delay(&mut self) -> Duration {
        self.inner.next_backoff().unwrap_or(self.max).min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_stays_under_the_maximum() {
        let policy = RetryPolicy::standard()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(700));
        let mut delays = policy.backoff();
        let seen: Vec<Duration> = (0..8).map(|_| delays.next_delay()).collect();
        assert!(seen[0] >= Duration::from_millis(50) && seen[0] <= Duration::from_millis(151));
        assert!(seen[1] >= Duration::from_millis(100) && seen[1] <= Duration::from_millis(301));
        assert!(
            seen.iter().all(|d| *d <= Duration::from_millis(700)),
            "{seen:?}"
        );
    }

    #[test]
    fn retry_after_is_capped_and_defaults_when_missing() {
        let policy = RetryPolicy::standard()
            .max_retry_after(Duration::from_secs(10))
            .default_retry_after(Duration::from_secs(3));
        assert_eq!(
            policy.throttle_wait(Some(Duration::from_secs(86_400))),
            Duration::from_secs(10)
        );
        assert_eq!(
            policy.throttle_wait(Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(policy.throttle_wait(None), Duration::from_secs(3));
    }

    #[test]
    fn a_zero_wait_is_raised_to_the_floor_and_the_largest_is_capped() {
        let policy = RetryPolicy::standard();
        assert_eq!(
            policy.throttle_wait(Some(Duration::ZERO)),
            RetryPolicy::MIN_RETRY_AFTER
        );
        let unbounded = RetryPolicy::standard()
            .max_retry_after(Duration::MAX)
            .default_retry_after(Duration::ZERO);
        assert_eq!(
            unbounded.throttle_wait(Some(Duration::MAX)),
            Duration::MAX,
            "no arithmetic on the value, so no overflow"
        );
        assert_eq!(unbounded.throttle_wait(None), RetryPolicy::MIN_RETRY_AFTER);
    }

    #[test]
    fn extreme_backoff_settings_do_not_panic() {
        let policy = RetryPolicy::standard()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        let mut delays = policy.backoff();
        for _ in 0..10 {
            delays.next_delay();
        }
        let zero = RetryPolicy::standard()
            .initial_backoff(Duration::ZERO)
            .max_backoff(Duration::ZERO);
        assert_eq!(zero.backoff().next_delay(), Duration::ZERO);
    }

    #[test]
    fn none_sends_once_and_zero_attempts_mean_one() {
        assert!(!RetryPolicy::none().is_enabled());
        assert!(RetryPolicy::standard().is_enabled());
        assert_eq!(RetryPolicy::standard().max_attempts(0).max_attempts, 1);
    }
}
