//! [`FlowOptions`]: what the export and import flows share.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::progress::TransferProgress;
use crate::policy::PollPolicy;

/// Settings of an export or import flow: how the execution is waited for, whether partial
/// success counts, and how the package transfer runs.
///
/// ```
/// use std::time::Duration;
/// use d365fo_odata::dmf::{FlowOptions, PollPolicy};
/// let options = FlowOptions::new()
///     .poll(PollPolicy::default().timeout(Duration::from_secs(900)))
///     .accept_partial_success(true)
///     .transfer_timeout(Duration::from_secs(1800));
/// ```
#[derive(Clone)]
pub struct FlowOptions {
    pub(crate) poll: PollPolicy,
    pub(crate) accept_partial: bool,
    pub(crate) transfer_timeout: Duration,
    pub(crate) progress: Option<Arc<dyn TransferProgress>>,
}

impl Default for FlowOptions {
    fn default() -> Self {
        FlowOptions {
            poll: PollPolicy::default(),
            accept_partial: false,
            transfer_timeout: Duration::from_secs(3600),
            progress: None,
        }
    }
}

impl fmt::Debug for FlowOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowOptions")
            .field("poll", &self.poll)
            .field("accept_partial", &self.accept_partial)
            .field("transfer_timeout", &self.transfer_timeout)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl FlowOptions {
    /// The defaults: [`PollPolicy::default`], partial success is an error, transfers may take
    /// an hour, no progress reports.
    pub fn new() -> Self {
        FlowOptions::default()
    }

    /// How the execution's status is polled (and for how long at most).
    pub fn poll(mut self, policy: PollPolicy) -> Self {
        self.poll = policy;
        self
    }

    /// With `true`, an execution that ends `PartiallySucceeded` completes the flow (its errors
    /// are in the report); by default it is a
    /// [`DmfErrorKind::PartiallySucceeded`](super::DmfErrorKind::PartiallySucceeded) error.
    pub fn accept_partial_success(mut self, accept: bool) -> Self {
        self.accept_partial = accept;
        self
    }

    /// The longest a package upload or download may take, from request to last byte.
    pub fn transfer_timeout(mut self, timeout: Duration) -> Self {
        self.transfer_timeout = timeout;
        self
    }

    /// Reports the package transfer's progress to `progress`.
    pub fn progress(mut self, progress: impl TransferProgress + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }
}
