//! Every document of the external corpus parses, with the expected shape.
//!
//! Without `ODATA_METADATA_CORPUS` (when the tests were built) they show as `ignored`, with the
//! reason, in the test summary.

mod common;

use common::{FNO_NS, TRIPPIN, TRIPPIN_NS, corpus, load};
use d365fo_odata_codegen::csdl::{
    AnnotationValue, AnnotationsExt, BindingTarget, Document, MaxLength, OperationKind, Primitive,
    Srid, terms,
};

/// (file, entity types, entity sets, singletons, enums, complex types, actions, functions,
/// terms)
const EXPECTED: &[(&str, [usize; 8])] = &[
    (
        "fno/asset_management__asset_management_trimmed_metadata.xml",
        [3, 3, 0, 6, 0, 0, 0, 0],
    ),
    (
        "fno/finance_accounting__temp_minimal_trimmed.xml",
        [1, 1, 0, 26, 0, 0, 0, 0],
    ),
    (
        "fno/finance_accounting__temp_shortlist_trimmed.xml",
        [2, 2, 0, 26, 0, 0, 0, 0],
    ),
    (
        "fno/hr_payroll__hr_payroll_trimmed_metadata.xml",
        [27, 27, 0, 32, 0, 0, 0, 0],
    ),
    (
        "fno/old-agent-ts-clients__asset-management-agent__trimmed_metadata.xml",
        [5, 5, 0, 7, 0, 0, 0, 0],
    ),
    (
        "fno/old-agent-ts-clients__purchase-order-agent__trimmed_metadata.xml",
        [7, 7, 0, 21, 0, 0, 0, 0],
    ),
    (
        "fno/old-agent-ts-clients__tests__trimmed_metadata_100.xml",
        [10, 10, 0, 6, 0, 1, 0, 0],
    ),
    (
        "fno/procurement__procurement_trimmed_metadata.xml",
        [14, 14, 0, 23, 0, 0, 0, 0],
    ),
    (
        "fno/project_accounting__project_accounting_trimmed_metadata.xml",
        [10, 10, 0, 13, 0, 1, 0, 0],
    ),
    (
        "fno/sales__sales_trimmed_metadata.xml",
        [18, 18, 0, 43, 0, 0, 0, 0],
    ),
    (
        "odata-v4/microsoft/davidmoten_msgraph-v1.0-metadata.xml",
        [1042, 41, 31, 748, 1218, 815, 307, 9],
    ),
    (
        "odata-v4/microsoft/davidmoten_odata-demo-metadata.xml",
        [10, 7, 0, 0, 1, 0, 0, 0],
    ),
    (
        "odata-v4/northwind/davidmoten_northwind-v4-metadata.xml",
        [26, 26, 0, 0, 0, 0, 0, 0],
    ),
    (
        "odata-v4/northwind/olingo_northwind-metadata.xml",
        [26, 26, 0, 0, 0, 0, 0, 0],
    ),
    (
        "odata-v4/northwind/simple-odata-client_Northwind4.xml",
        [32, 29, 0, 1, 1, 0, 1, 0],
    ),
    (
        "odata-v4/trippin/davidmoten_trip-pin-metadata.xml",
        [9, 4, 1, 1, 4, 2, 4, 0],
    ),
    (
        "odata-v4/trippin/odata.net_TripPin.csdl.xml",
        [9, 4, 1, 1, 4, 2, 4, 0],
    ),
    (
        "odata-v4/trippin/odata2ts_trippin-rw.xml",
        [9, 4, 1, 1, 4, 2, 4, 0],
    ),
    (
        "odata-v4/trippin/odata2ts_trippin.xml",
        [10, 3, 1, 2, 4, 3, 5, 0],
    ),
    (
        "odata-v4/trippin/simple-odata-client_TripPin.xml",
        [9, 4, 1, 1, 4, 2, 4, 0],
    ),
    (
        "odata-v4/vocabularies/Org.OData.Aggregation.V1.xml",
        [0, 0, 0, 1, 7, 0, 7, 10],
    ),
    (
        "odata-v4/vocabularies/Org.OData.Authorization.V1.xml",
        [0, 0, 0, 1, 11, 0, 0, 2],
    ),
    (
        "odata-v4/vocabularies/Org.OData.Capabilities.V1.xml",
        [0, 0, 0, 5, 40, 0, 0, 40],
    ),
    (
        "odata-v4/vocabularies/Org.OData.Core.V1.xml",
        [0, 0, 0, 3, 18, 0, 0, 44],
    ),
    (
        "odata-v4/vocabularies/Org.OData.JSON.V1.xml",
        [0, 0, 0, 0, 0, 0, 0, 1],
    ),
    (
        "odata-v4/vocabularies/Org.OData.Measures.V1.xml",
        [0, 0, 0, 0, 0, 0, 0, 5],
    ),
    (
        "odata-v4/vocabularies/Org.OData.Repeatability.V1.xml",
        [0, 0, 0, 0, 0, 0, 0, 3],
    ),
    (
        "odata-v4/vocabularies/Org.OData.Temporal.V1.xml",
        [0, 0, 0, 0, 8, 3, 0, 1],
    ),
    (
        "odata-v4/vocabularies/Org.OData.Validation.V1.xml",
        [0, 0, 0, 0, 3, 0, 0, 14],
    ),
];

/// Counts over the document's own schemas (not those loaded through `edmx:Reference`).
fn counts(doc: &Document) -> [usize; 8] {
    let own = || doc.schemas().iter().filter(|s| s.reference.is_none());
    let ops = |kind| {
        own()
            .flat_map(|s| &s.operations)
            .filter(|o| o.kind == kind)
            .count()
    };
    [
        own().map(|s| s.entity_types.len()).sum(),
        doc.entity_sets().count(),
        doc.entity_containers().map(|c| c.singletons.len()).sum(),
        own().map(|s| s.enum_types.len()).sum(),
        own().map(|s| s.complex_types.len()).sum(),
        ops(OperationKind::Action),
        ops(OperationKind::Function),
        own().map(|s| s.terms.len()).sum(),
    ]
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn every_corpus_document_parses_with_expected_counts() {
    let dir = corpus();
    for (file, expected) in EXPECTED {
        let doc = load(&dir, file);
        assert_eq!(
            &counts(&doc),
            expected,
            "{file}: [entity types, sets, singletons, enums, complex, actions, functions, terms]"
        );
    }
    // Every XML document in the corpus is covered by the table above.
    let mut found = Vec::new();
    for sub in [
        "fno",
        "odata-v4/microsoft",
        "odata-v4/northwind",
        "odata-v4/trippin",
        "odata-v4/vocabularies",
    ] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("corpus folder") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".xml") {
                found.push(format!("{sub}/{name}"));
            }
        }
    }
    for file in &found {
        assert!(
            EXPECTED.iter().any(|(f, _)| f == file),
            "{file} has no expectations"
        );
    }
    assert_eq!(found.len(), EXPECTED.len());
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn reads_fno_customer_v3_key_facets_and_annotations() {
    let dir = corpus();
    let doc = load(&dir, "fno/finance_accounting__temp_minimal_trimmed.xml");
    assert_eq!(doc.version(), Some("4.0"));
    let container = doc.entity_container().expect("container");
    assert_eq!(&*container.name, "Resources");
    assert_eq!(
        &*container.qualified_name,
        "Microsoft.Dynamics.DataEntities.Resources"
    );

    let set = doc.entity_set("CustomersV3").expect("CustomersV3");
    assert_eq!(&*set.entity_type, format!("{FNO_NS}.CustomerV3"));
    let ty = doc.entity_type(&set.entity_type).expect("CustomerV3");
    assert_eq!(ty.properties.len(), 305);
    let key: Vec<&str> = doc
        .effective_key(ty)
        .expect("key")
        .properties
        .iter()
        .map(|p| p.key_name())
        .collect();
    assert_eq!(key, ["dataAreaId", "CustomerAccount"]);

    let area = ty.property("dataAreaId").expect("dataAreaId");
    assert_eq!(area.ty.primitive(), Some(Primitive::String));
    assert!(!area.nullable);
    assert_eq!(
        area.annotations
            .annotation(terms::fno::LABEL_ID)
            .and_then(|a| a.as_str()),
        Some("@SYS13342")
    );
    let traits = terms::PropertyTraits::of(&doc, ty, area);
    assert_eq!(traits.ax_type, Some("String"));

    let record_id = ty.property("PrimaryContactFaxRecordId").expect("property");
    let traits = terms::PropertyTraits::of(&doc, ty, record_id);
    assert_eq!(traits.allow_edit, Some(false));
    assert_eq!(traits.allow_edit_on_create, Some(false));
    assert!(!traits.writable_on_create());
    assert_eq!(record_id.ty.primitive(), Some(Primitive::Int64));

    let credit = ty.property("CreditLimit").expect("CreditLimit");
    assert_eq!(credit.ty.primitive(), Some(Primitive::Decimal));
    assert_eq!(
        credit.facets.precision, None,
        "F&O sends no Precision/Scale facets"
    );

    let gender = ty.property("PersonGender").expect("PersonGender");
    assert!(gender.nullable);
    let gender_enum = doc.enum_type(&gender.ty.name).expect("Gender enum");
    let members: Vec<(&str, i64)> = gender_enum
        .members
        .iter()
        .map(|m| (&*m.name, m.value))
        .collect();
    assert_eq!(&members[..3], [("Unknown", 0), ("Male", 1), ("Female", 2)]);
    assert_eq!(
        gender_enum.members[1]
            .annotations
            .annotation(terms::fno::LABEL_ID)
            .and_then(|a| a.as_str()),
        Some("@SYS34751")
    );

    let ax_type = doc
        .enum_type("Microsoft.Dynamics.OData.Core.V1.AXType")
        .expect("AXType in the second schema");
    assert_eq!(ax_type.member("UtcDateTime").map(|m| m.value), Some(10));
    assert!(
        doc.entity_types()
            .flat_map(|t| &t.properties)
            .all(|p| p.facets.max_length.is_none()),
        "F&O sends no MaxLength facets"
    );
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn reads_thirteen_part_fno_key_with_mixed_types() {
    let dir = corpus();
    let doc = load(&dir, "fno/sales__sales_trimmed_metadata.xml");
    let ty = doc
        .entity_type(&format!("{FNO_NS}.WarrantyTransactionSales"))
        .expect("WarrantyTransactionSales");
    let key = doc.key_properties(ty);
    assert_eq!(key.len(), 13);
    let names: Vec<&str> = key.iter().map(|p| &*p.name).collect();
    assert_eq!(names[0], "dataAreaId");
    assert_eq!(names[6], "TransactionDateTime");
    assert_eq!(key[5].ty.primitive(), Some(Primitive::Decimal));
    assert_eq!(key[6].ty.primitive(), Some(Primitive::DateTimeOffset));
    assert_eq!(
        &*key[7].ty.name, "Microsoft.Dynamics.DataEntities.WarrantySalesAction",
        "enum-typed key part"
    );
    assert!(doc.enum_type(&key[7].ty.name).is_some());
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn reads_fno_bound_actions_including_collection_bound() {
    let dir = corpus();
    let doc = load(
        &dir,
        "fno/project_accounting__project_accounting_trimmed_metadata.xml",
    );
    let action = doc
        .operations(&format!(
            "{FNO_NS}.DataValidationProjectTaskStatusEntityProjectName"
        ))
        .next()
        .expect("action");
    assert_eq!(action.kind, OperationKind::Action);
    assert!(action.is_bound);
    let binding = action.binding_parameter().expect("binding parameter");
    assert!(binding.ty.collection);
    assert_eq!(
        &*binding.ty.name,
        format!("{FNO_NS}.ValidationProjectTaskStatus")
    );
    assert!(action.parameters[1].ty.collection);
    assert_eq!(action.parameters[1].ty.primitive(), Some(Primitive::String));
    assert_eq!(
        action
            .return_type
            .as_ref()
            .map(|r| r.ty.to_string())
            .as_deref(),
        Some("Edm.String")
    );
    assert_eq!(
        action
            .annotations
            .annotation("Microsoft.Dynamics.OData.Core.V1.FieldLookup")
            .and_then(|a| a.as_str()),
        Some("DataValidationProject_Name")
    );
    let bound = doc.bound_operations(&format!("{FNO_NS}.ValidationProjectTaskStatus"));
    assert_eq!(bound.len(), 1);

    let doc = load(
        &dir,
        "fno/old-agent-ts-clients__tests__trimmed_metadata_100.xml",
    );
    let bound = doc.bound_operations(&format!("{FNO_NS}.AdminCustomFields"));
    assert_eq!(bound.len(), 1);
    let ret = bound[0].return_type.as_ref().expect("return type");
    assert_eq!(ret.ty.primitive(), Some(Primitive::Boolean));
    assert!(!ret.nullable);
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn reports_dangling_navigation_bindings_in_trimmed_fno_documents() {
    let dir = corpus();
    let mut dangling = 0;
    let mut bound = 0;
    for (file, _) in EXPECTED.iter().filter(|(f, _)| f.starts_with("fno/")) {
        let doc = load(&dir, file);
        for set in doc.entity_sets() {
            for b in &set.navigation_bindings {
                match doc.binding_target(&set.navigation_bindings, &b.path) {
                    BindingTarget::Dangling(target) => {
                        assert_eq!(target, &*b.target);
                        dangling += 1;
                    }
                    BindingTarget::EntitySet(_) | BindingTarget::Singleton(_) => bound += 1,
                    BindingTarget::Unbound => panic!("binding {} not found", b.path),
                }
            }
        }
    }
    assert_eq!((dangling, bound), (DANGLING, BOUND));
}

/// 143 bindings in the ten trimmed files; trimming left all but two pointing at absent sets.
const DANGLING: usize = 141;
const BOUND: usize = 2;

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn reads_trippin_inheritance_facets_and_bindings_in_all_serializations() {
    let dir = corpus();
    for file in TRIPPIN {
        let doc = load(&dir, file);
        // odata2ts's trimmed variant uses the namespace `Trippin` and drops some facets.
        let ns = doc.schemas()[0].namespace.to_string();
        let full = ns == TRIPPIN_NS;
        let person = doc
            .entity_type(&format!("{ns}.Person"))
            .unwrap_or_else(|| panic!("{file}: Person"));
        assert_eq!(person.open_type, full, "{file}");
        let key: Vec<&str> = person
            .key
            .as_ref()
            .expect("key")
            .properties
            .iter()
            .map(|p| &*p.name)
            .collect();
        assert_eq!(key, ["UserName"], "{file}");
        let emails = person.property("Emails").expect("Emails");
        assert!(emails.ty.collection);
        assert_eq!(emails.ty.primitive(), Some(Primitive::String));
        let friends = person.navigation_property("Friends").expect("Friends");
        assert!(friends.ty.collection);
        assert_eq!(&*friends.ty.name, format!("{ns}.Person"));

        let flight = doc.entity_type(&format!("{ns}.Flight")).expect("Flight");
        let chain: Vec<&str> = doc.base_types(flight).map(|t| &*t.name).collect();
        assert_eq!(chain, ["PublicTransportation", "PlanItem"], "{file}");
        let key = doc.effective_key(flight).expect("inherited key");
        assert_eq!(&*key.properties[0].name, "PlanItemId");
        assert!(flight.key.is_none());

        if full {
            let photo = doc.entity_type(&format!("{ns}.Photo")).expect("Photo");
            assert!(photo.has_stream, "{file}");
            let concurrency = person.property("Concurrency").expect("Concurrency");
            let traits = terms::PropertyTraits::of(&doc, person, concurrency);
            assert_eq!(traits.computed, Some(true), "{file}");
        }

        if let Some(airport_location) = doc.complex_type(&format!("{ns}.AirportLocation")) {
            let loc = airport_location.property("Loc").expect("Loc");
            if full {
                assert_eq!(loc.facets.srid, Some(Srid::Id(4326)), "{file}");
            }
            assert_eq!(loc.ty.primitive(), Some(Primitive::Geography));
            assert_eq!(
                doc.complex_base_types(airport_location)
                    .next()
                    .map(|b| &*b.name),
                Some("Location")
            );
        }

        let me = doc.singleton("Me").expect("Me");
        assert_eq!(&*me.entity_type, format!("{ns}.Person"));
        let people = doc.entity_set("People").expect("People");
        match doc.binding_target(&people.navigation_bindings, "Friends") {
            BindingTarget::EntitySet(set) => assert_eq!(&*set.name, "People"),
            other => panic!("{file}: Friends bound to {other:?}"),
        }
        let bound: Vec<&str> = doc
            .bound_operations(&format!("{ns}.Person"))
            .iter()
            .map(|o| &*o.name)
            .collect();
        assert!(bound.contains(&"ShareTrip"), "{file}: {bound:?}");
        let nearest = doc
            .operations(&format!("{ns}.GetNearestAirport"))
            .next()
            .expect("GetNearestAirport");
        assert!(!nearest.is_bound);
        assert_eq!(nearest.is_composable, full);
        assert_eq!(nearest.kind, OperationKind::Function);
    }
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn reads_bare_schema_root_without_edmx_wrapper() {
    let dir = corpus();
    let doc = load(&dir, "odata-v4/trippin/odata.net_TripPin.csdl.xml");
    assert_eq!(doc.version(), None);
    assert_eq!(doc.schemas().len(), 1);
    assert_eq!(&*doc.schemas()[0].namespace, TRIPPIN_NS);
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn reads_external_annotation_blocks_on_the_container() {
    let dir = corpus();
    let doc = load(&dir, "odata-v4/trippin/odata.net_TripPin.csdl.xml");
    let target = format!("{TRIPPIN_NS}.DefaultContainer");
    let container = doc.entity_container().expect("container");
    let ids = doc
        .annotation(
            &container.annotations,
            &target,
            "Org.OData.Core.V1.DereferenceableIDs",
        )
        .expect("DereferenceableIDs");
    assert_eq!(ids.as_bool(), Some(true));
    let formats = doc
        .annotation(
            &container.annotations,
            &target,
            "Org.OData.Capabilities.V1.SupportedFormats",
        )
        .expect("SupportedFormats");
    let items = formats.value.as_collection().expect("collection");
    assert!(items.len() >= 2);
    assert!(
        items[0]
            .as_str()
            .expect("string")
            .starts_with("application/json")
    );
    let level = doc
        .annotation(
            &container.annotations,
            &target,
            "Org.OData.Capabilities.V1.ConformanceLevel",
        )
        .expect("ConformanceLevel");
    assert_eq!(
        level.value.as_enum_member(),
        Some("Org.OData.Capabilities.V1.ConformanceLevelType/Advanced")
    );
    let description = container
        .annotations
        .annotation(terms::core::DESCRIPTION)
        .and_then(|a| a.as_str());
    assert_eq!(
        description,
        Some("TripPin service is a sample service for OData V4.")
    );
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn reads_northwind_composite_keys_and_referential_constraints() {
    let dir = corpus();
    let doc = load(
        &dir,
        "odata-v4/northwind/davidmoten_northwind-v4-metadata.xml",
    );
    let detail = doc
        .entity_type("NorthwindModel.Order_Detail")
        .expect("Order_Detail");
    let key: Vec<&str> = detail
        .key
        .as_ref()
        .expect("key")
        .properties
        .iter()
        .map(|p| &*p.name)
        .collect();
    assert_eq!(key, ["OrderID", "ProductID"]);
    let employee = doc
        .entity_type("NorthwindModel.Employee")
        .expect("Employee");
    let manager = employee
        .navigation_property("Employee1")
        .expect("Employee1");
    assert_eq!(manager.partner.as_deref(), Some("Employees1"));
    assert_eq!(&*manager.referential_constraints[0].property, "ReportsTo");
    assert_eq!(
        &*manager.referential_constraints[0].referenced_property,
        "EmployeeID"
    );
    let name = employee.property("LastName").expect("LastName");
    assert_eq!(name.facets.max_length, Some(MaxLength::Length(20)));
    assert!(!name.nullable);
}

#[cfg_attr(
    not(odata_corpus),
    ignore = "needs the metadata corpus: set ODATA_METADATA_CORPUS to its directory"
)]
#[test]
fn resolves_alias_qualified_names_in_vocabularies() {
    let dir = corpus();
    let doc = load(&dir, "odata-v4/vocabularies/Org.OData.Capabilities.V1.xml");
    assert_eq!(doc.version(), Some("4.0"));
    let schema = doc.schema("Capabilities").expect("schema by alias");
    assert_eq!(&*schema.namespace, "Org.OData.Capabilities.V1");
    // `Core.Description` on the schema is stored under its namespace-qualified term.
    assert!(
        schema
            .annotations
            .annotation(terms::core::DESCRIPTION)
            .is_some()
    );
    let links = schema
        .annotations
        .annotation("Org.OData.Core.V1.Links")
        .expect("Core.Links");
    let first = links.value.as_collection().expect("collection")[0]
        .as_record()
        .expect("record");
    assert_eq!(
        first.get("rel").and_then(AnnotationValue::as_str),
        Some("latest-version")
    );

    let conformance = doc
        .term("Capabilities.ConformanceLevel")
        .expect("term by alias-qualified name");
    assert_eq!(
        &*conformance.ty.name,
        "Org.OData.Capabilities.V1.ConformanceLevelType"
    );
    assert!(doc.enum_type(&conformance.ty.name).is_some());
    let insert = doc
        .term(terms::capabilities::INSERT_RESTRICTIONS)
        .expect("InsertRestrictions");
    assert_eq!(
        &*insert.ty.name,
        "Org.OData.Capabilities.V1.InsertRestrictionsType"
    );
    assert_eq!(
        doc.resolve_name("Core.Description"),
        "Org.OData.Core.V1.Description"
    );

    let core = load(&dir, "odata-v4/vocabularies/Org.OData.Core.V1.xml");
    let computed = core.term(terms::core::COMPUTED).expect("Computed");
    assert_eq!(&*computed.ty.name, "Org.OData.Core.V1.Tag");
    assert_eq!(
        core.type_definition("Core.Tag")
            .map(|t| &*t.underlying_type),
        Some("Edm.Boolean")
    );
    assert!(computed.applies_to.iter().any(|a| &**a == "Property"));
}
