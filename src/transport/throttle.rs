//! The throttle gate: one per client. A 429 with `Retry-After` closes it until that time, and
//! every task of the client waits at it before sending, so that one throttling answer pauses all
//! of them rather than each finding out with a 429 of its own.
//!
//! A waiter brings its own budget: when the gate stays closed for longer than the waiter has left,
//! it is told so at once ([`Closed`]) instead of waiting out a pause it cannot afford. All time
//! arithmetic saturates, so no wait (not even [`Duration::MAX`]) can overflow an [`Instant`].

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The longest pause the gate holds, whatever it is asked for: about 30 years, far beyond any
/// budget, and far enough below the largest [`Instant`] never to overflow it.
const LONGEST_PAUSE: Duration = Duration::from_secs(30 * 365 * 24 * 3600);

/// When the client may send again.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    state: Mutex<Pause>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Pause {
    until: Option<Instant>,
    /// What the server asked for in the answer that set `until` (before any cap).
    asked: Option<Duration>,
}

/// The gate stays closed longer than a waiter can wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed {
    /// How long the gate stays closed from now.
    pub(crate) remaining: Duration,
    /// How long the waiter had left.
    pub(crate) budget_left: Duration,
    /// The `Retry-After` the server sent with the answer that closed the gate, when readable.
    pub(crate) asked: Option<Duration>,
    /// How long the waiter waited before finding that out.
    pub(crate) waited: Duration,
}

impl Gate {
    /// Closes the gate for `wait` from now (at most [`LONGEST_PAUSE`]), unless it is already
    /// closed for longer; `asked` is the server's own `Retry-After`, kept for the errors of
    /// waiters that cannot wait so long. Returns when the gate opens again.
    pub(crate) fn close_for(&self, wait: Duration, asked: Option<Duration>) -> Instant {
        let now = Instant::now();
        let until = now
            .checked_add(wait.min(LONGEST_PAUSE))
            .or_else(|| now.checked_add(Duration::from_secs(3600)))
            .unwrap_or(now);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match state.until {
            Some(current) if current >= until => current,
            _ => {
                *state = Pause {
                    until: Some(until),
                    asked,
                };
                until
            }
        }
    }

    /// How long until the gate opens (zero when open), and what the server asked for.
    fn pause(&self) -> (Duration, Option<Duration>) {
        let state = *self.state.lock().unwrap_or_else(|e| e.into_inner());
        let remaining = state.until.map_or(Duration::ZERO, |until| {
            until.saturating_duration_since(Instant::now())
        });
        (remaining, state.asked)
    }

    /// How long until the gate opens (zero when open).
    #[cfg(test)]
    pub(crate) fn remaining(&self) -> Duration {
        self.pause().0
    }

    /// Waits until the gate is open (at once when it is) and returns how long that took. A gate
    /// closed again while waiting (a later 429 asked for longer) is waited out too.
    pub(crate) async fn wait(&self) -> Duration {
        match self.wait_within(None).await {
            Ok(waited) | Err(Closed { waited, .. }) => waited,
        }
    }

    /// Like [`Gate::wait`], for a waiter that has `budget` left (`None`: no limit): fails at once,
    /// without waiting, as soon as the gate would stay closed for `budget` or longer, since the
    /// waiter would have no time left to send once it opens.
    pub(crate) async fn wait_within(&self, budget: Option<Duration>) -> Result<Duration, Closed> {
        let began = Instant::now();
        loop {
            let (remaining, asked) = self.pause();
            let waited = began.elapsed();
            if remaining.is_zero() {
                return Ok(waited);
            }
            if let Some(budget) = budget {
                let budget_left = budget.saturating_sub(waited);
                if remaining >= budget_left {
                    return Err(Closed {
                        remaining,
                        budget_left,
                        asked,
                        waited,
                    });
                }
            }
            tracing::debug!(
                wait_ms = remaining.as_millis() as u64,
                "client throttled: waiting before sending"
            );
            tokio::time::sleep(remaining).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_closed_gate_holds_every_waiter_until_it_opens() {
        let gate = std::sync::Arc::new(Gate::default());
        assert_eq!(gate.wait().await, Duration::ZERO);
        gate.close_for(Duration::from_secs(2), None);
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let gate = gate.clone();
                tokio::spawn(async move { gate.wait().await })
            })
            .collect();
        for waiter in waiters {
            assert_eq!(waiter.await.unwrap(), Duration::from_secs(2));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_shorter_pause_never_shortens_a_longer_one() {
        let gate = Gate::default();
        gate.close_for(Duration::from_secs(5), None);
        gate.close_for(Duration::from_secs(1), None);
        assert_eq!(gate.remaining(), Duration::from_secs(5));
        gate.close_for(Duration::from_secs(8), None);
        assert_eq!(gate.wait().await, Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn any_pause_even_the_largest_duration_is_held_without_overflow() {
        let gate = Gate::default();
        gate.close_for(Duration::MAX, Some(Duration::MAX));
        assert_eq!(gate.remaining(), LONGEST_PAUSE);
        gate.close_for(Duration::from_secs(u64::MAX), None);
        assert_eq!(gate.remaining(), LONGEST_PAUSE);
    }

    #[tokio::test(start_paused = true)]
    async fn a_waiter_with_less_budget_than_the_pause_fails_at_once() {
        let gate = Gate::default();
        gate.close_for(Duration::from_secs(8), Some(Duration::from_secs(8)));
        let began = Instant::now();
        let closed = gate
            .wait_within(Some(Duration::from_secs(2)))
            .await
            .unwrap_err();
        assert_eq!(began.elapsed(), Duration::ZERO, "no waiting at all");
        assert_eq!(closed.remaining, Duration::from_secs(8));
        assert_eq!(closed.budget_left, Duration::from_secs(2));
        assert_eq!(closed.asked, Some(Duration::from_secs(8)));
        // One with enough budget waits it out.
        assert_eq!(
            gate.wait_within(Some(Duration::from_secs(9))).await,
            Ok(Duration::from_secs(8))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_extended_while_waiting_is_checked_against_what_is_left() {
        let gate = std::sync::Arc::new(Gate::default());
        gate.close_for(Duration::from_secs(1), None);
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.wait_within(Some(Duration::from_secs(3))).await })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        gate.close_for(Duration::from_secs(4), Some(Duration::from_secs(4)));
        let closed = waiter.await.unwrap().unwrap_err();
        assert_eq!(closed.waited, Duration::from_secs(1));
        assert_eq!(closed.budget_left, Duration::from_secs(2));
        assert_eq!(closed.remaining, Duration::from_millis(3500));
    }
}
