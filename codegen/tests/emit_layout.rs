//! The generator's own printer (no rustfmt) writes lines rustfmt would accept: none wider than
//! 100 columns unless nothing on it can be broken, and little left for `rustfmt` to change.
//!
//! The corpus documents are read from `$ODATA_METADATA_CORPUS`; without it those tests show as
//! ignored (the sandbox document is checked in).

mod common;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use d365fo_odata_codegen::Generator;

const MAX_WIDTH: usize = 100;

fn sandbox_code() -> String {
    let metadata = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sandbox/metadata.xml");
    Generator::from_file(metadata)
        .unwrap()
        .all_entity_sets()
        .operations(["SetCustomerOnHold", "GetCustomerCount"])
        .generate()
        .unwrap()
        .code
}

/// Every entity set and import of a corpus document.
fn corpus_code(relative: &str) -> (PathBuf, String) {
    let dir = common::corpus();
    let path = dir.join(relative);
    let generator = Generator::from_file(&path).unwrap();
    let imports: Vec<String> = generator
        .document()
        .entity_containers()
        .flat_map(|c| c.action_imports.iter().chain(&c.function_imports))
        .map(|i| i.name.to_string())
        .collect();
    let code = generator
        .all_entity_sets()
        .operations(imports)
        .generate()
        .unwrap()
        .code;
    (path, code)
}

/// Lines over the limit that could have been broken: not a comment, no string literal, and a
/// place to break (a list separator or an `=`).
fn breakable_long_lines(code: &str) -> Vec<(usize, &str)> {
    code.lines()
        .enumerate()
        .filter(|(_, line)| line.chars().count() > MAX_WIDTH)
        .filter(|(_, line)| {
            let text = line.trim_start();
            !text.starts_with("//")
                && !text.contains('"')
                && (text.trim_end_matches(',').contains(", ") || text.contains(" = "))
        })
        .map(|(n, line)| (n + 1, line))
        .collect()
}

/// `code` formatted by rustfmt, or `None` when rustfmt is not installed.
fn rustfmt(code: &str) -> Option<String> {
    let program = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let mut child = Command::new(program)
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take().unwrap();
    let input = code.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "rustfmt refused the generated code: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

/// Lines rustfmt adds or removes (a multiset difference: moved lines do not count).
fn changed_lines(before: &str, after: &str) -> usize {
    let mut count: HashMap<&str, isize> = HashMap::new();
    for line in before.lines() {
        *count.entry(line).or_default() += 1;
    }
    for line in after.lines() {
        *count.entry(line).or_default() -= 1;
    }
    count.values().map(|n| n.unsigned_abs()).sum()
}

fn check(name: &str, code: &str) {
    let long = breakable_long_lines(code);
    assert!(
        long.is_empty(),
        "{name}: {} lines over {MAX_WIDTH} columns could be broken, e.g. {:?}",
        long.len(),
        &long[..long.len().min(5)]
    );
    let Some(formatted) = rustfmt(code) else {
        eprintln!("SKIPPED rustfmt comparison for {name}: rustfmt is not installed");
        return;
    };
    let changed = changed_lines(code, &formatted);
    let lines = code.lines().count();
    eprintln!("{name}: {lines} lines, rustfmt changes {changed}");
    // Before the printer kept lines under the limit, rustfmt changed about a fifth of them.
    assert!(
        changed * 50 <= lines,
        "{name}: rustfmt changes {changed} of {lines} lines (more than 2%)"
    );
}

#[test]
fn sandbox_bindings_fit_in_100_columns_and_rustfmt_changes_little() {
    check("sandbox", &sandbox_code());
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn fno_corpus_bindings_fit_in_100_columns_and_rustfmt_changes_little() {
    let (path, code) = corpus_code("fno/sales__sales_trimmed_metadata.xml");
    check(&path.display().to_string(), &code);
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn trippin_bindings_fit_in_100_columns_and_rustfmt_changes_little() {
    let (path, code) = corpus_code("odata-v4/trippin/odata.net_TripPin.csdl.xml");
    check(&path.display().to_string(), &code);
}
