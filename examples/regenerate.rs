//! Fetch an environment's `$metadata` and regenerate typed bindings from it, showing what changed
//! since the document the previous bindings came from.
//!
//! ```text
//! cargo run --example regenerate [-- OUTPUT_DIR [PREVIOUS_METADATA.xml]]
//! ```
//!
//! The example downloads `$metadata` with `d365fo_odata_codegen::fetch` (the same code as
//! `d365fo-codegen fetch`), compares it with the previous document over the selected entity sets
//! (`d365fo_odata_codegen::diff`: which changes break bindings generated from the old one), then
//! saves it as `metadata.xml` (with its SHA-256 in `metadata.xml.sha256`) and writes the bindings
//! for the selection to `bindings.rs` in the output directory. Use the result with
//! `include!("…/bindings.rs")` in a module of a crate that depends on `d365fo-odata`,
//! or generate at build time from `metadata.xml` as `tests/bindings/build.rs` does.
//!
//! The previous document is the second argument; else `metadata.xml` of an earlier run in the
//! output directory; else, against the sandbox, `tests/sandbox/metadata.xml` (the document this
//! repository's sandbox bindings are generated from). With none, there is no comparison.
//!
//! With no `D365FO_URL` set, it fetches from the local sandbox (started on a free loopback port,
//! see `tests/sandbox/`). Against a real environment, set:
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it (or `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//!   `AZURE_CLIENT_SECRET` of an app registration, or a signed-in Azure CLI)
//! - `D365FO_ENTITY_SETS` (optional): the entity sets to generate, comma-separated (default
//!   `CustomersV3,SalesOrderHeadersV2,SalesOrderLines`); the types they use follow
//!
//! The output directory is the first argument, else `d365fo-bindings` in the system's temporary
//! directory. It prints the download (size, time, fingerprint), the comparison report, and a
//! summary of the generated file.
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::path::{Path, PathBuf};

use d365fo_odata::Auth;
use d365fo_odata_codegen::Generator;
use d365fo_odata_codegen::Selection;
use d365fo_odata_codegen::csdl::Document;
use d365fo_odata_codegen::diff::diff;
use d365fo_odata_codegen::fetch::Fetch;

mod common;

/// The metadata document this repository's sandbox bindings are generated from.
const SANDBOX_METADATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sandbox/metadata.xml");

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let connection = common::connect()?;
    let mut args = std::env::args_os().skip(1);
    let out_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("d365fo-bindings"));
    let sets: Vec<String> = common::env_or(
        "D365FO_ENTITY_SETS",
        "CustomersV3,SalesOrderHeadersV2,SalesOrderLines",
    )
    .split(',')
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty())
    .collect();
    let metadata_path = out_dir.join("metadata.xml");
    let previous = args.next().map(PathBuf::from).or_else(|| {
        if metadata_path.is_file() {
            Some(metadata_path.clone())
        } else if connection.is_sandbox() {
            Some(PathBuf::from(SANDBOX_METADATA))
        } else {
            None
        }
    });

    // Download.
    let auth = match connection.fixed_token() {
        Some(token) => Auth::Bearer(d365fo_odata::Secret::new(token)),
        None => Auth::from_env()?,
    };
    let fetch = Fetch::new(connection.url()).auth(auth);
    println!("GET {}", fetch.metadata_url()?);
    let downloaded = fetch.download().await?;
    println!(
        "downloaded {} bytes in {:.2?}: {} entity sets, {} entity types, {} enum types",
        downloaded.body.len(),
        downloaded.elapsed,
        downloaded.document.entity_sets().count(),
        downloaded.document.entity_types().count(),
        downloaded.document.enum_types().count(),
    );
    println!("metadata SHA-256 {}", downloaded.sha256);

    // Compare with the previous document over the selection, before it is overwritten.
    match &previous {
        Some(path) => {
            let old = Document::from_path(path)?;
            let report = diff(
                &old,
                &downloaded.document,
                &Selection::new().entity_sets(&sets),
            )?;
            println!("\n{report}");
            if report.is_breaking() {
                println!(
                    "bindings generated from {} need changes in the code that uses them",
                    path.display()
                );
            }
        }
        None => println!("no previous metadata to compare with"),
    }

    // Save the document and generate the bindings.
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let saved = downloaded.save(&metadata_path)?;
    println!(
        "saved {} and {}",
        saved.path.display(),
        saved.fingerprint_path.display()
    );
    let bindings_path = out_dir.join("bindings.rs");
    let generated = Generator::from_bytes(&downloaded.body, "metadata.xml")?
        .entity_sets(&sets)
        .write_to_file(&bindings_path)?;
    summarize(&bindings_path, &sets, &generated.code, &generated.warnings);
    if generated.fingerprint != downloaded.sha256 {
        return Err(format!(
            "the bindings name metadata {} but the download was {}",
            generated.fingerprint, downloaded.sha256
        )
        .into());
    }
    Ok(())
}

/// Prints what was generated: size, items, and the generator's notes.
fn summarize(path: &Path, sets: &[String], code: &str, warnings: &[String]) {
    let count = |prefix: &str| code.lines().filter(|l| l.starts_with(prefix)).count();
    println!(
        "wrote {} for {}: {} lines, {} structs, {} enums, {} modules",
        path.display(),
        sets.join(", "),
        code.lines().count(),
        count("pub struct "),
        count("pub enum "),
        count("pub mod "),
    );
    for line in code.lines().take_while(|l| l.starts_with("//")) {
        println!("  {line}");
    }
    if !warnings.is_empty() {
        println!("{} note(s) from the generator:", warnings.len());
        for warning in warnings {
            println!("  {warning}");
        }
    }
}
