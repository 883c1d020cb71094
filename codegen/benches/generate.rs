//! Code generation time and peak memory on the synthetic full-scale F&O document: 50 entity sets
//! and all of them (target: the full document in under 3 s).
//!
//! Run: `cargo bench -p d365fo-odata-codegen --bench generate`. Set `ODATA_METADATA_CORPUS` to
//! use the real F&O entity names.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use d365fo_odata_codegen::Generator;
use d365fo_odata_codegen::synthetic::SyntheticSpec;

/// Peak resident set size of this process (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let xml = SyntheticSpec::full_scale().with_corpus_names().generate();
    println!(
        "synthetic document: {:.1} MB, peak RSS after writing it {:.0} MiB",
        xml.len() as f64 / 1e6,
        peak_rss_mib().unwrap_or(0.0)
    );
    let started = Instant::now();
    let generator = Generator::from_bytes(&xml, "synthetic.xml").expect("parse");
    println!(
        "parse: {:.2} s, peak RSS {:.0} MiB",
        started.elapsed().as_secs_f64(),
        peak_rss_mib().unwrap_or(0.0)
    );
    let fifty: Vec<String> = generator
        .document()
        .entity_sets()
        .take(50)
        .map(|s| s.name.to_string())
        .collect();

    let fifty = generator.clone().entity_sets(fifty);
    for round in 0..3 {
        let started = Instant::now();
        let generated = fifty.generate().expect("generate 50");
        println!(
            "round {round}: generate 50 entity sets: {:.3} s, {:.1} MB of code, peak RSS {:.0} MiB",
            started.elapsed().as_secs_f64(),
            generated.code.len() as f64 / 1e6,
            peak_rss_mib().unwrap_or(0.0)
        );
    }
    let count = generator.document().entity_sets().count();
    let all = generator.all_entity_sets();
    for round in 0..2 {
        let started = Instant::now();
        let generated = all.generate().expect("generate all");
        println!(
            "round {round}: generate all {} entity sets: {:.2} s, {:.1} MB of code, peak RSS {:.0} MiB",
            count,
            started.elapsed().as_secs_f64(),
            generated.code.len() as f64 / 1e6,
            peak_rss_mib().unwrap_or(0.0)
        );
    }
}
