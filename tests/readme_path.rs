//! The README's "Start here" path, followed verbatim: its `Cargo.toml`, `build.rs` and
//! `src/main.rs` blocks (marked `<!-- readme-path: FILE -->`) become a scratch crate outside this
//! workspace, which must pass `cargo clippy -- -D warnings`.
//!
//! The scratch crate asks for `d365fo-odata = "0.1"` and `d365fo-odata-codegen = "0.1"` as the
//! README says; a `[patch.crates-io]` section appended by the test points both at this
//! workspace, and this workspace's `Cargo.lock` pins every other crate, so the build runs
//! `--offline`. It generates from an F&O document of `ODATA_METADATA_CORPUS` when that is set
//! (the first file of its `fno/` folder with a `CustomersV3` entity set), else from the sandbox's
//! `tests/sandbox/metadata.xml` (F&O-shaped, always in the repository), so it never skips.
//! The crate and its builds live in `target/readme-path` so reruns are incremental.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const MARKER: &str = "<!-- readme-path: ";

/// The "Start here" section: from its heading to the next `## ` heading.
fn start_here(readme: &str) -> &str {
    let start = readme
        .find("\n## Start here\n")
        .expect("README.md has a \"## Start here\" section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

/// `(file name, block text)` for every marked block of `section`, in order.
fn marked_blocks(section: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(at) = rest.find(MARKER) {
        let after = &rest[at + MARKER.len()..];
        let close = after
            .find(" -->")
            .expect("a readme-path marker ends with ` -->`");
        let name = after[..close].trim().to_string();
        let after = &after[close..];
        let fence = after.find("```").expect("a code block follows the marker");
        let body_start = fence + after[fence..].find('\n').expect("fence line ends") + 1;
        let body_len = after[body_start..]
            .find("\n```")
            .expect("the code block is closed")
            + 1;
        blocks.push((name, after[body_start..body_start + body_len].to_string()));
        rest = &after[body_start + body_len..];
    }
    blocks
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An F&O document from the corpus folder, or the sandbox's document.
fn metadata_source() -> PathBuf {
    if let Some(dir) = std::env::var_os("ODATA_METADATA_CORPUS") {
        let fno = Path::new(&dir).join("fno");
        let mut files: Vec<PathBuf> = fs::read_dir(&fno)
            .unwrap_or_else(|e| panic!("ODATA_METADATA_CORPUS {}: {e}", fno.display()))
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            if let Ok(text) = fs::read_to_string(&file)
                && text.contains("Name=\"CustomersV3\"")
            {
                return file;
            }
        }
        panic!(
            "no document with a CustomersV3 entity set in ODATA_METADATA_CORPUS {}",
            fno.display()
        );
    }
    workspace().join("tests/sandbox/metadata.xml")
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("a file has a parent")).expect("create dir");
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

#[test]
fn readme_blocks_are_found() {
    let readme = fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let names: Vec<String> = marked_blocks(start_here(&readme))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["Cargo.toml", "build.rs", "src/main.rs"]);
}

/// Slow the first time (builds the runtime and the generator under clippy in its own target
/// directory, a few minutes), incremental afterwards.
#[test]
fn readme_start_here_builds_as_an_external_crate() {
    let ws = workspace();
    let readme = fs::read_to_string(ws.join("README.md")).expect("README.md");
    let blocks = marked_blocks(start_here(&readme));
    let block = |name: &str| -> &str {
        &blocks
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("README Start here has no `{name}` block"))
            .1
    };

    let dependencies = block("Cargo.toml");
    assert!(
        !dependencies
            .lines()
            .any(|l| l.trim_start().starts_with("serde")),
        "the README's Cargo.toml must not need serde:\n{dependencies}"
    );

    // Crate and target directory under this workspace's target directory: reruns are
    // incremental, and nothing is left outside it.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| ws.join("target"))
        .join("readme-path");
    let dir = target.join("crate");
    let _ = fs::remove_dir_all(dir.join("src"));
    let manifest = format!(
        "[package]\nname = \"readme-path\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
         publish = false\n\n{dependencies}\n[workspace]\n\n[patch.crates-io]\n\
         d365fo-odata = {{ path = {runtime:?} }}\n\
         d365fo-odata-codegen = {{ path = {codegen:?} }}\n",
        runtime = ws.display().to_string(),
        codegen = ws.join("codegen").display().to_string(),
    );
    assert!(
        !manifest
            .lines()
            .any(|l| l.trim_start().starts_with("serde")),
        "{manifest}"
    );
    write(&dir.join("Cargo.toml"), &manifest);
    write(&dir.join("build.rs"), block("build.rs"));
    write(&dir.join("src/main.rs"), block("src/main.rs"));
    fs::copy(ws.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    let metadata = metadata_source();
    fs::create_dir_all(dir.join("metadata")).expect("metadata dir");
    fs::copy(&metadata, dir.join("metadata/fno.xml"))
        .unwrap_or_else(|e| panic!("copy {}: {e}", metadata.display()));

    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["clippy", "--offline", "--quiet", "--", "-D", "warnings"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("run cargo clippy");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the README's Start here crate (from {}) does not pass clippy:\n{stderr}",
        metadata.display()
    );
    assert!(
        !stderr.contains("warning"),
        "the README's Start here crate (from {}) builds with warnings:\n{stderr}",
        metadata.display()
    );
}
