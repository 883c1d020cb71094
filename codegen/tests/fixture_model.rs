//! The model read from a small hand-written F&O-shaped document covering every CSDL feature
//! the reader supports.

use d365fo_odata_codegen::csdl::{
    AnnotationValue, AnnotationsExt, BindingTarget, Document, MaxLength, OnDeleteAction,
    OperationKind, PathKind, Primitive, Scale, SchemaType, Srid, terms,
};

const NS: &str = "Microsoft.Dynamics.DataEntities";

fn fixture() -> Document {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fno_small.xml");
    Document::from_path(path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn accepts_utf8_bom_and_reads_version() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fno_small.xml"
    ))
    .expect("fixture");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let doc = Document::parse(&bytes, "fno_small.xml").expect("parses");
    assert_eq!(doc.version(), Some("4.01"));
    assert_eq!(doc.references().len(), 2);
    assert_eq!(
        doc.references()[0].includes[0].alias.as_deref(),
        Some("Core")
    );
}

#[test]
fn resolves_alias_qualified_base_type() {
    let doc = fixture();
    let customer = doc
        .entity_type(&format!("{NS}.CustomerV3"))
        .expect("CustomerV3");
    assert_eq!(
        customer.base_type.as_deref(),
        Some("Microsoft.Dynamics.DataEntities.PartyBase")
    );
    assert!(customer.key.is_none());
    let key: Vec<&str> = doc
        .effective_key(customer)
        .expect("inherited key")
        .properties
        .iter()
        .map(|p| &*p.name)
        .collect();
    assert_eq!(key, ["dataAreaId", "PartyNumber"]);
    assert!(
        doc.entity_type("DE.CustomerV3").is_some(),
        "lookup by alias"
    );
    let base = doc.base_types(customer).next().expect("base");
    assert!(base.is_abstract);
    let all: Vec<&str> = doc
        .all_properties(customer)
        .iter()
        .map(|p| &*p.name)
        .collect();
    assert_eq!(&all[..3], ["dataAreaId", "PartyNumber", "CustomerAccount"]);
}

#[test]
fn reads_every_property_facet() {
    let doc = fixture();
    let customer = doc
        .entity_type(&format!("{NS}.CustomerV3"))
        .expect("CustomerV3");
    let account = customer
        .property("CustomerAccount")
        .expect("CustomerAccount");
    assert!(!account.nullable);
    assert_eq!(account.default_value.as_deref(), Some("NEW"));
    let location = customer.property("Location").expect("Location");
    assert_eq!(location.facets.srid, Some(Srid::Variable));
    let modified = customer.property("ModifiedAt").expect("ModifiedAt");
    assert_eq!(modified.facets.precision, Some(7));
    let addresses = customer.property("Addresses").expect("Addresses");
    assert!(addresses.ty.collection);
    assert_eq!(&*addresses.ty.name, format!("{NS}.Address"));
    let address = doc.complex_type(&addresses.ty.name).expect("Address");
    assert_eq!(
        address.property("Street").and_then(|p| p.facets.max_length),
        Some(MaxLength::Max)
    );
    let city = address.property("City").expect("City");
    assert_eq!(city.facets.max_length, Some(MaxLength::Length(60)));
    assert_eq!(city.facets.unicode, Some(false));
    let amount = doc
        .type_definition(&format!("{NS}.Amount"))
        .expect("Amount");
    assert_eq!(amount.facets.precision, Some(32));
    assert_eq!(amount.facets.scale, Some(Scale::Digits(6)));
    assert!(matches!(
        doc.find_type("DE.Amount"),
        Some(SchemaType::TypeDefinition(_))
    ));
}

#[test]
fn reads_navigation_properties_with_constraints_and_on_delete() {
    let doc = fixture();
    let customer = doc
        .entity_type(&format!("{NS}.CustomerV3"))
        .expect("CustomerV3");
    let group = customer.navigation_property("Group").expect("Group");
    assert!(!group.nullable);
    assert!(!group.ty.collection);
    assert_eq!(group.partner.as_deref(), Some("Customers"));
    assert_eq!(group.on_delete, Some(OnDeleteAction::None));
    assert_eq!(
        &*group.referential_constraints[0].referenced_property,
        "CustomerGroupId"
    );
    let invoices = customer.navigation_property("Invoices").expect("Invoices");
    assert!(invoices.contains_target && invoices.ty.collection);

    let set = doc.entity_set("CustomersV3").expect("set");
    assert!(matches!(
        doc.binding_target(&set.navigation_bindings, "Group"),
        BindingTarget::EntitySet(s) if &*s.name == "CustomerGroups"
    ));
    assert!(matches!(
        doc.binding_target(&set.navigation_bindings, "Invoices"),
        BindingTarget::Dangling("Invoices")
    ));
    assert!(matches!(
        doc.binding_target(&set.navigation_bindings, "Nope"),
        BindingTarget::Unbound
    ));
}

#[test]
fn numbers_enum_members_explicitly_and_implicitly() {
    let doc = fixture();
    let priority = doc.enum_type(&format!("{NS}.Priority")).expect("Priority");
    let values: Vec<(&str, i64, bool)> = priority
        .members
        .iter()
        .map(|m| (&*m.name, m.value, m.value_explicit))
        .collect();
    assert_eq!(
        values,
        [
            ("Low", 0, false),
            ("Normal", 1, false),
            ("High", 10, true),
            ("Urgent", 11, false)
        ]
    );
    assert_eq!(&*priority.underlying_type, "Edm.Int32");
    let access = doc.enum_type("DE.Access").expect("Access");
    assert!(access.is_flags);
    assert_eq!(&*access.underlying_type, "Edm.Byte");
}

#[test]
fn reads_operations_terms_and_imports() {
    let doc = fixture();
    let block = doc.operations("DE.Block").next().expect("Block");
    assert_eq!(block.kind, OperationKind::Action);
    assert_eq!(
        &*block.binding_parameter().expect("binding").ty.name,
        format!("{NS}.CustomerV3")
    );
    assert_eq!(
        block.parameters[1].facets.max_length,
        Some(MaxLength::Length(100))
    );
    let bound: Vec<&str> = doc
        .bound_operations(&format!("{NS}.CustomerV3"))
        .iter()
        .map(|o| &*o.name)
        .collect();
    assert_eq!(bound, ["Block"]);
    let top = doc
        .operations(&format!("{NS}.TopCustomers"))
        .next()
        .expect("TopCustomers");
    assert!(top.is_composable);
    assert_eq!(
        top.return_type.as_ref().expect("return").ty.to_string(),
        format!("Collection({NS}.CustomerV3)")
    );
    let import = &doc.entity_container().expect("container").function_imports[0];
    assert_eq!(&*import.operation, format!("{NS}.TopCustomers"));
    assert_eq!(import.entity_set.as_deref(), Some("CustomersV3"));
    let flag = doc.term("DE.Flag").expect("term");
    assert_eq!(flag.ty.primitive(), Some(Primitive::Boolean));
    assert_eq!(flag.applies_to.len(), 2);
    assert_eq!(
        doc.singleton("DefaultGroup").map(|s| &*s.entity_type),
        Some("Microsoft.Dynamics.DataEntities.CustomerGroup")
    );
}

#[test]
fn reads_inline_and_targeted_annotations_with_undeclared_terms() {
    let doc = fixture();
    let customer = doc
        .entity_type(&format!("{NS}.CustomerV3"))
        .expect("CustomerV3");
    let account = customer
        .property("CustomerAccount")
        .expect("CustomerAccount");
    let traits = terms::PropertyTraits::of(&doc, customer, account);
    assert_eq!(traits.label_id, Some("@SYS7149"));
    assert_eq!(traits.allow_edit, Some(false));
    assert_eq!(
        traits.immutable,
        Some(true),
        "a bare Core.Immutable means true"
    );
    assert!(traits.writable_on_create());
    assert!(!traits.writable_on_update());

    let modified = customer.property("ModifiedAt").expect("ModifiedAt");
    let traits = terms::PropertyTraits::of(&doc, customer, modified);
    assert_eq!(traits.computed, Some(true));
    assert_eq!(traits.description, Some("Last change & who made it"));

    let priority = customer.property("Priority").expect("Priority");
    let traits = terms::PropertyTraits::of(&doc, customer, priority);
    assert_eq!(
        traits.description,
        Some("How urgent the customer's orders are")
    );
    assert_eq!(traits.is_required, Some(true));

    let blocked = customer.property("Blocked").expect("Blocked");
    assert_eq!(
        terms::PropertyTraits::of(&doc, customer, blocked).ax_type,
        Some("Enum")
    );
    assert_eq!(
        customer
            .annotations
            .annotation(terms::fno::LABEL_ID)
            .and_then(|a| a.as_str()),
        Some("@SYS302")
    );

    let set = doc.entity_set("CustomersV3").expect("set");
    let caps = terms::EntitySetCapabilities::of(&doc, set);
    assert_eq!(caps.insertable, Some(false));
    assert_eq!(caps.top_supported, Some(true));
    assert_eq!(caps.non_filterable_properties, ["Addresses"]);
    assert_eq!(caps.optimistic_concurrency, ["ModifiedAt"]);

    let example = doc
        .external_annotations(&format!("{NS}.Resources/CustomersV3"))
        .find(|a| &*a.term == "Org.OData.Core.V1.Example")
        .expect("Core.Example kept as data");
    let AnnotationValue::Expression(apply) = &example.value else {
        panic!("expected an expression, got {:?}", example.value);
    };
    assert_eq!(&*apply.name, "Apply");
    assert_eq!(apply.children.len(), 2);
    assert!(
        matches!(&apply.children[1], AnnotationValue::Path { kind: PathKind::Path, path } if &**path == "CustomerAccount")
    );
    let filter = doc
        .external_annotations(&format!("{NS}.Resources/CustomersV3"))
        .find(|a| &*a.term == terms::capabilities::FILTER_RESTRICTIONS)
        .expect("filter restrictions");
    assert_eq!(
        filter
            .value
            .as_record()
            .and_then(|r| r.type_name.as_deref()),
        Some("Org.OData.Capabilities.V1.FilterRestrictionsType")
    );
}

fn references_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/references")
}

#[test]
fn loads_referenced_documents_from_the_document_folder_and_reference_dirs() {
    use d365fo_odata_codegen::csdl::ReadOptions;

    let dir = references_dir();
    let options = ReadOptions::new().reference_dir(dir.join("shared"));
    let doc = Document::from_path_with(dir.join("service.xml"), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(doc.warnings().is_empty(), "{:#?}", doc.warnings());

    let customer = doc.entity_type("Contoso.Types.Customer").expect("Customer");
    assert_eq!(&*customer.properties[2].ty.name, "Contoso.Types.Status");
    assert!(
        doc.enum_type("T.Status").is_some(),
        "the include alias works"
    );
    assert!(doc.entity_type("Contoso.Shared.Region").is_some());
    let origin = |ns: &str| {
        doc.schema(ns)
            .and_then(|s| s.reference.as_deref())
            .map(str::to_owned)
    };
    assert_eq!(origin("Contoso.Types").as_deref(), Some("types.xml"));
    assert_eq!(
        origin("Contoso.Shared").as_deref(),
        Some("https://contoso.example/odata/shared.xml")
    );
    assert_eq!(origin("Contoso.Service"), None);
    // Referenced documents contribute types, not entity sets.
    let sets: Vec<&str> = doc.entity_sets().map(|s| &*s.name).collect();
    assert_eq!(sets, ["Customers", "Regions"]);

    let generated = d365fo_odata_codegen::Generator::from_document(doc)
        .all_entity_sets()
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        generated.code.contains("pub struct Customer "),
        "no Customer"
    );
    assert!(generated.code.contains("pub struct Region "), "no Region");
    assert!(generated.code.contains("Blocked"), "no Status enum");
}

#[test]
fn a_reference_that_is_not_found_is_a_warning_and_selecting_its_types_an_error() {
    use d365fo_odata_codegen::csdl::{ErrorKind, ReadOptions, WarningKind};
    use d365fo_odata_codegen::{GenerateError, Generator};

    let path = references_dir().join("service.xml");
    let doc = Document::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
    let warnings = doc.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(matches!(
        warnings[0].kind(),
        WarningKind::ReferenceNotLoaded { uri, namespaces, .. }
            if uri == "https://contoso.example/odata/shared.xml" && namespaces == &["Contoso.Shared"]
    ));
    assert_eq!((warnings[0].line(), warnings[0].column()), (6, 3));

    // What the document holds still generates; what the missing document holds is refused
    // with the reference named, instead of an empty file.
    let ok = Generator::from_file(&path)
        .unwrap()
        .entity_sets(["Customers"])
        .generate()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ok.code.contains("pub struct Customer "));
    assert!(
        ok.warnings[0].contains(
            "referenced document `https://contoso.example/odata/shared.xml` was not found"
        )
    );
    assert!(
        !ok.warnings[1..].iter().any(|w| w.contains("was not found")),
        "the cycle back to the service document reads it once: {:#?}",
        ok.warnings
    );
    let e = Generator::from_file(&path)
        .unwrap()
        .entity_sets(["Regions"])
        .generate()
        .expect_err("Region is not loaded");
    assert!(matches!(e, GenerateError::Select(_)), "{e}");
    assert_eq!(
        e.to_string(),
        "cannot select from the metadata: type `Contoso.Shared.Region` is needed, but its \
         namespace `Contoso.Shared` comes from the referenced document \
         `https://contoso.example/odata/shared.xml`, which was not loaded (put it next to the \
         metadata or give its folder with --reference-dir)"
    );

    let strict = ReadOptions::new().strict(true);
    let e = Document::from_path_with(&path, &strict).expect_err("strict");
    assert!(matches!(e.kind(), ErrorKind::Reference { .. }), "{e}");
    assert_eq!((e.line(), e.column()), (6, 3));
    assert!(
        e.to_string().contains(
            "Reference[https://contoso.example/odata/shared.xml]: referenced document \
             `https://contoso.example/odata/shared.xml`: not found (looked in: "
        ),
        "{e}"
    );
}

fn reference_doc(uri: Option<&str>, namespace: &str, body: &str) -> String {
    let reference = uri.map_or(String::new(), |uri| {
        format!(
            "<edmx:Reference Uri=\"{uri}\"><edmx:Include Namespace=\"Next\"/></edmx:Reference>\n"
        )
    });
    format!(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n{reference}\
         <edmx:DataServices><Schema Namespace=\"{namespace}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n{body}\n\
         </Schema></edmx:DataServices></edmx:Edmx>\n"
    )
}

#[test]
fn errors_in_referenced_documents_name_both_documents() {
    use d365fo_odata_codegen::csdl::ErrorKind;

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.xml"),
        reference_doc(Some("broken.xml"), "Main", ""),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("broken.xml"),
        reference_doc(
            None,
            "Next",
            "<EntityType Name=\"A\">\n<Property Name=\"X\"/></EntityType>",
        ),
    )
    .unwrap();
    let e = Document::from_path(dir.path().join("main.xml")).expect_err("broken reference");
    let ErrorKind::ReferencedDocument { uri, error } = e.kind() else {
        panic!("{e}");
    };
    assert_eq!(uri, "broken.xml");
    assert_eq!((error.line(), error.column()), (4, 1));
    assert!(error.source_name().ends_with("broken.xml"));
    assert_eq!((e.line(), e.column()), (2, 1));
    assert!(
        e.to_string()
            .contains("in referenced document `broken.xml`: ")
            && e.to_string()
                .ends_with("<Property> has no `Type` attribute"),
        "{e}"
    );
}

#[test]
fn reference_chains_are_bounded() {
    use d365fo_odata_codegen::csdl::{ErrorKind, MAX_REFERENCE_DEPTH};

    let dir = tempfile::tempdir().unwrap();
    let n = MAX_REFERENCE_DEPTH + 2;
    for i in 0..n {
        let uri = format!("doc{}.xml", i + 1);
        let next = (i + 1 < n).then_some(uri.as_str());
        let namespace = if i == 0 {
            "Main".to_owned()
        } else {
            format!("Ns{i}")
        };
        std::fs::write(
            dir.path().join(format!("doc{i}.xml")),
            reference_doc(next, &namespace, ""),
        )
        .unwrap();
    }
    let e = Document::from_path(dir.path().join("doc0.xml")).expect_err("too deep");
    // The innermost document that could not follow its reference names the limit.
    let mut inner = &e;
    while let ErrorKind::ReferencedDocument { error, .. } = inner.kind() {
        inner = error;
    }
    assert!(
        inner.to_string().contains(&format!(
            "references nest more than {MAX_REFERENCE_DEPTH} documents deep"
        )),
        "{e}"
    );
}
