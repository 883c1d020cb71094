//! A deterministic mutation loop over the fixture (and, when `ODATA_METADATA_CORPUS` is set,
//! the corpus documents): truncations, byte flips, deleted and duplicated ranges and inserted
//! CSDL fragments. Every mutant must parse or fail with an error; none may panic. This is the
//! stable-toolchain counterpart of the `cargo fuzz` target in `codegen/fuzz`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use d365fo_odata_codegen::csdl::Document;
use d365fo_odata_codegen::select::Selection;

const FRAGMENTS: &[&str] = &[
    "<Key><PropertyRef Name=\"Nope\"/></Key>",
    "<Property Name=\"X\"/>",
    "<Property Name=\"X\" Type=\"Collection(\"/>",
    "<EntityType Name=\"CustomerV3\" BaseType=\"DE.CustomerV3\"/>",
    "<Annotation Term=\"T\"><Collection><Record><PropertyValue Property=\"p\"><Apply/></PropertyValue></Record></Collection></Annotation>",
    "<Annotation Term=\"T\" Int=\"99999999999999999999\"/>",
    "<Member Name=\"M\" Value=\"-9223372036854775808\"/><Member Name=\"N\"/>",
    "&amp;&#x0;&unknown;",
    "<![CDATA[x]]>",
    "</Schema>",
    "<Schema Namespace=\"\">",
    "\u{feff}",
    "<NavigationPropertyBinding Path=\"/\" Target=\"a/b/c\"/>",
    "<EntitySet Name=\"S\" EntityType=\"Edm.String\"/>",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(3) {
        let len = data.len().max(1);
        match rng.below(6) {
            0 => data.truncate(rng.below(len)),
            1 => {
                for _ in 0..=rng.below(8) {
                    let i = rng.below(len);
                    if let Some(b) = data.get_mut(i) {
                        *b ^= 1 << rng.below(8);
                    }
                }
            }
            2 => {
                let start = rng.below(len).min(data.len());
                let end = (start + rng.below(200)).min(data.len());
                data.drain(start..end);
            }
            3 => {
                let start = rng.below(len).min(data.len());
                let end = (start + rng.below(400)).min(data.len());
                let copy = data[start..end].to_vec();
                let at = rng.below(len).min(data.len());
                data.splice(at..at, copy);
            }
            4 => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                let at = rng.below(len).min(data.len());
                data.splice(at..at, fragment.iter().copied());
            }
            _ => {
                // Replace a quoted attribute value with garbage.
                let at = rng.below(len).min(data.len());
                if let Some(q) = data[at..].iter().position(|&b| b == b'"') {
                    let i = at + q + 1;
                    let garbage = [
                        b"true".as_slice(),
                        b"max",
                        b"-1",
                        b"",
                        b"Collection(",
                        b"\xff\xfe",
                    ];
                    let g = garbage[rng.below(garbage.len())];
                    let end = data[i..]
                        .iter()
                        .position(|&b| b == b'"')
                        .map_or(i, |e| i + e);
                    data.splice(i..end, g.iter().copied());
                }
            }
        }
    }
    data
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fno_small.xml");
    seeds.push((
        "fno_small.xml".to_owned(),
        std::fs::read(&fixture).expect("fixture"),
    ));
    match std::env::var_os("ODATA_METADATA_CORPUS") {
        Some(dir) => {
            for file in [
                "fno/old-agent-ts-clients__tests__trimmed_metadata_100.xml",
                "fno/asset_management__asset_management_trimmed_metadata.xml",
                "odata-v4/trippin/davidmoten_trip-pin-metadata.xml",
                "odata-v4/trippin/odata.net_TripPin.csdl.xml",
                "odata-v4/northwind/olingo_northwind-metadata.xml",
                "odata-v4/vocabularies/Org.OData.Capabilities.V1.xml",
                "odata-v4/vocabularies/Org.OData.Core.V1.xml",
            ] {
                let path = PathBuf::from(&dir).join(file);
                if let Ok(bytes) = std::fs::read(&path) {
                    seeds.push((file.to_owned(), bytes));
                }
            }
        }
        None => eprintln!("stress: ODATA_METADATA_CORPUS is not set; mutating the fixture only"),
    }
    seeds
}

#[test]
fn mutated_documents_never_panic_the_reader() {
    let iterations: usize = std::env::var("CSDL_STRESS_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let seeds = seeds();
    let mut rng = Rng(0x5EED_CAFE_F00D_0001);
    let (mut parsed, mut rejected) = (0usize, 0usize);
    let mut messages = std::collections::BTreeMap::<String, usize>::new();
    for (name, seed) in &seeds {
        for i in 0..iterations {
            let mutant = mutate(&mut rng, seed);
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                match Document::parse(&mutant, name.as_str()) {
                    Ok(doc) => {
                        for ty in doc.entity_types() {
                            let _ = doc.effective_key(ty);
                            let _ = doc.all_properties(ty);
                        }
                        let sets: Vec<String> =
                            doc.entity_sets().map(|s| s.name.to_string()).collect();
                        let _ = Selection::new().entity_sets(sets).resolve(&doc);
                        None
                    }
                    Err(e) => {
                        assert!(e.to_string().starts_with(name.as_str()));
                        Some(
                            format!("{:?}", e.kind())
                                .split(['(', ' ', '{'])
                                .next()
                                .unwrap_or_default()
                                .to_owned(),
                        )
                    }
                }
            }));
            match outcome {
                Ok(None) => parsed += 1,
                Ok(Some(kind)) => {
                    rejected += 1;
                    *messages.entry(kind).or_default() += 1;
                }
                Err(_) => {
                    let path = std::env::temp_dir().join(format!("csdl-panic-{i}.xml"));
                    std::fs::write(&path, &mutant).ok();
                    panic!(
                        "reader panicked on a mutant of {name}; saved to {}",
                        path.display()
                    );
                }
            }
        }
    }
    eprintln!(
        "stress: {} mutants of {} documents: {parsed} parsed, {rejected} rejected {messages:?}",
        parsed + rejected,
        seeds.len()
    );
    assert!(rejected > 0 && parsed + rejected == seeds.len() * iterations);
}
