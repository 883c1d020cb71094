//! [`PollPolicy`]: how often and how long a long-running job's status is asked for.

use std::time::Duration;

/// How a long-running job's status is asked for while waiting for it (a DMF execution's
/// `GetExecutionSummaryStatus`, a recurring message's `GetMessageStatus`): at once, then
/// after `first_delay`, each delay `multiplier` times the one before up to `max_delay`, until a
/// final status or `timeout` (counted from the first call).
///
/// Default: 1 s, doubling, at most 30 s apart, for at most one hour.
///
/// ```
/// use std::time::Duration;
/// use d365fo_odata::PollPolicy;
/// let policy = PollPolicy::default()
///     .first_delay(Duration::from_millis(500))
///     .timeout(Duration::from_secs(600));
/// let delays: Vec<_> = policy.delays().take(4).collect();
/// assert_eq!(delays, [500, 1000, 2000, 4000].map(Duration::from_millis));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    first_delay: Duration,
    max_delay: Duration,
    multiplier: u32,
    timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            multiplier: 2,
            timeout: Duration::from_secs(3600),
        }
    }
}

impl PollPolicy {
    /// The wait after the first status call.
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// The longest wait between two status calls.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How much each wait grows (1: a fixed interval; 0 is taken as 1).
    pub fn multiplier(mut self, multiplier: u32) -> Self {
        self.multiplier = multiplier.max(1);
        self
    }

    /// How long to wait for a final status before giving up (the job itself goes on in F&O).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The timeout set by [`timeout`](Self::timeout).
    pub fn timeout_after(&self) -> Duration {
        self.timeout
    }

    /// The longest wait set by [`max_delay`](Self::max_delay).
    pub fn longest_delay(&self) -> Duration {
        self.max_delay
    }

    /// The waits between status calls, in order (endless; the timeout ends the polling).
    pub fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        let (max, multiplier) = (self.max_delay, self.multiplier);
        std::iter::successors(Some(self.first_delay.min(max)), move |d| {
            Some(d.saturating_mul(multiplier).min(max))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_the_cap() {
        let policy = PollPolicy::default()
            .first_delay(Duration::from_secs(1))
            .max_delay(Duration::from_secs(5))
            .multiplier(3);
        let delays: Vec<u64> = policy.delays().take(5).map(|d| d.as_secs()).collect();
        assert_eq!(delays, [1, 3, 5, 5, 5]);
        let fixed: Vec<u64> = policy
            .multiplier(0)
            .delays()
            .take(3)
            .map(|d| d.as_secs())
            .collect();
        assert_eq!(fixed, [1, 1, 1]);
    }
}
