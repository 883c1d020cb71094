//! Selection closures over TripPin, F&O subsets and the project's fixture.

mod common;

use common::{FNO_NS, TRIPPIN_NS, corpus, load};
use d365fo_odata_codegen::csdl::Document;
use d365fo_odata_codegen::select::{NavigationTarget, SelectError, Selection, Warning};

fn fixture() -> Document {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fno_small.xml");
    Document::from_path(path).unwrap_or_else(|e| panic!("{e}"))
}

fn names<'a, T>(items: &'a [&'a T], name: impl Fn(&'a T) -> &'a str) -> Vec<&'a str> {
    items.iter().map(|t| name(t)).collect()
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn pulls_in_base_types_complex_types_and_enums_of_trippin_people() {
    let dir = corpus();
    let doc = load(&dir, "odata-v4/trippin/davidmoten_trip-pin-metadata.xml");
    let closure = Selection::new()
        .entity_sets(["People"])
        .include_bound_operations(false)
        .resolve(&doc)
        .expect("selection");
    assert_eq!(names(&closure.entity_types, |t| &t.name), ["Person"]);
    // Person.AddressInfo: Collection(Location); Location.City: City; derived location types
    // are not used by any property, so they stay out.
    assert_eq!(
        names(&closure.complex_types, |t| &t.name),
        ["City", "Location"]
    );
    assert_eq!(names(&closure.enum_types, |t| &t.name), ["PersonGender"]);
    let unselected: Vec<&str> = closure
        .unselected_navigation()
        .map(|l| &*l.property.name)
        .collect();
    assert_eq!(unselected, ["Trips", "Photo"]);
    let friends = closure
        .navigation
        .iter()
        .find(|l| &*l.property.name == "Friends")
        .expect("Friends");
    assert_eq!(friends.target, NavigationTarget::Selected);
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn pulls_in_base_type_chain_and_complex_base_types_of_trippin_airports_and_flights() {
    let dir = corpus();
    let doc = load(&dir, "odata-v4/trippin/odata.net_TripPin.csdl.xml");
    let closure = Selection::new()
        .entity_sets(["Airports"])
        .operations(["GetNearestAirport"])
        .resolve(&doc)
        .expect("selection");
    assert_eq!(names(&closure.entity_types, |t| &t.name), ["Airport"]);
    // AirportLocation derives from Location, which uses City.
    assert_eq!(
        names(&closure.complex_types, |t| &t.name),
        ["City", "Location", "AirportLocation"]
    );
    assert_eq!(closure.operation_imports.len(), 1);
    assert_eq!(
        names(&closure.operations, |o| &o.name),
        ["GetNearestAirport"]
    );

    // A bound function returning flights' base types pulls in the whole chain.
    let closure = Selection::new()
        .operations([format!("{TRIPPIN_NS}.GetFavoriteAirline")])
        .resolve(&doc)
        .expect("selection");
    let types = names(&closure.entity_types, |t| &t.name);
    assert!(
        types.contains(&"Person") && types.contains(&"Airline"),
        "{types:?}"
    );

    let doc = load(&dir, "odata-v4/trippin/odata2ts_trippin.xml");
    let closure = Selection::new()
        .singletons(["Me"])
        .resolve(&doc)
        .expect("selection");
    let ops = names(&closure.operations, |o| &o.name);
    assert!(
        ops.contains(&"ShareTrip"),
        "bound operations of Person: {ops:?}"
    );
    let ty = doc.entity_type("Trippin.Employee").expect("Employee");
    let closure = Selection::new()
        .entity_sets(["People"])
        .resolve(&doc)
        .expect("selection");
    assert!(
        !closure.contains_entity_type(&ty.qualified_name),
        "derived types are not pulled in"
    );
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn pulls_in_enums_used_by_fno_properties() {
    let dir = corpus();
    let doc = load(&dir, "fno/finance_accounting__temp_shortlist_trimmed.xml");
    let closure = Selection::new()
        .entity_sets(["CustomersV3"])
        .resolve(&doc)
        .expect("selection");
    assert_eq!(names(&closure.entity_types, |t| &t.name), ["CustomerV3"]);
    let enums = names(&closure.enum_types, |t| &t.name);
    assert!(enums.contains(&"Gender"), "{enums:?}");
    assert!(enums.contains(&"CustomerType_IN"), "{enums:?}");
    let used: std::collections::HashSet<&str> = closure.entity_types[0]
        .properties
        .iter()
        .map(|p| &*p.ty.name)
        .collect();
    assert!(
        closure
            .enum_types
            .iter()
            .all(|e| used.contains(&*e.qualified_name))
    );
    assert!(
        !enums.contains(&"AXType"),
        "annotation enums are not property types"
    );
    assert!(closure.enum_types.len() < doc.enum_types().count());
    assert!(!closure.warnings.is_empty(), "trimmed F&O bindings dangle");
    assert!(
        closure.warnings.iter().all(
            |w| matches!(w, Warning::DanglingBinding { source, .. } if source == "CustomersV3")
        )
    );

    let doc = load(
        &dir,
        "fno/project_accounting__project_accounting_trimmed_metadata.xml",
    );
    let set = doc
        .entity_sets()
        .find(|s| *s.entity_type == format!("{FNO_NS}.ValidationProjectTaskStatus"))
        .expect("set");
    let closure = Selection::new()
        .entity_sets([set.name.to_string()])
        .resolve(&doc)
        .expect("selection");
    assert_eq!(
        names(&closure.operations, |o| &o.name),
        ["DataValidationProjectTaskStatusEntityProjectName"],
        "collection-bound action follows its entity type"
    );
}

#[test]
fn suggests_entity_set_for_entity_type_name() {
    let doc = fixture();
    let err = Selection::new()
        .entity_sets(["CustomerV3", "CustomerGroups", "Vendors"])
        .operations(["Blok"])
        .resolve(&doc)
        .expect_err("unknown names");
    let SelectError::UnknownNames(unknown) = &err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(unknown.len(), 3);
    assert_eq!(unknown[0].suggestion.as_deref(), Some("CustomersV3"));
    assert_eq!(unknown[1].name, "Vendors");
    assert_eq!(unknown[2].suggestion.as_deref(), Some("Block"));
    let message = err.to_string();
    assert!(
        message.starts_with(
            "unknown entity set `CustomerV3` (did you mean `CustomersV3`?); `CustomerV3` is an entity type; its entity set is `CustomersV3`"
        ),
        "{message}"
    );
}

#[test]
fn selects_fixture_closure_with_type_definitions_and_flags_enums() {
    let doc = fixture();
    let closure = Selection::new()
        .entity_sets(["CustomersV3"])
        .resolve(&doc)
        .expect("selection");
    assert_eq!(
        names(&closure.entity_types, |t| &t.name),
        ["PartyBase", "CustomerV3"]
    );
    assert_eq!(names(&closure.type_definitions, |t| &t.name), ["Amount"]);
    assert_eq!(
        names(&closure.enum_types, |t| &t.name),
        ["NoYes", "Priority"]
    );
    assert_eq!(names(&closure.complex_types, |t| &t.name), ["Address"]);
    assert_eq!(names(&closure.operations, |o| &o.name), ["Block"]);
    let unselected: Vec<&str> = closure
        .unselected_navigation()
        .map(|l| &*l.property.name)
        .collect();
    assert_eq!(unselected, ["Group", "Invoices"]);
    assert_eq!(
        closure.warnings,
        [Warning::DanglingBinding {
            source: "CustomersV3".into(),
            path: "Invoices".into(),
            target: "Invoices".into()
        }]
    );
    assert_eq!(
        closure.warnings[0].to_string(),
        "navigation `CustomersV3/Invoices` is bound to `Invoices`, which the document does not declare"
    );

    let closure = Selection::new()
        .entity_sets(["CustomersV3", "CustomerGroups"])
        .operations(["TopCustomers"])
        .resolve(&doc)
        .expect("selection");
    let unselected: Vec<&str> = closure
        .unselected_navigation()
        .map(|l| &*l.property.name)
        .collect();
    assert_eq!(unselected, ["Invoices"]);
    assert_eq!(closure.operation_imports.len(), 1);
}

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fno_small.xml");

#[test]
fn every_entity_set_comes_first_in_document_order_then_the_named_ones() {
    let doc = fixture();
    let all: Vec<&str> = doc.entity_sets().map(|s| &*s.name).collect();
    let closure = Selection::new()
        .all_entity_sets()
        .entity_sets(["CustomersV3"])
        .resolve(&doc)
        .expect("selection");
    assert_eq!(names(&closure.entity_sets, |s| &s.name), all);
    assert!(Selection::new().all_entity_sets().resolve(&doc).is_ok());
    assert!(Selection::new().is_empty());
    assert!(!Selection::new().all_entity_sets().is_empty());
}

#[test]
fn a_typo_in_a_build_script_prints_the_message_not_the_enum() {
    use d365fo_odata_codegen::{GenerateError, Generator};

    let error = Generator::from_file(FIXTURE)
        .unwrap()
        .entity_sets(["CustomerV3"])
        .generate()
        .unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.contains("unknown entity set `CustomerV3` (did you mean `CustomersV3`?)"),
        "{shown}"
    );
    // `fn main() -> Result<(), E>` prints `Error: {e:?}`; so do `Box<dyn Error>` and anyhow.
    assert_eq!(format!("{error:?}"), shown);
    let boxed: Box<dyn std::error::Error> = Box::new(error);
    assert_eq!(format!("{boxed:?}"), shown);
    assert!(!format!("{boxed:?}").contains("UnknownNames"));
    let select = Selection::new()
        .entity_sets(["CustomerV3"])
        .resolve(&fixture())
        .unwrap_err();
    assert_eq!(format!("{select:?}"), select.to_string());

    let empty = Generator::from_file(FIXTURE)
        .unwrap()
        .generate()
        .unwrap_err();
    assert!(matches!(empty, GenerateError::EmptySelection { .. }));
    assert_eq!(format!("{empty:?}"), empty.to_string());
    assert!(empty.to_string().contains("--all-entity-sets"), "{empty}");
}

#[test]
fn a_configuration_makes_the_same_generator_as_the_builder() {
    use d365fo_odata_codegen::config::Config;
    use d365fo_odata_codegen::{GenerateError, Generator, Profile};

    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("d365fo-codegen.toml");
    std::fs::write(
        &config_path,
        format!(
            "[metadata]\npath = {FIXTURE:?}\n\n[select]\nentity_sets = [\"CustomersV3\"]\n\n\
             [output]\nprofile = \"generic\"\nruntime_crate = \"d365fo_odata\"\n\n\
             [renames]\nCustomerV3 = \"Customer\"\n"
        ),
    )
    .unwrap();
    let from_file = Generator::from_config_file(&config_path)
        .unwrap()
        .generate()
        .unwrap();
    let by_hand = Generator::from_file(FIXTURE)
        .unwrap()
        .entity_sets(["CustomersV3"])
        .profile(Profile::Generic)
        .rename_type("CustomerV3", "Customer")
        .generate()
        .unwrap();
    assert_eq!(from_file.code, by_hand.code);
    assert!(from_file.code.contains("struct CustomerKey"), "renamed");
    assert!(!from_file.code.contains("struct CustomerV3"), "renamed");

    let config = Config::from_path(&config_path).unwrap();
    let flags = Config {
        select: Selection::new().all_entity_sets(),
        ..Config::default()
    };
    let everything = Generator::from_config(&config.override_with(flags))
        .unwrap()
        .generate()
        .unwrap();
    let by_hand = Generator::from_file(FIXTURE)
        .unwrap()
        .all_entity_sets()
        .entity_sets(["CustomersV3"])
        .profile(Profile::Generic)
        .rename_type("CustomerV3", "Customer")
        .generate()
        .unwrap();
    assert_eq!(everything.code, by_hand.code);

    let error = Generator::from_config(&Config::default()).unwrap_err();
    assert!(matches!(error, GenerateError::NoMetadataPath), "{error}");
    std::fs::write(&config_path, "[select]\nentity_set = [\"CustomersV3\"]\n").unwrap();
    let error = Generator::from_config_file(&config_path).unwrap_err();
    let shown = format!("{error:?}");
    assert!(
        shown.contains("d365fo-codegen.toml:2:1: unknown field `entity_set`"),
        "{shown}"
    );
}

#[test]
fn diff_compares_over_the_same_selection() {
    use d365fo_odata_codegen::diff::diff;

    let doc = fixture();
    let named = diff(&doc, &doc, &Selection::new().entity_sets(["CustomersV3"])).unwrap();
    assert!(!named.is_breaking());
    let error = diff(&doc, &doc, &Selection::new().entity_sets(["CustomerV3"])).unwrap_err();
    assert!(
        error.to_string().contains("did you mean `CustomersV3`?"),
        "{error}"
    );
    // Every entity set: no name is looked up, so none can be unknown.
    assert!(diff(&doc, &doc, &Selection::new().all_entity_sets()).is_ok());
}
