//! Generated code for real metadata documents of the external corpus: snapshots of two, and every
//! document's bindings compiled in one scratch crate, under `cargo check` and `cargo clippy` with
//! warnings denied.
//!
//! The corpus is read from `$ODATA_METADATA_CORPUS` (a directory with `fno/` and `odata-v4/`);
//! when it was not set at build time the corpus tests show as `ignored` in the test summary, with
//! the reason (see `build.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use d365fo_odata_codegen::synthetic::SyntheticSpec;
use d365fo_odata_codegen::{Generated, Generator};

/// The corpus folder; panics saying what is missing when the variable is unset (the tests
/// calling it are ignored then, unless run with `--ignored`).
fn corpus() -> PathBuf {
    match std::env::var_os("ODATA_METADATA_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => panic!("ODATA_METADATA_CORPUS is not set: set it to the metadata corpus directory"),
    }
}

/// Every entity set and every action/function import of the document.
fn generate_all(path: &Path) -> Option<Generated> {
    let generator = Generator::from_file(path).unwrap();
    let imports: Vec<String> = generator
        .document()
        .entity_containers()
        .flat_map(|c| c.action_imports.iter().chain(&c.function_imports))
        .map(|i| i.name.to_string())
        .collect();
    if generator.document().entity_sets().next().is_none() && imports.is_empty() {
        return None;
    }
    Some(
        generator
            .all_entity_sets()
            .operations(imports)
            .generate()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn fno_sales_document_bindings_match_snapshot() {
    let dir = corpus();
    let generated = generate_all(&dir.join("fno/sales__sales_trimmed_metadata.xml")).unwrap();
    insta::assert_snapshot!("corpus_fno_sales", generated.code);
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn trippin_document_bindings_match_snapshot() {
    let dir = corpus();
    let generated = generate_all(&dir.join("odata-v4/trippin/odata.net_TripPin.csdl.xml")).unwrap();
    insta::assert_snapshot!("corpus_trippin", generated.code);
    insta::assert_snapshot!("corpus_trippin_warnings", generated.warnings.join("\n"));
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

/// Runs `cargo <subcommand>` (plus `extra` arguments) in `krate`, with the scratch crates'
/// shared target directory and flags; prints its wall time.
fn cargo_in(krate: &Path, target: &Path, subcommand: &str, extra: &[&str]) -> std::process::Output {
    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .arg(subcommand)
        .arg("--quiet")
        .args(extra)
        .current_dir(krate)
        // One target directory for every scratch crate: the runtime is built once.
        .env("CARGO_TARGET_DIR", target.join("emit-corpus-check-target"))
        // The same flags for `check` and `clippy`, so that dependencies are built once.
        .env(
            "RUSTFLAGS",
            "-D warnings -W missing_docs -W unreachable_pub -W rust_2018_idioms",
        )
        .output()
        .unwrap();
    eprintln!(
        "cargo {subcommand} of {} took {:.1} s",
        krate.display(),
        started.elapsed().as_secs_f64()
    );
    output
}

/// A scratch crate under the target directory that depends on the runtime only (no `serde`
/// line: generated code reaches it through `d365fo-odata`), with one module per `(name, code)`
/// pair. `cargo check`, then `cargo clippy -- -D warnings` (clippy's default lints), run on it
/// with warnings denied; returns the first that fails, else clippy's output.
fn check_in_scratch_crate(crate_name: &str, modules: &[(String, String)]) -> std::process::Output {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let krate = target.join(crate_name);
    let src = krate.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = format!(
        "[package]\nname = {crate_name:?}\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\n\n[dependencies]\nd365fo-odata = {{ path = {:?} }}\n\n[workspace]\n",
        runtime.canonicalize().unwrap()
    );
    assert!(!manifest.contains("serde"), "{manifest}");
    std::fs::write(krate.join("Cargo.toml"), manifest).unwrap();
    let mut lib = String::from("//! Generated bindings, one module per document.\n\n");
    for (i, (name, code)) in modules.iter().enumerate() {
        let module = format!("doc{i:02}");
        std::fs::write(src.join(format!("{module}.rs")), code).unwrap();
        lib.push_str(&format!("/// Bindings of `{name}`.\npub mod {module};\n"));
    }
    std::fs::write(src.join("lib.rs"), lib).unwrap();
    let check = cargo_in(&krate, &target, "check", &[]);
    if !check.status.success() {
        return check;
    }
    cargo_in(&krate, &target, "clippy", &["--", "-D", "warnings"])
}

/// The dense synthetic profile (300 entity types, 10–40 navigation properties each, cycles of
/// every length), all entity sets.
fn dense_synthetic_bindings() -> (String, String) {
    let xml = SyntheticSpec::dense().generate();
    let generated = Generator::from_bytes(&xml, "dense-synthetic.xml")
        .unwrap()
        .all_entity_sets()
        .generate()
        .unwrap();
    (
        "synthetic dense navigation graph".to_owned(),
        generated.code,
    )
}

/// Slow (a few minutes once the runtime's dependencies are built, more the first time):
/// generates bindings for every corpus document (all entity sets and imports) and the dense
/// synthetic profile, puts each in a module of one scratch crate and runs `cargo check` and
/// `cargo clippy` on it with warnings denied. No `recursion_limit` or other limit is set:
/// bindings must compile without one.
#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn every_corpus_document_generates_bindings_that_compile_slow() {
    let dir = corpus();
    let mut files = Vec::new();
    xml_files(&dir, &mut files);
    // Shapes the corpus lacks: one entity type behind several entity sets.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    files.push(fixtures.join("several_sets.xml"));
    let mut modules = Vec::new();
    for file in &files {
        let Some(generated) = generate_all(file) else {
            continue;
        };
        let name = file
            .strip_prefix(&dir)
            .or_else(|_| file.strip_prefix(&fixtures))
            .unwrap()
            .display()
            .to_string();
        modules.push((name, generated.code));
    }
    assert!(
        modules.len() > 5,
        "only {} documents generated",
        modules.len()
    );
    modules.push(dense_synthetic_bindings());
    let output = check_in_scratch_crate("emit-corpus-check", &modules);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stderr.contains("warning"),
        "generated bindings do not pass cargo check and cargo clippy with warnings denied:\n{}",
        stderr.chars().take(20_000).collect::<String>()
    );
}

/// Slow (about a minute): the dense synthetic profile alone, which needs no corpus, under
/// `cargo check` and `cargo clippy` with warnings denied. Before
/// navigation fields were type-erased, proving `Send` for its read models overflowed the
/// trait solver's recursion limit.
#[test]
fn dense_navigation_graph_bindings_compile_without_a_recursion_limit_slow() {
    let output = check_in_scratch_crate("emit-dense-check", &[dense_synthetic_bindings()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stderr.contains("warning"),
        "dense bindings do not pass cargo check and cargo clippy ({} E0275 errors):\n{}",
        stderr.matches("error[E0275]").count(),
        stderr.chars().take(20_000).collect::<String>()
    );
}
