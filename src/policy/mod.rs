//! How a [`Client`](crate::Client) behaves over time: when it retries, how hard it pushes the
//! service, and how it waits for a long-running job.
//!
//! | policy | set with | what it decides |
//! |---|---|---|
//! | [`RetryPolicy`] | [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy) | which failed attempts are sent again, how long to back off, how throttling (`429`, `Retry-After`) is waited out |
//! | [`DEFAULT_CONCURRENCY_LIMIT`] | [`ClientBuilder::concurrency_limit`](crate::ClientBuilder::concurrency_limit) | how many requests are in flight at once |
//! | [`RateLimit`] | [`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit) | how many requests may start per unit of time |
//! | [`PollPolicy`] | per call (a DMF flow's options, a recurring message's wait) | how often and how long a job's status is asked for |
//!
//! # Limits
//!
//! F&O counts its service protection limits per user (or service principal) and web server; its
//! documented concurrency limit is 52 requests, which is this crate's default
//! ([`DEFAULT_CONCURRENCY_LIMIT`]). Both the concurrency and the rate limit count attempts,
//! retries included, and apply to every clone of the client. A request over a limit waits; it is
//! never refused.
//!
//! The retry rules themselves (what is sent again and what ends with
//! [`Error::MayHaveBeenApplied`](crate::Error::MayHaveBeenApplied)) are on [`RetryPolicy`].

pub(crate) mod limits;
pub(crate) mod poll;
pub(crate) mod retry;

pub use limits::{DEFAULT_CONCURRENCY_LIMIT, RateLimit};
pub use poll::PollPolicy;
pub use retry::RetryPolicy;
