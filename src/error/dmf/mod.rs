//! What a data management flow reports: [`ExecutionReport`] on the way, [`DmfError`] when it
//! does not deliver.

use std::fmt;
use std::time::Duration;

use url::Url;

mod status;

use crate::redact;
pub use status::ExecutionStatus;

/// A file of the records that failed to import for one entity
/// (`GetImportStagingErrorFileUrl`). Its URL carries a storage signature (SAS): `Debug` and
/// `Display` show it without.
#[derive(Clone, PartialEq, Eq)]
pub struct StagingErrorFile {
    /// The entity, as named in the request (e.g. `Customer groups`).
    pub entity_name: String,
    /// Where to download the file, signature included.
    pub url: String,
}

impl fmt::Debug for StagingErrorFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StagingErrorFile")
            .field("entity_name", &self.entity_name)
            .field("url", &redacted(&self.url))
            .finish()
    }
}

/// `url` without secret query values (the SAS signature), for messages.
pub(crate) fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(parsed) => redact::url(&parsed).into_owned(),
        // Not a URL: nothing of it is shown beyond what cannot be a signature.
        Err(_) => match url.split_once('?') {
            Some((path, _)) => format!("{}?…", redact::text(path)),
            None => redact::truncate(&redact::text(url), 256).into_owned(),
        },
    }
}

/// What is known about one execution: its id, the last status seen, how long it was waited
/// for, and (when it did not succeed) its error messages and staging error files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionReport {
    /// The data project (definition group) that ran.
    pub definition_group_id: String,
    /// The execution id F&O assigned (or the one given).
    pub execution_id: String,
    /// The last status `GetExecutionSummaryStatus` reported.
    pub status: ExecutionStatus,
    /// How many times the status was asked for.
    pub polls: u32,
    /// Time from the start of the execution to its last status.
    pub waited: Duration,
    /// The messages of `GetExecutionErrors` (read when the execution did not succeed).
    pub errors: Vec<String>,
    /// Staging error files of the entities asked for (imports that did not fully succeed).
    pub staging_error_files: Vec<StagingErrorFile>,
}

/// Why a data management flow did not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DmfErrorKind {
    /// The execution ended `Failed`.
    ExecutionFailed,
    /// The execution ended `PartiallySucceeded` and partial success was not accepted.
    PartiallySucceeded,
    /// The execution ended `Canceled`.
    Canceled,
    /// The execution reached no final status within the poll timeout.
    TimedOut,
    /// The execution finished but `GetExportedPackageUrl` gave no URL.
    NoPackageUrl,
    /// The storage answered 404 for the package (deleted, expired after 7 days, wrong URL).
    PackageNotFound,
    /// The package is not a ZIP (bad signature, cut off, no files).
    CorruptPackage,
    /// The storage refused a transfer with another status; `code` is its error code
    /// (e.g. `AuthenticationFailed` for an expired signature).
    Storage {
        /// HTTP status.
        status: u16,
        /// The storage's `<Code>`, when it sent one.
        code: Option<String>,
    },
    /// A storage URL this client will not use: not `https`, or plain `http` to a host that is
    /// not loopback or without [`allow_http_loopback`](crate::ClientBuilder::allow_http_loopback).
    UnsafeStorageUrl,
    /// The transfer to or from storage broke off (connection reset, timeout, a short body).
    Transfer,
    /// A local file could not be read or written.
    Io,
    /// A service call of the flow failed; the source is the crate [`Error`](crate::Error).
    Request,
}

/// A data management export or import that did not deliver, with everything known about it.
///
/// `report` is present once the execution started (it holds the execution id, the last status,
/// the time waited, the error messages and staging error file URLs). Partial downloads are
/// removed before this error is returned.
#[derive(Debug)]
pub struct DmfError {
    /// What went wrong.
    pub kind: DmfErrorKind,
    /// What went wrong, in words: names the file, the (redacted) URL or the status.
    pub message: String,
    /// The execution, when one was started.
    pub report: Option<Box<ExecutionReport>>,
    /// The underlying error (I/O, HTTP, or a crate [`Error`](crate::Error) for
    /// [`DmfErrorKind::Request`]).
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl DmfError {
    pub(crate) fn new(kind: DmfErrorKind, message: impl Into<String>) -> Self {
        DmfError {
            kind,
            message: message.into(),
            report: None,
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(crate) fn with_report(mut self, report: &ExecutionReport) -> Self {
        self.report = Some(Box::new(report.clone()));
        self
    }

    /// The crate error behind a [`DmfErrorKind::Request`] (a throttled or refused service call).
    pub fn request_error(&self) -> Option<&crate::Error> {
        self.source.as_deref()?.downcast_ref()
    }
}

impl fmt::Display for DmfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(r) = &self.report {
            write!(
                f,
                " (data project {}, execution {}, last status {} after {:.1}s and {} poll(s)",
                r.definition_group_id,
                r.execution_id,
                r.status,
                r.waited.as_secs_f64(),
                r.polls
            )?;
            match r.errors.as_slice() {
                [] => {}
                [one] => write!(f, "; error: {one}")?,
                [first, rest @ ..] => write!(f, "; {} errors, first: {first}", rest.len() + 1)?,
            }
            for file in &r.staging_error_files {
                write!(
                    f,
                    "; staging errors of {}: {}",
                    file.entity_name,
                    redacted(&file.url)
                )?;
            }
            f.write_str(")")?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DmfError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<DmfError> for crate::Error {
    fn from(e: DmfError) -> Self {
        crate::Error::Dmf(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ExecutionReport {
        ExecutionReport {
            definition_group_id: "CustomerGroupsImport".into(),
            execution_id: "Import-1".into(),
            status: ExecutionStatus::PartiallySucceeded,
            polls: 3,
            waited: Duration::from_millis(1500),
            errors: vec!["line 4: too long".into(), "line 5: bad enum".into()],
            staging_error_files: vec![StagingErrorFile {
                entity_name: "Customer groups".into(),
                url: "https://acct.blob.core.windows.net/dmf/x.csv?sv=1&sig=SECRET".into(),
            }],
        }
    }

    #[test]
    fn message_carries_the_execution_and_hides_the_signature() {
        let e = DmfError::new(
            DmfErrorKind::PartiallySucceeded,
            "import partially succeeded",
        )
        .with_report(&report());
        let shown = e.to_string();
        for part in [
            "CustomerGroupsImport",
            "Import-1",
            "PartiallySucceeded after 1.5s and 3 poll(s)",
            "2 errors, first: line 4: too long",
            "staging errors of Customer groups: https://acct.blob.core.windows.net/dmf/x.csv?sv=1&sig=REDACTED",
        ] {
            assert!(shown.contains(part), "{part:?} missing from {shown}");
        }
        assert!(!format!("{e:?}").contains("SECRET"), "{e:?}");
    }

    #[test]
    fn request_error_reaches_the_crate_error() {
        let inner = crate::Error::Config {
            message: "x".into(),
        };
        let e = DmfError::new(DmfErrorKind::Request, "status call failed").with_source(inner);
        assert!(matches!(
            e.request_error(),
            Some(crate::Error::Config { .. })
        ));
        assert!(e.to_string().ends_with(": invalid configuration: x"), "{e}");
    }
}
