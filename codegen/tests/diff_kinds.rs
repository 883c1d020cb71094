//! `diff` over one fixture pair per change kind (`tests/fixtures/diff/kinds/*/`), checked two
//! ways: against the expected report (`expect.txt`: `breaking` or `not breaking`, then lines the
//! report must contain), and against the compiler: a snippet written against the old bindings
//! (`snippet.rs`) must compile against them, and must fail against the new bindings exactly when
//! `diff` calls the change breaking. All snippets are checked in one `cargo check` of a scratch
//! package: the bindings of every pair in its library (a crate of their own, as user code sees
//! generated bindings), each snippet twice as a binary.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use d365fo_odata_codegen::Generator;
use d365fo_odata_codegen::csdl::Document;
use d365fo_odata_codegen::diff::diff;
use d365fo_odata_codegen::select::Selection;

const SET: &str = "Items";

struct Pair {
    kind: String,
    dir: PathBuf,
}

fn pairs() -> Vec<Pair> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/kinds");
    let mut pairs: Vec<Pair> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| Pair {
            kind: e.file_name().to_string_lossy().into_owned(),
            dir: e.path(),
        })
        .collect();
    pairs.sort_by(|a, b| a.kind.cmp(&b.kind));
    assert!(pairs.len() >= 10, "fixture pairs missing under {root:?}");
    pairs
}

fn document(path: &Path) -> Document {
    Document::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bindings(path: &Path) -> String {
    Generator::from_file(path)
        .unwrap()
        .entity_sets([SET])
        .rustfmt(false)
        .generate()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .code
}

/// What `expect.txt` says: whether the change is breaking, and lines the report must contain.
fn expectation(pair: &Pair) -> (bool, Vec<String>) {
    let text = std::fs::read_to_string(pair.dir.join("expect.txt")).unwrap();
    let mut lines = text.lines();
    let breaking = match lines.next() {
        Some("breaking") => true,
        Some("not breaking") => false,
        other => panic!("{}: expect.txt starts with {other:?}", pair.kind),
    };
    (
        breaking,
        lines
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn each_change_kind_gets_the_expected_report() {
    let mut failures = Vec::new();
    for pair in pairs() {
        let old = document(&pair.dir.join("old.xml"));
        let new = document(&pair.dir.join("new.xml"));
        let report = diff(&old, &new, &Selection::new().entity_sets([SET])).unwrap();
        let text = report.to_string();
        let (breaking, lines) = expectation(&pair);
        if report.is_breaking() != breaking {
            failures.push(format!(
                "{}: expected breaking = {breaking}, got:\n{text}",
                pair.kind
            ));
        }
        for line in lines {
            if !text.contains(&line) {
                failures.push(format!("{}: missing {line:?} in:\n{text}", pair.kind));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Slow (a `cargo check` of a scratch package; the runtime's dependencies are built once into a
/// target directory shared with the corpus compile test).
#[test]
fn diff_says_breaking_exactly_when_a_snippet_written_against_the_old_bindings_stops_compiling() {
    let pairs = pairs();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let krate = target.join("diff-snippets");
    let _ = std::fs::remove_dir_all(&krate);
    let src = krate.join("src");
    std::fs::create_dir_all(src.join("bin")).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"diff-snippets\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\nd365fo-odata = {{ path = {:?} }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n\n[workspace]\n",
            runtime.canonicalize().unwrap()
        ),
    )
    .unwrap();
    // The workspace's lock file keeps dependency versions (and built artifacts) shared.
    let _ = std::fs::copy(runtime.join("Cargo.lock"), krate.join("Cargo.lock"));

    let mut lib = String::from("//! Bindings of every fixture pair.\n\n");
    let mut breaking = BTreeSet::new();
    for pair in &pairs {
        let kind = &pair.kind;
        let old = document(&pair.dir.join("old.xml"));
        let new = document(&pair.dir.join("new.xml"));
        let report = diff(&old, &new, &Selection::new().entity_sets([SET])).unwrap();
        if report.is_breaking() {
            breaking.insert(kind.clone());
        }
        std::fs::create_dir_all(src.join(kind)).unwrap();
        for side in ["old", "new"] {
            let code = bindings(&pair.dir.join(format!("{side}.xml")));
            std::fs::write(src.join(kind).join(format!("{side}.rs")), code).unwrap();
        }
        lib.push_str(&format!(
            "/// Pair `{kind}`.\npub mod {kind} {{\n    /// Old bindings.\n    pub mod old;\n    \
             /// New bindings.\n    pub mod new;\n}}\n"
        ));
        let snippet = std::fs::read_to_string(pair.dir.join("snippet.rs")).unwrap();
        for side in ["old", "new"] {
            std::fs::write(
                src.join("bin").join(format!("{kind}_{side}.rs")),
                format!(
                    "//! `{kind}`: the snippet against the {side} bindings.\n\
                     #![allow(dead_code, unused, missing_docs, unreachable_pub)]\n\
                     use diff_snippets::{kind}::{side} as b;\n\n{snippet}\nfn main() {{}}\n"
                ),
            )
            .unwrap();
        }
    }
    std::fs::write(src.join("lib.rs"), lib).unwrap();

    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .args(["check", "--bins", "--keep-going", "--message-format=short"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", target.join("emit-corpus-check-target"))
        // The corpus compile test's flags: artifacts are shared with it.
        .env(
            "RUSTFLAGS",
            "-D warnings -W missing_docs -W unreachable_pub -W rust_2018_idioms",
        )
        .output()
        .unwrap();
    eprintln!(
        "cargo check of {} snippets took {:.1} s",
        pairs.len() * 2,
        started.elapsed().as_secs_f64()
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failed = |bin: &str| {
        stderr.contains(&format!("src/bin/{bin}.rs:"))
            || stderr.contains(&format!("(bin \"{bin}\")"))
    };
    assert!(
        !stderr.contains("(lib)"),
        "the generated bindings do not compile:\n{stderr}"
    );
    let mut failures = Vec::new();
    for pair in &pairs {
        let kind = &pair.kind;
        if failed(&format!("{kind}_old")) {
            failures.push(format!(
                "{kind}: the snippet does not compile against the old bindings"
            ));
        }
        let broke = failed(&format!("{kind}_new"));
        let said = breaking.contains(kind);
        if broke != said {
            failures.push(format!(
                "{kind}: diff said breaking = {said}, the snippet {} against the new bindings",
                if broke { "fails" } else { "compiles" }
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\ncargo output:\n{stderr}",
        failures.join("\n")
    );
    // Every pair that diff calls breaking must really break: at least one of each side.
    assert!(!breaking.is_empty() && breaking.len() < pairs.len());
    let _ = std::fs::remove_dir_all(&krate);
}
