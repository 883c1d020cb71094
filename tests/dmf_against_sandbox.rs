//! The data management (DMF) package API against the sandbox: both flows end to end, the typed
//! action calls, and every way a flow can fail (failed, partial, never final, package gone or
//! corrupt, a broken download, a corrupt local file).
//!
//! The shared sandbox requires a bearer token on `/data` and its blob store refuses any request
//! that carries one, so each successful transfer here also proves the token stayed home.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::sandbox_client;
use d365fo_odata::dmf::{DmfError, DmfErrorKind, ExecutionStatus, FlowOptions, PollPolicy};
use d365fo_odata::{Client, Error};
use d365fo_sandbox::{Fault, Sandbox};
use serde::Deserialize;

/// Quick polling: the sandbox's executions are final after at most 1 s.
fn fast() -> FlowOptions {
    FlowOptions::new().poll(
        PollPolicy::default()
            .first_delay(Duration::from_millis(50))
            .max_delay(Duration::from_millis(400))
            .timeout(Duration::from_secs(20)),
    )
}

/// A fresh folder for one test, removed when dropped.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn dir(test: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("dmf-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn dmf_error(e: Error) -> DmfError {
    match e {
        Error::Dmf(e) => *e,
        other => panic!("expected a DMF error, got {other:?}"),
    }
}

/// Files in `dir` (to prove nothing partial was left behind).
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap();
    entries.map(|e| e.unwrap().path()).collect()
}

/// Progress calls as they were made.
type Calls = Arc<Mutex<Vec<(u64, Option<u64>)>>>;

/// A progress callback that records its calls.
fn recorder() -> (Calls, impl Fn(u64, Option<u64>) + Send + Sync + 'static) {
    let calls = Calls::default();
    let sink = calls.clone();
    (calls, move |done, total| {
        sink.lock().unwrap().push((done, total))
    })
}

/// A stored (uncompressed) ZIP of `files`, as a data package is laid out.
fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    0xEDB8_8320 ^ (crc >> 1)
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (mut out, mut directory) = (Vec::new(), Vec::new());
    for (name, data) in files {
        let offset = out.len() as u32;
        let fixed = |out: &mut Vec<u8>| {
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&crc32(data).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        };
        out.extend_from_slice(b"PK\x03\x04");
        fixed(&mut out);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        directory.extend_from_slice(b"PK\x01\x02\x14\x00");
        fixed(&mut directory);
        directory.extend_from_slice(&[0; 12]);
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let (directory_offset, directory_size) = (out.len() as u32, directory.len() as u32);
    out.extend_from_slice(&directory);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&directory_size.to_le_bytes());
    out.extend_from_slice(&directory_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// A customer groups package with `csv` as its data file, written to `dir/name`.
fn customer_group_package(dir: &Path, name: &str, csv: &str) -> PathBuf {
    let data = format!("\u{feff}{csv}");
    let bytes = zip(&[
        ("Customer groups.csv", data.as_bytes()),
        ("Manifest.xml", b"<DataManagementPackageManifest/>"),
        ("PackageHeader.xml", b"<DataManagementPackageHeader/>"),
    ]);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[derive(Deserialize, Debug, PartialEq)]
struct Group {
    #[serde(rename = "CustomerGroupId")]
    id: String,
    #[serde(rename = "Description")]
    description: Option<String>,
}

async fn groups(client: &Client, company: &str, prefix: &str) -> Vec<Group> {
    client
        .query("CustomerGroups")
        .cross_company()
        .filter(format!(
            "dataAreaId eq '{company}' and startswith(CustomerGroupId,'{prefix}')"
        ))
        .order_by("CustomerGroupId")
        .collect_all(100)
        .await
        .unwrap()
}

#[tokio::test]
async fn export_flow_downloads_the_package_to_a_file_with_progress() {
    let client = sandbox_client(None);
    let dir = dir("export-file");
    let path = dir.join("customer-groups.zip");
    let (seen, progress) = recorder();
    let exported = client
        .dmf()
        .export("CustomerGroupsExport", "usmf")
        .package_name("customer-groups")
        .options(fast().progress(progress))
        .to_file(&path)
        .await
        .unwrap();

    let report = &exported.report;
    assert_eq!(report.status, ExecutionStatus::Succeeded);
    assert_eq!(report.definition_group_id, "CustomerGroupsExport");
    assert!(
        report
            .execution_id
            .starts_with("Export-CustomerGroupsExport-")
    );
    assert!(
        report.polls >= 2,
        "the sandbox answers NotRun first: {report:?}"
    );
    assert!(report.errors.is_empty());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(exported.bytes, bytes.len() as u64);
    assert_eq!(exported.path.as_deref(), Some(path.as_path()));
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    for name in ["Customer groups.csv", "Manifest.xml", "PackageHeader.xml"] {
        assert!(
            bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "{name} missing from the package"
        );
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.first(), Some(&(0, Some(exported.bytes))));
    assert_eq!(seen.last(), Some(&(exported.bytes, Some(exported.bytes))));
    assert_eq!(files_in(&dir), [path.as_path()]);
}

#[tokio::test]
async fn export_flow_streams_the_package_into_a_writer() {
    let client = sandbox_client(None);
    let mut sink: Vec<u8> = Vec::new();
    let exported = client
        .dmf()
        .export("CustomersV3Export", "gbsi")
        .options(fast())
        .to_writer(&mut sink)
        .await
        .unwrap();
    assert_eq!(exported.bytes, sink.len() as u64);
    assert_eq!(exported.path, None);
    assert_eq!(&sink[..4], b"PK\x03\x04");
    assert!(sink.windows(16).any(|w| w == b"Customers V3.csv"));
}

/// Runs an export of `group` (package `package_name`) into a fresh folder, expecting it to fail,
/// and checks that nothing, not even a partial file, was left there.
async fn failed_export(group: &str, package_name: &str, options: FlowOptions) -> DmfError {
    let dir = dir(package_name);
    let e = sandbox_client(None)
        .dmf()
        .export(group, "usmf")
        .package_name(package_name)
        .options(options)
        .to_file(dir.join("package.zip"))
        .await
        .unwrap_err();
    assert!(
        files_in(&dir).is_empty(),
        "left behind: {:?}",
        files_in(&dir)
    );
    dmf_error(e)
}

#[tokio::test]
async fn export_of_an_unknown_project_fails_with_its_errors() {
    let e = failed_export("NoSuchProject", "unknown-project", fast()).await;
    assert_eq!(e.kind, DmfErrorKind::ExecutionFailed);
    let report = e.report.as_ref().unwrap();
    assert_eq!(report.status, ExecutionStatus::Failed);
    assert_eq!(report.errors, ["Data project NoSuchProject not found."]);
    assert!(
        e.to_string()
            .contains("Data project NoSuchProject not found."),
        "{e}"
    );
}

#[tokio::test]
async fn execution_that_never_finishes_times_out_with_its_last_status() {
    let timeout = Duration::from_millis(1500);
    let options = FlowOptions::new().poll(
        PollPolicy::default()
            .first_delay(Duration::from_millis(100))
            .timeout(timeout),
    );
    let e = failed_export("NeverFinishesExport", "never-final", options).await;
    assert_eq!(e.kind, DmfErrorKind::TimedOut);
    let report = e.report.as_ref().unwrap();
    assert_eq!(report.status, ExecutionStatus::Executing);
    assert!(report.waited >= timeout, "{report:?}");
    assert!(report.waited < timeout * 3, "{report:?}");
    // At once, then 100, 200, 400, 800 ms (cut to the time left): five or six calls.
    assert!((4..=7).contains(&report.polls), "{report:?}");
    assert!(e.to_string().contains("did not finish within 1.5s"), "{e}");
}

#[tokio::test]
async fn package_that_is_gone_is_not_found_and_leaves_no_file() {
    let e = failed_export("ExpiredPackageExport", "gone", fast()).await;
    assert_eq!(e.kind, DmfErrorKind::PackageNotFound);
    let status = &e.report.as_ref().unwrap().status;
    assert_eq!(status, &ExecutionStatus::Succeeded);
    let shown = e.to_string();
    assert!(
        shown.contains("404") && shown.contains("BlobNotFound"),
        "{shown}"
    );
    assert!(!shown.contains("sig=sandbox"), "signature in {shown}");
    assert!(shown.contains("sig=REDACTED"), "{shown}");
}

#[tokio::test]
async fn corrupt_package_is_refused_and_removed() {
    let e = failed_export("CorruptPackageExport", "corrupt", fast()).await;
    assert_eq!(e.kind, DmfErrorKind::CorruptPackage);
    let message = &e.message;
    assert!(
        message.contains("no ZIP end of central directory"),
        "{message}"
    );

    let mut sink = Vec::new();
    let e = sandbox_client(None)
        .dmf()
        .export("CorruptPackageExport", "usmf")
        .options(fast())
        .to_writer(&mut sink)
        .await
        .unwrap_err();
    assert_eq!(dmf_error(e).kind, DmfErrorKind::CorruptPackage);
}

#[tokio::test]
async fn download_cut_off_mid_body_is_a_transfer_error_and_leaves_no_file() {
    Sandbox::shared()
        .add_fault(&Fault::reset().method("GET").path_contains("reset-me"))
        .unwrap();
    let e = failed_export("CustomersV3Export", "reset-me", fast()).await;
    assert_eq!(e.kind, DmfErrorKind::Transfer, "{e}");
    assert!(e.report.is_some());
}

#[tokio::test]
async fn throttled_status_call_is_retried_and_the_flow_completes() {
    let sandbox = Sandbox::shared();
    let client = Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .bearer_token(sandbox.token().unwrap())
        .default_header("x-sandbox-tag", "dmf-throttle")
        .unwrap()
        .build()
        .unwrap();
    sandbox
        .add_fault(
            &Fault::throttle("1")
                .tagged("dmf-throttle")
                .path_contains("GetExecutionSummaryStatus"),
        )
        .unwrap();
    let started = std::time::Instant::now();
    let mut sink = Vec::new();
    let exported = client
        .dmf()
        .export("CustomerGroupsExport", "demf")
        .options(fast())
        .to_writer(&mut sink)
        .await
        .unwrap();
    assert_eq!(exported.report.status, ExecutionStatus::Succeeded);
    assert_eq!(exported.bytes, sink.len() as u64);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the 429 was not waited out"
    );
}

#[tokio::test]
async fn import_flow_uploads_and_imports_every_row() {
    let client = sandbox_client(None);
    let dir = dir("import-ok");
    let package = customer_group_package(
        &dir,
        "ok.zip",
        "CUSTOMERGROUPID,DESCRIPTION,ISSALESTAXINCLUDEDINPRICE\r\n\
         IMPOK1,\"First, imported\",Yes\r\nIMPOK2,Second,No\r\n",
    );
    let (seen, progress) = recorder();
    let imported = client
        .dmf()
        .import("CustomerGroupsImport", "usrt")
        .staging_errors_for("Customer groups")
        .options(fast().progress(progress))
        .from_file(&package)
        .await
        .unwrap();
    assert_eq!(imported.report.status, ExecutionStatus::Succeeded);
    assert!(imported.report.errors.is_empty());
    assert!(imported.report.staging_error_files.is_empty());
    assert!(imported.blob_id.starts_with('{'), "{}", imported.blob_id);
    let size = std::fs::metadata(&package).unwrap().len();
    assert_eq!(imported.bytes, size);
    assert_eq!(seen.lock().unwrap().last(), Some(&(size, Some(size))));
    assert_eq!(
        groups(&client, "usrt", "IMPOK").await,
        [
            Group {
                id: "IMPOK1".into(),
                description: Some("First, imported".into())
            },
            Group {
                id: "IMPOK2".into(),
                description: Some("Second".into())
            },
        ]
    );
}

#[tokio::test]
async fn import_with_invalid_rows_reports_partial_success_with_errors_and_staging_file() {
    let client = sandbox_client(None);
    let dir = dir("import-partial");
    let package = customer_group_package(
        &dir,
        "partial.zip",
        "CUSTOMERGROUPID,DESCRIPTION,ISSALESTAXINCLUDEDINPRICE\r\n\
         IMPPART1,Fine,No\r\nIMPPART-TOO-LONG,Too long a key,No\r\nIMPPART2,Bad enum,Perhaps\r\n",
    );
    let flow = || {
        client
            .dmf()
            .import("CustomerGroupsImport", "gbsi")
            .staging_errors_for("Customer groups")
    };
    let e = dmf_error(
        flow()
            .options(fast())
            .from_file(&package)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.kind, DmfErrorKind::PartiallySucceeded);
    let report = e.report.as_ref().unwrap();
    assert_eq!(report.status, ExecutionStatus::PartiallySucceeded);
    assert_eq!(report.errors.len(), 2, "{:?}", report.errors);
    assert!(
        report.errors[0].contains("line 3: Field 'CustomerGroupId'"),
        "{:?}",
        report.errors
    );
    assert!(
        report.errors[1].contains("'Perhaps' is not a member of NoYes"),
        "{:?}",
        report.errors
    );
    assert_eq!(report.staging_error_files.len(), 1);
    let staging = &report.staging_error_files[0];
    assert_eq!(staging.entity_name, "Customer groups");
    let file = reqwest::get(&staging.url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        file.starts_with("CUSTOMERGROUPID,DESCRIPTION,ISSALESTAXINCLUDEDINPRICE,ERROR"),
        "{file}"
    );
    assert!(
        file.contains("IMPPART-TOO-LONG") && file.contains("Perhaps"),
        "{file}"
    );
    assert!(
        !format!("{e:?}").contains("sig=sandbox"),
        "signature in {e:?}"
    );
    // The valid row was imported anyway.
    assert_eq!(
        groups(&client, "gbsi", "IMPPART").await,
        [Group {
            id: "IMPPART1".into(),
            description: Some("Fine".into())
        }]
    );

    // Accepted, the same outcome is a result that still carries the errors.
    let imported = flow()
        .options(fast().accept_partial_success(true))
        .from_file(&package)
        .await
        .unwrap();
    assert_eq!(imported.report.status, ExecutionStatus::PartiallySucceeded);
    assert_eq!(imported.report.errors.len(), 2);
    assert_eq!(imported.report.staging_error_files.len(), 1);
}

#[tokio::test]
async fn import_without_a_valid_row_fails_and_keeps_existing_records_without_overwrite() {
    let client = sandbox_client(None);
    let dir = dir("import-failed");
    let package = customer_group_package(
        &dir,
        "existing.zip",
        "CUSTOMERGROUPID,DESCRIPTION\r\n10,Renamed\r\n20,Renamed too\r\n",
    );
    let e = client
        .dmf()
        .import("CustomerGroupsImport", "demf")
        .overwrite(false)
        .options(fast())
        .from_file(&package)
        .await
        .unwrap_err();
    let e = dmf_error(e);
    assert_eq!(e.kind, DmfErrorKind::ExecutionFailed);
    let report = *e.report.unwrap();
    assert_eq!(report.status, ExecutionStatus::Failed);
    assert_eq!(report.errors.len(), 2);
    assert!(
        report
            .errors
            .iter()
            .all(|m| m.contains("The record already exists"))
    );
    assert!(report.staging_error_files.is_empty(), "none asked for");
    let untouched = groups(&client, "demf", "10").await;
    assert_ne!(untouched[0].description.as_deref(), Some("Renamed"));
}

#[tokio::test]
async fn corrupt_local_package_is_refused_before_anything_is_sent() {
    let client = sandbox_client(None);
    let dir = dir("import-corrupt");
    let whole = zip(&[("Manifest.xml", b"<x/>")]);
    let cut = dir.join("cut.zip");
    std::fs::write(&cut, &whole[..whole.len() - 10]).unwrap();
    let text = dir.join("text.zip");
    std::fs::write(&text, "this is not a zip").unwrap();
    for path in [&cut, &text] {
        let e = client
            .dmf()
            .import("CustomerGroupsImport", "usmf")
            .from_file(path)
            .await
            .unwrap_err();
        let e = dmf_error(e);
        assert_eq!(e.kind, DmfErrorKind::CorruptPackage, "{e}");
        assert!(e.report.is_none(), "no execution was started");
        assert!(
            e.message.contains(&path.display().to_string()),
            "{}",
            e.message
        );
    }
    let missing = client
        .dmf()
        .import("CustomerGroupsImport", "usmf")
        .from_file(dir.join("missing.zip"))
        .await
        .unwrap_err();
    assert_eq!(dmf_error(missing).kind, DmfErrorKind::Io);
}

#[tokio::test]
async fn typed_calls_answer_for_unknown_executions() {
    let dmf = sandbox_client(None).dmf();
    assert_eq!(
        dmf.execution_summary_status("no-such-execution")
            .await
            .unwrap(),
        ExecutionStatus::Unknown
    );
    assert_eq!(
        dmf.exported_package_url("no-such-execution").await.unwrap(),
        None
    );
    assert!(
        dmf.execution_errors("no-such-execution")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        dmf.import_staging_error_file_url("no-such-execution", "Customer groups")
            .await
            .unwrap(),
        None
    );
    let write = dmf.azure_write_url("typed-call.zip").await.unwrap();
    assert!(
        write.blob_url.contains("/_blob/dmf/typed-call.zip?"),
        "{write:?}"
    );
    assert_eq!(write.blob_id.len(), 38, "{{GUID}}: {}", write.blob_id);
}
