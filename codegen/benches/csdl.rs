//! Parse and selection throughput on the synthetic full-scale F&O document (~40 MB), with a
//! bare quick-xml event loop over the same bytes as the baseline in the same group.
//!
//! Run: `cargo bench -p d365fo-odata-codegen --bench csdl`. Set `ODATA_METADATA_CORPUS` to use
//! the real F&O entity names.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use d365fo_odata_codegen::csdl::Document;
use d365fo_odata_codegen::select::Selection;
use d365fo_odata_codegen::synthetic::SyntheticSpec;
use quick_xml::events::Event;

/// Counts the events of a document: the least any quick-xml based reader must do.
fn bare_event_loop(bytes: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::with_capacity(1024);
    let mut events = 0usize;
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => return events,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                events += 1;
                for attr in e.attributes() {
                    black_box(attr.expect("attribute"));
                }
            }
            Ok(_) => events += 1,
            Err(e) => panic!("{e}"),
        }
    }
}

fn benches(c: &mut Criterion) {
    let xml = SyntheticSpec::full_scale().with_corpus_names().generate();
    eprintln!(
        "synthetic document: {} bytes ({:.1} MB)",
        xml.len(),
        xml.len() as f64 / 1e6
    );

    let mut group = c.benchmark_group("parse_full_scale");
    group.throughput(Throughput::Bytes(xml.len() as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("quick_xml_event_loop", |b| {
        b.iter(|| bare_event_loop(black_box(&xml)))
    });
    group.bench_function("document_parse", |b| {
        // Dropping the model is not part of parsing.
        b.iter_with_large_drop(|| {
            Document::parse(black_box(&xml), "synthetic.xml").expect("parses")
        })
    });
    group.finish();

    let doc = Document::parse(&xml, "synthetic.xml").expect("parses");
    let sets: Vec<String> = doc
        .entity_sets()
        .step_by(77)
        .take(50)
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(sets.len(), 50);
    let mut group = c.benchmark_group("select");
    group.bench_function("select_50_entity_sets", |b| {
        b.iter(|| {
            Selection::new()
                .entity_sets(sets.iter().cloned())
                .resolve(black_box(&doc))
                .expect("selection")
                .entity_types
                .len()
        })
    });
    group.finish();
}

criterion_group!(csdl, benches);
criterion_main!(csdl);
