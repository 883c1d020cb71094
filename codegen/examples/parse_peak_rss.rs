//! Parses a metadata file and prints the parse time and this process's peak resident memory
//! (VmHWM) next to the file size.
//!
//! `cargo run --release -p d365fo-odata-codegen --example parse_peak_rss [-- path.xml]`
//! (`-- --write path.xml` only writes the synthetic document).
//!
//! Without a path, the synthetic full-scale F&O document is first streamed to a temporary file
//! (generation holds almost nothing in memory), so the peak is the parser's.

use std::io::BufWriter;
use std::time::Instant;

use d365fo_odata_codegen::csdl::Document;
use d365fo_odata_codegen::synthetic::SyntheticSpec;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Nanoseconds this thread has spent on a CPU (wall time is unreliable on a busy machine).
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn bare_event_loop(path: &std::path::Path) -> Result<usize, Box<dyn std::error::Error>> {
    let file = std::io::BufReader::with_capacity(64 * 1024, std::fs::File::open(path)?);
    let mut reader = quick_xml::Reader::from_reader(file);
    let mut buf = Vec::with_capacity(1024);
    let mut events = 0;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf)? {
            quick_xml::events::Event::Eof => return Ok(events),
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                for attr in e.attributes() {
                    std::hint::black_box(attr?);
                }
                events += 1;
            }
            _ => events += 1,
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--write") {
        let out = args.get(1).ok_or("--write needs a path")?;
        let file = std::fs::File::create(out)?;
        SyntheticSpec::full_scale()
            .with_corpus_names()
            .write(BufWriter::new(file))?;
        return Ok(());
    }
    let (path, temporary) = match args.first() {
        Some(path) => (std::path::PathBuf::from(path), false),
        None => {
            let path =
                std::env::temp_dir().join(format!("synthetic-fno-{}.xml", std::process::id()));
            let file = std::fs::File::create(&path)?;
            SyntheticSpec::full_scale()
                .with_corpus_names()
                .write(BufWriter::new(file))?;
            (path, true)
        }
    };
    let size = std::fs::metadata(&path)?.len();
    let before = peak_rss_kib().unwrap_or(0);
    let cpu_start = thread_cpu_ns().unwrap_or(0);
    let start = Instant::now();
    let doc = Document::from_path(&path)?;
    let elapsed = start.elapsed();
    let cpu = thread_cpu_ns().unwrap_or(0).saturating_sub(cpu_start) as f64 / 1e9;
    let peak = peak_rss_kib().unwrap_or(0);
    let properties: usize = doc.entity_types().map(|t| t.properties.len()).sum();
    let annotations: usize = doc
        .entity_types()
        .flat_map(|t| &t.properties)
        .map(|p| p.annotations.len())
        .sum();
    eprintln!(
        "file: {} ({size} bytes, {:.1} MB)",
        path.display(),
        size as f64 / 1e6
    );
    eprintln!(
        "model: {} entity types, {properties} properties, {annotations} property annotations, {} enums",
        doc.entity_types().count(),
        doc.enum_types().count()
    );
    eprintln!(
        "parse (from_path, streaming): {:.3} s, {:.0} MB/s",
        elapsed.as_secs_f64(),
        size as f64 / 1e6 / elapsed.as_secs_f64()
    );
    eprintln!(
        "parse CPU time (this thread): {cpu:.3} s, {:.0} MB/s",
        size as f64 / 1e6 / cpu
    );
    eprintln!(
        "peak RSS (VmHWM): {:.1} MB before parse, {:.1} MB after = {:.2}x the file size",
        before as f64 / 1024.0,
        peak as f64 / 1024.0,
        (peak * 1024) as f64 / size as f64
    );
    drop(doc);

    // Baseline: a bare quick-xml event loop over the same file, measured the same way.
    let cpu_start = thread_cpu_ns().unwrap_or(0);
    let events = bare_event_loop(&path)?;
    let bare = thread_cpu_ns().unwrap_or(0).saturating_sub(cpu_start) as f64 / 1e9;
    eprintln!(
        "bare quick-xml event loop ({events} events) CPU time: {bare:.3} s, {:.0} MB/s; parse/bare time ratio {:.2}",
        size as f64 / 1e6 / bare,
        cpu / bare
    );
    if temporary {
        std::fs::remove_file(&path)?;
    }
    Ok(())
}
