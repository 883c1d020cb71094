//! [`PollPolicy`]: how often and how long a long-running job's status is asked for, and
//! [`until_final`], the one loop that asks for it (DMF executions, recurring messages).

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

/// What a status poll ended with: the final status, or the last one seen when it ran out of
/// time; with how often the status was asked for and how long that took.
#[cfg(any(feature = "dmf", feature = "recurring"))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Polled<S> {
    /// The last status the service reported.
    pub(crate) status: S,
    /// How many status calls were made.
    pub(crate) polls: u32,
    /// Time from the first status call to the last answer.
    pub(crate) waited: Duration,
}

/// Why [`until_final`] stopped without a final status.
#[cfg(any(feature = "dmf", feature = "recurring"))]
#[derive(Debug)]
pub(crate) enum PollStop<S, E> {
    /// No final status within the policy's timeout: the last status seen, the calls made.
    TimedOut(Polled<S>),
    /// A status call failed.
    Failed {
        /// The failed call's error.
        error: E,
        /// The status of the call before it, `None` when the first call failed.
        last: Option<S>,
        /// Status calls made, the failed one included.
        polls: u32,
        /// Time from the first status call to the failure.
        waited: Duration,
    },
}

/// Asks for a status with `ask` as `policy` says (at once, then after each of its
/// [`delays`](PollPolicy::delays)) until `is_final` holds for the answer, a call fails, or the
/// policy's timeout (counted from the first call) has passed.
///
/// Bounded: the loop sleeps at least the policy's first delay between calls (never past the
/// timeout) and stops once the timeout is spent, so a zero timeout makes exactly one call.
#[cfg(any(feature = "dmf", feature = "recurring"))]
pub(crate) async fn until_final<S, E, Fut>(
    policy: &PollPolicy,
    mut ask: impl FnMut() -> Fut,
    is_final: impl Fn(&S) -> bool,
) -> Result<Polled<S>, PollStop<S, E>>
where
    Fut: Future<Output = Result<S, E>>,
{
    let started = tokio::time::Instant::now();
    let mut delays = policy.delays();
    let mut last: Option<S> = None;
    let mut polls: u32 = 0;
    loop {
        let answer = ask().await;
        polls = polls.saturating_add(1);
        let waited = started.elapsed();
        let status = match answer {
            Ok(status) => status,
            Err(error) => {
                return Err(PollStop::Failed {
                    error,
                    last,
                    polls,
                    waited,
                });
            }
        };
        if is_final(&status) {
            return Ok(Polled {
                status,
                polls,
                waited,
            });
        }
        let left = policy.timeout_after().saturating_sub(waited);
        if left.is_zero() {
            return Err(PollStop::TimedOut(Polled {
                status,
                polls,
                waited,
            }));
        }
        last = Some(status);
        let delay = delays.next().unwrap_or(policy.longest_delay());
        tokio::time::sleep(delay.min(left)).await;
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
    #[cfg(any(feature = "dmf", feature = "recurring"))]
    mod until_final {
        use std::cell::Cell;

        use super::super::{PollPolicy, PollStop, until_final};
        use std::time::Duration;

        fn policy() -> PollPolicy {
            PollPolicy::default()
                .first_delay(Duration::from_secs(1))
                .max_delay(Duration::from_secs(4))
                .timeout(Duration::from_secs(20))
        }

        #[tokio::test(start_paused = true)]
        async fn stops_at_the_first_final_status_after_the_policys_delays() {
            let calls = Cell::new(0u32);
            let polled = until_final(
                &policy(),
                || {
                    calls.set(calls.get() + 1);
                    let n = calls.get();
                    async move { Ok::<u32, ()>(n) }
                },
                |n| *n == 4,
            )
            .await
            .expect("final");
            assert_eq!((polled.status, polled.polls), (4, 4));
            // At once, then after 1 s, 2 s and 4 s.
            assert_eq!(polled.waited, Duration::from_secs(7));
        }

        #[tokio::test(start_paused = true)]
        async fn times_out_with_the_last_status_and_a_bounded_number_of_calls() {
            let calls = Cell::new(0u32);
            let stop = until_final(
                &policy(),
                || {
                    calls.set(calls.get() + 1);
                    async { Ok::<&str, ()>("Executing") }
                },
                |_| false,
            )
            .await
            .expect_err("never final");
            let PollStop::TimedOut(polled) = stop else {
                panic!("{stop:?}")
            };
            assert_eq!(polled.status, "Executing");
            // 0, 1, 3, 7, 11, 15, 19 and the cut-short wait to 20 s.
            assert_eq!(polled.polls, 8);
            assert_eq!(calls.get(), 8);
            assert_eq!(polled.waited, Duration::from_secs(20));
        }

        #[tokio::test(start_paused = true)]
        async fn a_zero_timeout_makes_one_call() {
            let stop = until_final(
                &policy().timeout(Duration::ZERO),
                || async { Ok::<u8, ()>(0) },
                |_| false,
            )
            .await
            .expect_err("not final");
            assert!(
                matches!(&stop, PollStop::TimedOut(p) if p.polls == 1),
                "{stop:?}"
            );
        }

        #[tokio::test(start_paused = true)]
        async fn a_failed_call_ends_the_poll_with_the_status_before_it() {
            let calls = Cell::new(0u32);
            let stop = until_final(
                &policy(),
                || {
                    calls.set(calls.get() + 1);
                    let n = calls.get();
                    async move {
                        if n < 3 {
                            Ok(n)
                        } else {
                            Err("status call refused")
                        }
                    }
                },
                |_| false,
            )
            .await
            .expect_err("a call failed");
            match stop {
                PollStop::Failed {
                    error,
                    last,
                    polls,
                    waited,
                } => {
                    assert_eq!((error, last, polls), ("status call refused", Some(2), 3));
                    assert_eq!(waited, Duration::from_secs(3));
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
