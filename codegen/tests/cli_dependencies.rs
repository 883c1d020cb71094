//! What a build script pulls in: the default features are the library alone, without the
//! command-line tool's dependencies (clap, reqwest, tokio, Entra ID credentials, the runtime).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The crates of `cargo tree -p d365fo-odata-codegen -e normal` with these extra arguments, one
/// `name version` a line, without duplicates.
fn tree(extra: &[&str]) -> Vec<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-p",
            "d365fo-odata-codegen",
            "-e",
            "normal",
        ])
        .args(["--prefix", "none", "--manifest-path"])
        .arg(&manifest)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cargo tree");
    let started = Instant::now();
    while child.try_wait().expect("wait for cargo tree").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("cargo tree took over 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("cargo tree output");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut crates: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| l.trim_end_matches(" (*)").to_owned())
        .collect();
    crates.sort();
    crates.dedup();
    crates
}

fn has(crates: &[String], name: &str) -> bool {
    crates.iter().any(|c| c.split(' ').next() == Some(name))
}

#[test]
fn default_features_are_what_a_build_script_needs() {
    let default = tree(&[]);
    for name in ["clap", "reqwest", "tokio", "azure_identity", "d365fo-odata"] {
        assert!(
            !has(&default, name),
            "{name} in the default tree: {default:?}"
        );
    }
    for name in ["quick-xml", "syn", "toml"] {
        assert!(has(&default, name), "{name} missing: {default:?}");
    }
    let cli = tree(&["--features", "cli"]);
    for name in ["clap", "reqwest", "tokio", "azure_identity", "d365fo-odata"] {
        assert!(has(&cli, name), "{name} not in the cli tree");
    }
    assert!(
        default.len() * 4 < cli.len(),
        "default {} crates, cli {}",
        default.len(),
        cli.len()
    );
}
