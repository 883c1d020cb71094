//! Build time of generated bindings: N real-shaped F&O entities (~100 properties each, from the
//! synthetic document) generated into a scratch crate and built with `cargo build` (debug),
//! against the same entities written as plain `#[derive(Serialize, Deserialize)]` structs with
//! `String`/`f64` fields. Dependencies are built first, so only the crate itself is timed.
//!
//! Run: `cargo bench -p d365fo-odata-codegen --bench build_time -- 10 50 200` (slow: minutes);
//! add `read-only` to generate without write models.
//! Scratch crates live under `$CARGO_TARGET_DIR/build-time` (or `target/build-time`).
#![allow(clippy::print_stdout)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use d365fo_odata_codegen::Generator;
use d365fo_odata_codegen::csdl::Primitive;
use d365fo_odata_codegen::synthetic::SyntheticSpec;

fn write_crate(dir: &Path, name: &str, runtime: &Path, lib: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nd365fo-odata = {{ path = {runtime:?} }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n\n[workspace]\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
}

/// CPU seconds (user + system) of this process's waited-for children, from `/proc/self/stat`
/// (Linux; clock ticks of 1/100 s). `None` elsewhere.
fn children_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(13)?.parse::<f64>().ok()? + fields.get(14)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// A timed `cargo build` (debug, not incremental, so that every build compiles everything):
/// wall seconds and CPU seconds of the compiler.
fn cargo_build(dir: &Path, target: &Path) -> (f64, f64) {
    let cpu_before = children_cpu_s().unwrap_or(0.0);
    let started = Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .status()
        .unwrap();
    assert!(status.success(), "cargo build failed in {}", dir.display());
    let wall = started.elapsed().as_secs_f64();
    (wall, children_cpu_s().unwrap_or(0.0) - cpu_before)
}

/// The same entities as plain serde structs: every property `Option<String>` or `Option<f64>`.
fn plain_structs(generator: &Generator, sets: &[String]) -> String {
    let doc = generator.document();
    let mut out = String::from("//! Plain serde structs.\n#![allow(missing_docs)]\n\n");
    for set in sets {
        let set = doc.entity_set(set).unwrap();
        let ty = doc.entity_type(&set.entity_type).unwrap();
        let _ = writeln!(
            out,
            "#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]\npub struct {} {{",
            ty.name
        );
        for (i, p) in doc.all_properties(ty).iter().enumerate() {
            let number = matches!(
                p.ty.primitive(),
                Some(
                    Primitive::Decimal
                        | Primitive::Double
                        | Primitive::Int32
                        | Primitive::Int64
                        | Primitive::Int16
                )
            );
            let rust = if number { "f64" } else { "String" };
            let _ = writeln!(
                out,
                "    #[serde(rename = \"{}\")]\n    pub f{i}: Option<{rust}>,",
                p.name
            );
        }
        out.push_str("}\n\n");
    }
    out
}

fn main() {
    let mut counts: Vec<usize> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    // `read-only`: generate without create/update models (`Generator::write_models(false)`).
    let write_models = !std::env::args().any(|a| a == "read-only");
    if counts.is_empty() {
        counts = vec![10, 50];
    }
    let largest = counts.iter().copied().max().unwrap_or(10);
    let spec = SyntheticSpec {
        entity_types: largest.max(10),
        min_properties: 95,
        max_properties: 105,
        enums: 40,
        ..SyntheticSpec::full_scale()
    };
    let xml = spec.generate();
    let generator = Generator::from_bytes(&xml, "build-time.xml").unwrap();
    let all_sets: Vec<String> = generator
        .document()
        .entity_sets()
        .map(|s| s.name.to_string())
        .collect();

    let target_root = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let root = target_root.join("build-time");
    let shared_target = root.join("target");
    // `BUILD_TIME_RUNTIME` points the scratch crates at another checkout of the runtime crate.
    let runtime = std::env::var_os("BUILD_TIME_RUNTIME")
        .map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
            PathBuf::from,
        )
        .canonicalize()
        .unwrap();

    // Build the dependencies once, so that each timed build compiles only the crate.
    let warm = root.join("warm");
    write_crate(&warm, "warm", &runtime, "//! Dependencies only.\n");
    println!(
        "building dependencies: {:.1} s",
        cargo_build(&warm, &shared_target).0
    );

    // Wall time depends on what else runs on the machine; CPU time (of the compiler) much less.
    println!(
        "| N | generated: wall s | CPU s | CPU s/entity | lines | plain serde: wall s | CPU s | \
         CPU ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for n in counts {
        let sets = &all_sets[..n.min(all_sets.len())];
        let generated = generator
            .clone()
            .entity_sets(sets.iter().cloned())
            .write_models(write_models)
            .generate()
            .unwrap();
        let dir = root.join(format!("generated-{n}"));
        let lib = "//! Generated bindings.\n\ninclude!(\"bindings.rs\");\n";
        write_crate(&dir, &format!("generated-{n}"), &runtime, lib);
        std::fs::write(dir.join("src/bindings.rs"), &generated.code).unwrap();
        let (generated_wall, generated_cpu) = cargo_build(&dir, &shared_target);

        let plain_dir = root.join(format!("plain-{n}"));
        write_crate(
            &plain_dir,
            &format!("plain-{n}"),
            &runtime,
            &plain_structs(&generator, sets),
        );
        let (plain_wall, plain_cpu) = cargo_build(&plain_dir, &shared_target);
        println!(
            "| {n} | {generated_wall:.1} | {generated_cpu:.1} | {:.2} | {} | {plain_wall:.1} | \
             {plain_cpu:.1} | {:.2} |",
            generated_cpu / n as f64,
            generated.code.lines().count(),
            generated_cpu / plain_cpu
        );
    }
}
