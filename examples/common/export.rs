//! What the CSV export examples share: where the file goes, and a progress bar of rows against
//! the counted total with the rate, pages and time left.

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use d365fo_odata::bulk::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// The output file: the first argument, else `D365FO_EXPORT_PATH`, else `default_name` in the
/// system's temporary directory.
pub(crate) fn output_path(default_name: &str) -> PathBuf {
    std::env::args_os()
        .nth(1)
        .or_else(|| std::env::var_os("D365FO_EXPORT_PATH"))
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(default_name))
}

/// A progress bar on stderr (drawn only when it is a terminal). Cloning it gives another handle
/// to the same bar, e.g. for a bulk read's progress callback.
#[derive(Clone)]
pub(crate) struct ExportProgress {
    bar: ProgressBar,
}

impl ExportProgress {
    /// A bar with no total yet.
    pub(crate) fn new() -> Result<Self, Box<dyn Error>> {
        let bar = ProgressBar::new(0).with_style(ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {human_pos}/{human_len} rows, {msg}",
        )?);
        Ok(ExportProgress { bar })
    }

    /// Shows `rows` (and `pages`) against `total`, with the rate and the time left.
    pub(crate) fn show(&self, rows: u64, pages: u64, total: Option<u64>, elapsed: Duration) {
        self.bar.set_length(total.unwrap_or(0));
        self.bar.set_position(rows);
        let seconds = elapsed.as_secs_f64();
        let rate = if seconds > 0.0 {
            rows as f64 / seconds
        } else {
            0.0
        };
        let eta = match total {
            Some(total) if rate > 0.0 => {
                let left = total.saturating_sub(rows) as f64 / rate;
                format!("{:.0?}", Duration::from_secs_f64(left.min(1e9)))
            }
            _ => "?".to_owned(),
        };
        self.bar
            .set_message(format!("{rate:.0} rows/s, {pages} pages, eta {eta}"));
    }

    /// Shows a bulk read's progress.
    pub(crate) fn show_bulk(&self, p: &Progress) {
        self.show(p.rows, p.pages, p.expected_rows, p.elapsed);
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
