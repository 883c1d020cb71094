//! An entity type exposed by several entity sets gets a row type with its own `Entity` impl and
//! handle module per further set; collection- and complex-typed properties get field handles.

use std::path::Path;

use d365fo_odata_codegen::Generator;

/// Whether `code` contains `expected`, whatever the printer's line breaks: both compared without
/// whitespace and without the trailing commas a broken list gets.
fn has(code: &str, expected: &str) -> bool {
    fn squash(s: &str) -> String {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        s.replace(",>", ">").replace(",)", ")")
    }
    squash(code).contains(&squash(expected))
}

fn generated() -> d365fo_odata_codegen::Generated {
    Generator::from_file(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/several_sets.xml"),
    )
    .unwrap()
    .all_entity_sets()
    .generate()
    .unwrap()
}

#[test]
fn every_entity_set_of_a_type_gets_an_entity_impl() {
    let code = generated().code;
    assert!(has(&code, "impl ::d365fo_odata::Entity for Customer {"));
    assert!(has(
        &code,
        "const ENTITY_SET: &'static str = \"Customers\";"
    ));
    assert!(has(&code, "pub struct ArchivedCustomers(pub Customer);"));
    assert!(has(
        &code,
        "impl ::d365fo_odata::Entity for ArchivedCustomers {"
    ));
    assert!(has(
        &code,
        "const ENTITY_SET: &'static str = \"ArchivedCustomers\";"
    ));
    assert!(has(&code, "type Key = CustomerKey;"));
    assert!(has(&code, "pub mod archived_customers {"));
    assert!(has(
        &code,
        "pub const NAME: ::d365fo_odata::Field<super::ArchivedCustomers, String> = \
         ::d365fo_odata::Field::new(\"Name\");"
    ));
    assert!(has(
        &code,
        "pub const GROUP: ::d365fo_odata::Navigation<super::ArchivedCustomers, \
         super::CustomerGroup, ::d365fo_odata::One> = ::d365fo_odata::Navigation::new(\"Group\");"
    ));
}

#[test]
fn a_set_named_like_a_type_gets_the_set_suffix_and_a_note() {
    let generated = generated();
    assert!(
        generated
            .code
            .contains("pub struct CustomerSet(pub Customer);")
    );
    assert!(generated.code.contains("pub mod customer_set {"));
    assert!(
        generated
            .warnings
            .iter()
            .any(|w| w.contains("`Customer` is generated as `CustomerSet`")),
        "{:?}",
        generated.warnings
    );
}

#[test]
fn collection_and_complex_properties_have_handles() {
    let code = generated().code;
    assert!(has(
        &code,
        "pub const TAGS: ::d365fo_odata::Field<super::Customer, Vec<String>> = \
         ::d365fo_odata::Field::new(\"Tags\");"
    ));
    assert!(has(
        &code,
        "pub const ADDRESS: ::d365fo_odata::Field<super::Customer, super::Address> = \
         ::d365fo_odata::Field::new(\"Address\");"
    ));
}
