//! The client-side limits at run time: a semaphore for the requests in flight and a GCRA
//! (generic cell rate algorithm) reservation for the request rate. Both are shared by every clone
//! of a client.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use crate::policy::RateLimit;

/// Concurrency and rate limits of one client, with a count of the attempts in flight.
#[derive(Debug)]
pub(crate) struct Limits {
    concurrency: Option<(usize, Semaphore)>,
    rate: Option<Rate>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// Holds a place among the requests in flight; released when dropped.
#[derive(Debug)]
pub(crate) struct InFlight<'a> {
    limits: &'a Limits,
    _permit: Option<SemaphorePermit<'a>>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.limits.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Limits {
    /// At most `concurrency` requests in flight (`None`: no limit), at most `rate`.
    pub(crate) fn new(concurrency: Option<usize>, rate: Option<RateLimit>) -> Self {
        Limits {
            concurrency: concurrency.map(|n| (n, Semaphore::new(n))),
            rate: rate.map(Rate::new),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    /// Waits for a place among the requests in flight.
    pub(crate) async fn acquire(&self) -> InFlight<'_> {
        let permit = match &self.concurrency {
            None => None,
            Some((limit, semaphore)) => {
                let permit = match semaphore.try_acquire() {
                    Ok(permit) => permit,
                    Err(_) => {
                        tracing::debug!(limit, "concurrency limit reached: waiting for a slot");
                        semaphore
                            .acquire()
                            .await
                            .expect("the semaphore is never closed")
                    }
                };
                Some(permit)
            }
        };
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight {
            limits: self,
            _permit: permit,
        }
    }

    /// Waits until the rate limit lets one more request start; returns how long that took.
    pub(crate) async fn pace(&self) -> Duration {
        let Some(rate) = &self.rate else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let slot = rate.reserve(now);
        if slot > now {
            let wait = slot - now;
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "rate limit: waiting before sending"
            );
            tokio::time::sleep_until(slot).await;
            wait
        } else {
            Duration::ZERO
        }
    }

    /// The most attempts that were in flight at once since the client was built.
    #[cfg(test)]
    pub(crate) fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    /// Attempts in flight now.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

/// GCRA state: the theoretical arrival time of the next request.
#[derive(Debug)]
struct Rate {
    interval: Duration,
    /// How far ahead of the sustained rate a burst may run.
    tolerance: Duration,
    next: Mutex<Option<Instant>>,
}

impl Rate {
    fn new(limit: RateLimit) -> Self {
        Rate {
            interval: limit.interval(),
            tolerance: limit
                .interval()
                .saturating_mul(limit.burst_size().saturating_sub(1)),
            next: Mutex::new(None),
        }
    }

    /// Reserves the earliest start at or after `now` and returns it.
    fn reserve(&self, now: Instant) -> Instant {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let arrival = next.map_or(now, |t| t.max(now));
        let slot = arrival
            .checked_sub(self.tolerance)
            .map_or(now, |earliest| earliest.max(now));
        // Saturates: a rate of one request per `Duration::MAX` must not overflow the clock.
        *next = Some(arrival.checked_add(self.interval).unwrap_or(arrival));
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rate_spaces_requests_after_the_burst() {
        let rate = Rate::new(RateLimit::per_second(10).burst(3));
        let t0 = Instant::now();
        let slots: Vec<Duration> = (0..6).map(|_| rate.reserve(t0) - t0).collect();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(slots, [ms(0), ms(0), ms(0), ms(100), ms(200), ms(300)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_spell_refills_the_burst() {
        let rate = Rate::new(RateLimit::per_second(10).burst(2));
        let t0 = Instant::now();
        rate.reserve(t0);
        rate.reserve(t0);
        let later = t0 + Duration::from_secs(5);
        assert_eq!(rate.reserve(later), later);
        assert_eq!(rate.reserve(later), later);
        assert_eq!(rate.reserve(later), later + Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn extreme_rates_do_not_overflow_the_clock() {
        let rate = Rate::new(RateLimit::new(1, Duration::MAX).burst(u32::MAX));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(rate.reserve(t0) >= t0);
        }
    }

    #[tokio::test]
    async fn in_flight_is_counted_and_bounded() {
        let limits = std::sync::Arc::new(Limits::new(Some(2), None));
        let a = limits.acquire().await;
        let _b = limits.acquire().await;
        assert_eq!(limits.in_flight(), 2);
        let waiting = {
            let limits = limits.clone();
            tokio::spawn(async move {
                let _c = limits.acquire().await;
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "a third request must wait");
        drop(a);
        waiting.await.unwrap();
        assert_eq!(limits.max_in_flight(), 2);
    }
}
