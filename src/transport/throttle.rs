//! The throttle gate: one per client. A 429 with `Retry-After` closes it until that time, and
//! every task of the client waits at it before sending, so that one throttling answer pauses all
//! of them rather than each finding out with a 429 of its own.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// When the client may send again.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    closed_until: Mutex<Option<Instant>>,
}

impl Gate {
    /// Closes the gate for `wait` from now, unless it is already closed for longer. Returns when
    /// the gate opens again.
    pub(crate) fn close_for(&self, wait: Duration) -> Instant {
        let until = Instant::now() + wait;
        let mut closed = self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
        let until = match *closed {
            Some(current) if current >= until => current,
            _ => until,
        };
        *closed = Some(until);
        until
    }

    /// How long until the gate opens (zero when open).
    pub(crate) fn remaining(&self) -> Duration {
        let closed = self.closed_until.lock().unwrap_or_else(|e| e.into_inner());
        closed.map_or(Duration::ZERO, |until| {
            until.saturating_duration_since(Instant::now())
        })
    }

    /// Waits until the gate is open (at once when it is) and returns how long that took. A gate
    /// closed again while waiting (a later 429 asked for longer) is waited out too.
    pub(crate) async fn wait(&self) -> Duration {
        let began = Instant::now();
        loop {
            let remaining = self.remaining();
            if remaining.is_zero() {
                return began.elapsed();
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
        gate.close_for(Duration::from_secs(2));
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
        gate.close_for(Duration::from_secs(5));
        gate.close_for(Duration::from_secs(1));
        assert_eq!(gate.remaining(), Duration::from_secs(5));
        gate.close_for(Duration::from_secs(8));
        assert_eq!(gate.wait().await, Duration::from_secs(8));
    }
}
