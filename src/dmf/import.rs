//! [`ImportFlow`]: upload a package and import it with a data project.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::actions::{Dmf, ImportFromPackage};
use super::options::FlowOptions;
use super::storage::{Transfer, check_local_package};
use crate::error::Result;
use crate::error::dmf::ExecutionReport;

/// An import: the package file is checked to be a ZIP, then `GetAzureWriteUrl`, a streamed
/// upload to that blob (without the service's token), `ImportFromPackage`, and
/// `GetExecutionSummaryStatus` until final; unless the import succeeded, its errors
/// (`GetExecutionErrors`) and staging error files (`GetImportStagingErrorFileUrl`) are read.
/// Made by [`Dmf::import`].
#[derive(Debug)]
#[must_use = "an import does nothing until from_file is awaited"]
pub struct ImportFlow {
    dmf: Dmf,
    definition_group_id: String,
    legal_entity_id: String,
    execution_id: String,
    overwrite: bool,
    entity_names: Vec<String>,
    options: FlowOptions,
}

/// A finished import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPackage {
    /// The execution (final status `Succeeded`, or `PartiallySucceeded` with its errors and
    /// staging error files when accepted).
    pub report: ExecutionReport,
    /// The id of the blob the package was uploaded to.
    pub blob_id: String,
    /// The package's size in bytes.
    pub bytes: u64,
    /// The package file.
    pub path: PathBuf,
}

impl Dmf {
    /// An import with the data project `definition_group_id` into the legal entity
    /// `legal_entity_id`, overwriting existing records.
    pub fn import(&self, definition_group_id: &str, legal_entity_id: &str) -> ImportFlow {
        ImportFlow {
            dmf: self.clone(),
            definition_group_id: definition_group_id.to_owned(),
            legal_entity_id: legal_entity_id.to_owned(),
            execution_id: String::new(),
            overwrite: true,
            entity_names: Vec::new(),
            options: FlowOptions::default(),
        }
    }
}

impl ImportFlow {
    /// Whether existing records are overwritten (default `true`; must be `false` for
    /// composite entities).
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// Uses `execution_id` instead of one F&O makes.
    pub fn execution_id(mut self, execution_id: &str) -> Self {
        self.execution_id = execution_id.to_owned();
        self
    }

    /// Asks for the staging error file of the entity `entity_name` (as named in the data
    /// project, e.g. `Customer groups`) when the import does not fully succeed.
    pub fn staging_errors_for(mut self, entity_name: &str) -> Self {
        self.entity_names.push(entity_name.to_owned());
        self
    }

    /// Polling, partial success, transfer timeout and progress.
    pub fn options(mut self, options: FlowOptions) -> Self {
        self.options = options;
        self
    }

    /// Uploads the package at `path` and imports it.
    ///
    /// # Errors
    /// [`Error::Dmf`](crate::Error::Dmf): [`DmfErrorKind::CorruptPackage`](super::DmfErrorKind::CorruptPackage) when the file is not
    /// a ZIP (checked before anything is sent), [`DmfErrorKind::Io`](super::DmfErrorKind::Io) when it cannot be read,
    /// storage refusals of the upload, and, with the execution's report (errors and staging
    /// error files included), an import that ends `Failed`, `Canceled`, `PartiallySucceeded`
    /// (unless accepted) or does not finish in time; the service's refusal of a call as its
    /// [`Error`](crate::Error) variant.
    pub async fn from_file(self, path: impl AsRef<Path>) -> Result<ImportedPackage> {
        let path = path.as_ref();
        let bytes = check_local_package(path).await?;
        let dmf = &self.dmf;
        let write = dmf
            .azure_write_url(&unique_file_name(&self.definition_group_id))
            .await?;
        let transfer = Transfer {
            client: dmf.client(),
            timeout: self.options.transfer_timeout,
            progress: self.options.progress.clone(),
        };
        transfer.upload_file(path, bytes, &write.blob_url).await?;
        let execution_id = dmf
            .import_from_package(&ImportFromPackage {
                package_url: write.blob_url.clone(),
                definition_group_id: self.definition_group_id.clone(),
                execution_id: self.execution_id.clone(),
                execute: true,
                overwrite: self.overwrite,
                legal_entity_id: self.legal_entity_id.clone(),
            })
            .await?;
        let group = &self.definition_group_id;
        let report = dmf.poll(group, &execution_id, &self.options.poll).await?;
        let what = format!("import {execution_id} of {} with {group}", path.display());
        let report = dmf
            .settle(report, &self.options, &self.entity_names, &what)
            .await?;
        Ok(ImportedPackage {
            report,
            blob_id: write.blob_id,
            bytes,
            path: path.to_owned(),
        })
    }
}

/// A blob name no other upload of this process (or, by the clock, of another) uses:
/// `<project>-<nanoseconds since 1970, hex>-<counter>.zip`, letters, digits, `-` and `_` only.
fn unique_file_name(definition_group_id: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let stem: String = definition_group_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{stem}-{nanos:x}-{n}.zip")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_file_names_differ_and_are_url_safe() {
        let a = unique_file_name("Customer groups/import");
        let b = unique_file_name("Customer groups/import");
        assert_ne!(a, b);
        assert!(
            a.starts_with("Customer_groups_import-") && a.ends_with(".zip"),
            "{a}"
        );
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
            "{a}"
        );
    }
}
