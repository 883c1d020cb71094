//! [`TransferProgress`]: being told how far a package upload or download has come.

/// Receives the progress of a package transfer: bytes done so far and the total when known
/// (the file size for uploads, the storage's `Content-Length` for downloads).
///
/// Called after every chunk (at most every 64 KiB) from the task that runs the flow, so it
/// should return quickly. Closures `Fn(u64, Option<u64>)` implement it:
///
/// ```
/// use d365fo_odata::dmf::FlowOptions;
/// let options = FlowOptions::new().progress(|done: u64, total: Option<u64>| {
///     if let Some(total) = total {
///         eprintln!("{done} of {total} bytes");
///     }
/// });
/// ```
pub trait TransferProgress: Send + Sync {
    /// `done` bytes of `total` have been transferred.
    fn update(&self, done: u64, total: Option<u64>);
}

impl<F: Fn(u64, Option<u64>) + Send + Sync> TransferProgress for F {
    fn update(&self, done: u64, total: Option<u64>) {
        self(done, total);
    }
}
