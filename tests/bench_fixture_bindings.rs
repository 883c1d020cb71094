//! The bindings the page decode bench uses (`benches/fixtures/wide_entity.rs`) are exactly what
//! `d365fo-codegen generate --metadata benches/fixtures/wide_entity.xml --all-entity-sets
//! --profile fno --out benches/fixtures/wide_entity.rs` writes from the checked-in fixture.

use d365fo_odata_codegen::{Generator, Profile};

#[test]
fn checked_in_bench_bindings_match_a_fresh_generation() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures");
    let fresh = Generator::from_file(dir.join("wide_entity.xml"))
        .unwrap()
        .all_entity_sets()
        .profile(Profile::Fno)
        .rustfmt(true)
        .generate()
        .unwrap();
    let checked_in = std::fs::read_to_string(dir.join("wide_entity.rs")).unwrap();
    assert!(
        checked_in == fresh.code,
        "benches/fixtures/wide_entity.rs is stale: regenerate it with `cargo run -p \
         d365fo-odata-codegen -- generate --metadata benches/fixtures/wide_entity.xml \
         --all-entity-sets --profile fno --out benches/fixtures/wide_entity.rs`"
    );
    assert!(fresh.code.contains("pub struct WideCustomer {"));
    assert_eq!(
        fresh.code.matches("Field::new(").count(),
        100,
        "one field handle per property"
    );
}
