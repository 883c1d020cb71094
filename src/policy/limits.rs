//! [`RateLimit`] and [`DEFAULT_CONCURRENCY_LIMIT`]: how hard a [`Client`](crate::Client) pushes
//! the service.

use std::time::Duration;

/// Default number of requests a client keeps in flight at once: F&O's documented per-user limit
/// of concurrent requests.
pub const DEFAULT_CONCURRENCY_LIMIT: usize = 52;

/// A limit on how many requests a client starts per unit of time, with bursts.
///
/// Requests are spaced evenly at `per / requests` apart; up to [`RateLimit::burst`] of them may
/// start back to back after a quiet spell. A request over the limit waits (it is never refused).
///
/// ```
/// use std::time::Duration;
/// use d365fo_odata::RateLimit;
///
/// // 6,000 requests per 5 minutes (F&O's former per-user limit), 20 at once after a pause.
/// let limit = RateLimit::new(6000, Duration::from_secs(300)).burst(20);
/// assert_eq!(limit.interval(), Duration::from_millis(50));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct RateLimit {
    interval: Duration,
    burst: u32,
}

impl RateLimit {
    /// At most `requests` per `per` (`0` requests counts as `1`), with a burst of 1.
    pub fn new(requests: u32, per: Duration) -> Self {
        RateLimit {
            interval: per / requests.max(1),
            burst: 1,
        }
    }

    /// At most `requests` per second, with a burst of 1.
    pub fn per_second(requests: u32) -> Self {
        Self::new(requests, Duration::from_secs(1))
    }

    /// How many requests may start back to back after a quiet spell (default 1; `0` counts as
    /// `1`).
    pub fn burst(mut self, requests: u32) -> Self {
        self.burst = requests.max(1);
        self
    }

    /// The spacing between two requests at the sustained rate.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The burst size.
    pub fn burst_size(&self) -> u32 {
        self.burst
    }
}
