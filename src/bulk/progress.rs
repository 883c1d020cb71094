//! [`Progress`] of a long bulk read: rows and pages so far, rate and time left.

use std::time::{Duration, Instant};

/// How far a bulk read has come; handed to the callback of
/// [`BulkRead::on_progress`](super::BulkRead::on_progress) after each page of rows is delivered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Rows delivered so far.
    pub rows: u64,
    /// Pages (responses with rows) received so far, boundary probes not included.
    pub pages: u64,
    /// The number of matching rows counted (`$count`) when the read began, if it was counted
    /// (offset windows and key ranges count; explicit partitions do not).
    pub expected_rows: Option<u64>,
    /// Time since the read began.
    pub elapsed: Duration,
}

impl Progress {
    /// Rows delivered per second so far (0 before the first row).
    pub fn rows_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.rows as f64 / seconds
        } else {
            0.0
        }
    }

    /// The estimated time left at the rate so far, when the total is known; zero once the
    /// counted rows are all in (rows inserted meanwhile may still follow).
    pub fn eta(&self) -> Option<Duration> {
        let expected = self.expected_rows?;
        let left = expected.saturating_sub(self.rows);
        if left == 0 {
            return Some(Duration::ZERO);
        }
        let rate = self.rows_per_second();
        (rate > 0.0).then(|| Duration::from_secs_f64((left as f64 / rate).min(1e9)))
    }
}

/// The progress callback.
pub(crate) type Callback = Box<dyn FnMut(&Progress) + Send>;

/// Keeps the figures and calls the callback.
pub(crate) struct Tracker {
    started: Instant,
    rows: u64,
    pages: u64,
    expected: Option<u64>,
    callback: Option<Callback>,
}

impl Tracker {
    pub(crate) fn new(callback: Option<Callback>) -> Self {
        Tracker {
            started: Instant::now(),
            rows: 0,
            pages: 0,
            expected: None,
            callback,
        }
    }

    pub(crate) fn expect(&mut self, rows: u64) {
        self.expected = Some(rows);
    }

    pub(crate) fn page(&mut self) {
        self.pages += 1;
    }

    /// Records `rows` delivered and reports.
    pub(crate) fn delivered(&mut self, rows: usize) {
        self.rows += rows as u64;
        if let Some(callback) = &mut self.callback {
            callback(&Progress {
                rows: self.rows,
                pages: self.pages,
                expected_rows: self.expected,
                elapsed: self.started.elapsed(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_eta() {
        let p = Progress {
            rows: 500,
            pages: 1,
            expected_rows: Some(2000),
            elapsed: Duration::from_secs(5),
        };
        assert!((p.rows_per_second() - 100.0).abs() < 1e-9);
        assert_eq!(p.eta(), Some(Duration::from_secs(15)));
        let done = Progress {
            rows: 2100,
            ..p.clone()
        };
        assert_eq!(done.eta(), Some(Duration::ZERO));
        let unknown = Progress {
            expected_rows: None,
            ..p
        };
        assert_eq!(unknown.eta(), None);
        let start = Progress {
            rows: 0,
            pages: 0,
            expected_rows: Some(10),
            elapsed: Duration::ZERO,
        };
        assert_eq!(start.rows_per_second(), 0.0);
        assert_eq!(start.eta(), None);
    }
}
