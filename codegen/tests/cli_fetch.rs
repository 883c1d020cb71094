//! `d365fo-codegen fetch`: downloads `$metadata` from the local sandbox with its bearer token,
//! and refuses (non-zero exit, a clear message, no file) when the token is missing or wrong, when
//! the answer is not a metadata document, or when the credential cannot get a token. Every request
//! goes to 127.0.0.1.
#![cfg(all(feature = "cli", feature = "fetch"))]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use d365fo_sandbox::Sandbox;

fn fetch(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .arg("fetch")
        .args(args)
        .current_dir(dir)
        // Keep the environment's credentials out of the way.
        .env_remove("D365FO_TOKEN")
        .env_remove("AZURE_CLIENT_SECRET")
        .env_remove("AZURE_FEDERATED_TOKEN_FILE")
        .env_remove("IDENTITY_ENDPOINT")
        .env_remove("MSI_ENDPOINT")
        .output()
        .expect("run d365fo-codegen")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A one-shot HTTP server on 127.0.0.1 that answers every request with `status`, `content_type`
/// and `body`; returns its origin.
fn canned_server(status: &'static str, content_type: &'static str, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    origin
}

#[test]
fn saves_the_sandbox_metadata_with_its_fingerprint_when_given_the_token() {
    let sandbox = Sandbox::shared();
    let dir = tempfile::tempdir().unwrap();
    let output = fetch(
        dir.path(),
        &[
            "--url",
            sandbox.base_url(),
            "--token",
            sandbox.token().unwrap(),
            "--out",
            "metadata/fno.xml",
        ],
    );
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");

    let saved = std::fs::read(dir.path().join("metadata/fno.xml")).unwrap();
    assert!(text(&saved).contains("<edmx:Edmx"), "not metadata");
    let fingerprint = sha256_hex(&saved);
    let sidecar = std::fs::read_to_string(dir.path().join("metadata/fno.xml.sha256")).unwrap();
    assert_eq!(sidecar, format!("{fingerprint}  fno.xml\n"));
    assert!(
        stdout.contains(&format!("sha256:{fingerprint}")),
        "{stdout}"
    );
    assert!(stderr.contains("received"), "no progress shown: {stderr}");
    assert!(!stderr.contains(sandbox.token().unwrap()), "{stderr}");
    assert_eq!(
        files_in(&dir.path().join("metadata")),
        ["fno.xml", "fno.xml.sha256"]
    );

    // The saved file is usable at once: list finds the sandbox's customers in it.
    let listed = Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .args(["list", "-m", "metadata/fno.xml", "-s", "CustomersV3"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(text(&listed.stdout).contains("CustomersV3"));
}

#[test]
fn without_a_token_the_401_fails_the_command_and_nothing_is_written() {
    let sandbox = Sandbox::shared();
    let dir = tempfile::tempdir().unwrap();
    let output = fetch(
        dir.path(),
        &[
            "--url",
            sandbox.base_url(),
            "--auth",
            "none",
            "--out",
            "fno.xml",
            "--quiet",
        ],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("refused access (HTTP 401)") && stderr.contains("with no authorization"),
        "{stderr}"
    );
    assert!(stderr.contains("$metadata"), "{stderr}");
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn a_wrong_token_is_refused_without_being_printed() {
    let sandbox = Sandbox::shared();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fno.xml"), "previous").unwrap();
    let output = fetch(
        dir.path(),
        &[
            "--url",
            sandbox.base_url(),
            "--token",
            "wrong-t0ken-value",
            "--out",
            "fno.xml",
        ],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("refused access (HTTP 401)") && stderr.contains("with a bearer token"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-t0ken-value"), "{stderr}");
    assert!(!text(&output.stdout).contains("wrong-t0ken-value"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("fno.xml")).unwrap(),
        "previous",
        "a failed fetch must leave the previous file alone"
    );
    assert_eq!(files_in(dir.path()), ["fno.xml"]);
}

#[test]
fn an_html_sign_in_page_is_refused_and_not_saved() {
    let origin = canned_server(
        "200 OK",
        "text/html; charset=utf-8",
        "<!DOCTYPE html>\n<html><head><title>Sign in to your account</title></head></html>",
    );
    let dir = tempfile::tempdir().unwrap();
    let output = fetch(
        dir.path(),
        &["--url", &origin, "--auth", "none", "--out", "fno.xml"],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("an HTML page"), "{stderr}");
    assert!(
        stderr.contains("not an edmx:Edmx metadata document"),
        "{stderr}"
    );
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[test]
fn a_json_error_body_is_refused_and_not_saved() {
    let origin = canned_server(
        "200 OK",
        "application/json",
        r#"{"error":{"code":"","message":"No HTTP resource was found"}}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let output = fetch(
        dir.path(),
        &["--url", &origin, "--auth", "none", "--out", "fno.xml"],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("JSON"), "{stderr}");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_managed_identity_that_cannot_get_a_token_is_a_typed_credential_error() {
    // The managed identity endpoint (App Service style) is a local server that refuses.
    let endpoint = canned_server(
        "400 Bad Request",
        "application/json",
        r#"{"error":"invalid_request","error_description":"Identity not found"}"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_d365fo-codegen"))
        .args(["fetch", "--url", "http://127.0.0.1:9/", "--out", "fno.xml"])
        .args(["--auth", "managed-identity"])
        .current_dir(dir.path())
        .env("IDENTITY_ENDPOINT", format!("{endpoint}/msi/token"))
        .env("IDENTITY_HEADER", "local-test-header")
        .env_remove("AZURE_CLIENT_ID")
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot obtain an access token from ManagedIdentityCredential"),
        "{stderr}"
    );
    assert!(!stderr.contains("local-test-header"), "{stderr}");
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let output = fetch(
        dir.path(),
        &[
            "--url",
            "http://contoso.operations.dynamics.com",
            "--auth",
            "none",
            "--out",
            "f.xml",
        ],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("http"), "{stderr}");
    assert!(files_in(dir.path()).is_empty());
}
