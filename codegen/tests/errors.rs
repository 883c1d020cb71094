//! Bad input yields a typed error naming the file, line, column and element path; never a
//! panic.

use d365fo_odata_codegen::csdl::{
    Document, Error, ErrorKind, MaxLength, ReadOptions, Scale, Srid, WarningKind,
};

/// A minimal F&O-shaped document with `body` inside the schema. The schema body starts on
/// line 4.
fn document(body: &str) -> String {
    format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>\n\
         <Schema Namespace=\"Microsoft.Dynamics.DataEntities\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n\
         {body}\n\
         </Schema></edmx:DataServices></edmx:Edmx>\n"
    )
}

fn parse_err(xml: &str) -> Error {
    match Document::parse(xml.as_bytes(), "metadata.xml") {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

const CUSTOMER_OPEN: &str = "<EntityType Name=\"CustomerV3\">";

#[test]
fn reports_property_without_type_with_position_and_path() {
    let xml = document(&format!(
        "{CUSTOMER_OPEN}\n  <Key><PropertyRef Name=\"CustomerAccount\"/></Key>\n  <Property Name=\"CustomerAccount\" Nullable=\"false\"/>\n</EntityType>"
    ));
    let e = parse_err(&xml);
    assert!(matches!(
        e.kind(),
        ErrorKind::MissingAttribute {
            element: "Property",
            attribute: "Type"
        }
    ));
    assert_eq!((e.line(), e.column()), (6, 3));
    assert_eq!(
        e.path(),
        "Schema[Microsoft.Dynamics.DataEntities]/EntityType[CustomerV3]/Property[CustomerAccount]"
    );
    assert_eq!(
        e.to_string(),
        "metadata.xml:6:3: Schema[Microsoft.Dynamics.DataEntities]/EntityType[CustomerV3]/Property[CustomerAccount]: <Property> has no `Type` attribute"
    );
}

#[test]
fn reports_key_naming_a_missing_property() {
    let xml = document(&format!(
        "{CUSTOMER_OPEN}\n  <Key>\n    <PropertyRef Name=\"dataAreaId\"/>\n    <PropertyRef Name=\"CustomerAcount\"/>\n  </Key>\n  <Property Name=\"dataAreaId\" Type=\"Edm.String\"/>\n  <Property Name=\"CustomerAccount\" Type=\"Edm.String\"/>\n</EntityType>"
    ));
    let e = parse_err(&xml);
    match e.kind() {
        ErrorKind::KeyPropertyMissing {
            property,
            entity_type,
        } => {
            assert_eq!(property, "CustomerAcount");
            assert_eq!(entity_type, "Microsoft.Dynamics.DataEntities.CustomerV3");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!((e.line(), e.column()), (5, 3));
    assert_eq!(
        e.path(),
        "Schema[Microsoft.Dynamics.DataEntities]/EntityType[CustomerV3]/Key"
    );
}

#[test]
fn reports_unknown_type_reference_with_suggestion() {
    let xml = document(
        "<EnumType Name=\"NoYes\"><Member Name=\"No\"/><Member Name=\"Yes\"/></EnumType>\n\
         <EntityType Name=\"CustomerV3\"><Key><PropertyRef Name=\"Id\"/></Key><Property Name=\"Id\" Type=\"Edm.String\"/>\n\
         <Property Name=\"Blocked\" Type=\"Microsoft.Dynamics.DataEntities.NoYess\"/></EntityType>",
    );
    let e = parse_err(&xml);
    match e.kind() {
        ErrorKind::UnknownType { name, suggestion } => {
            assert_eq!(name, "Microsoft.Dynamics.DataEntities.NoYess");
            assert_eq!(
                suggestion.as_deref(),
                Some("Microsoft.Dynamics.DataEntities.NoYes")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!((e.line(), e.column()), (6, 1));
    assert_eq!(
        e.path(),
        "Schema[Microsoft.Dynamics.DataEntities]/EntityType[CustomerV3]/Property[Blocked]"
    );
    assert!(
        e.to_string()
            .contains("did you mean `Microsoft.Dynamics.DataEntities.NoYes`?")
    );
}

#[test]
fn reports_unknown_primitive_and_entity_set_types() {
    let xml = document(
        "<EntityType Name=\"A\"><Key><PropertyRef Name=\"Id\"/></Key><Property Name=\"Id\" Type=\"Edm.Strin\"/></EntityType>",
    );
    let e = parse_err(&xml);
    assert!(
        matches!(e.kind(), ErrorKind::UnknownType { suggestion: Some(s), .. } if s == "Edm.String")
    );

    let xml = document(
        "<EntityType Name=\"A\"><Key><PropertyRef Name=\"Id\"/></Key><Property Name=\"Id\" Type=\"Edm.String\"/></EntityType>\n\
         <EntityContainer Name=\"Resources\"><EntitySet Name=\"As\" EntityType=\"Microsoft.Dynamics.DataEntities.B\"/></EntityContainer>",
    );
    let e = parse_err(&xml);
    assert!(
        matches!(e.kind(), ErrorKind::UnknownType { name, .. } if name == "Microsoft.Dynamics.DataEntities.B")
    );
    assert_eq!(
        e.path(),
        "Schema[Microsoft.Dynamics.DataEntities]/EntityContainer[Resources]/EntitySet[As]"
    );
    assert_eq!((e.line(), e.column()), (5, 35));
}

#[test]
fn reports_duplicate_type_and_property_names() {
    let entity = "<EntityType Name=\"CustomerV3\"><Key><PropertyRef Name=\"Id\"/></Key><Property Name=\"Id\" Type=\"Edm.String\"/></EntityType>";
    let xml = document(&format!("{entity}\n{entity}"));
    let e = parse_err(&xml);
    assert!(
        matches!(e.kind(), ErrorKind::Duplicate { name, .. } if name == "Microsoft.Dynamics.DataEntities.CustomerV3")
    );
    assert_eq!((e.line(), e.column()), (5, 1));
    assert_eq!(
        e.path(),
        "Schema[Microsoft.Dynamics.DataEntities]/EntityType[CustomerV3]"
    );

    let xml = document(
        "<EntityType Name=\"CustomerV3\"><Key><PropertyRef Name=\"Id\"/></Key>\n<Property Name=\"Id\" Type=\"Edm.String\"/>\n<Property Name=\"Id\" Type=\"Edm.Int32\"/></EntityType>",
    );
    let e = parse_err(&xml);
    assert!(matches!(e.kind(), ErrorKind::Duplicate { what: "property", name } if name == "Id"));
    assert_eq!((e.line(), e.column()), (6, 1));
    assert_eq!(
        e.path(),
        "Schema[Microsoft.Dynamics.DataEntities]/EntityType[CustomerV3]/Property[Id]"
    );

    let xml = document(
        "<EnumType Name=\"NoYes\"><Member Name=\"No\"/>\n<Member Name=\"No\"/></EnumType>",
    );
    let e = parse_err(&xml);
    assert!(matches!(
        e.kind(),
        ErrorKind::Duplicate {
            what: "enum member",
            ..
        }
    ));
    assert_eq!(
        e.path(),
        "Schema[Microsoft.Dynamics.DataEntities]/EnumType[NoYes]/Member[No]"
    );
}

#[test]
fn reports_malformed_xml_with_position() {
    let xml = document(&format!("{CUSTOMER_OPEN}\n  <Key></Keys>\n</EntityType>"));
    let e = parse_err(&xml);
    assert!(matches!(*e.kind(), ErrorKind::Xml(_)), "{e}");
    assert_eq!(e.line(), 5);
    assert_eq!(
        e.path(),
        "Schema[Microsoft.Dynamics.DataEntities]/EntityType[CustomerV3]"
    );
    assert!(e.to_string().starts_with("metadata.xml:5:"), "{e}");
}

#[test]
fn reports_unclosed_document() {
    let xml = "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n<edmx:DataServices>\n<Schema Namespace=\"N\">\n<EntityType Name=\"A\">";
    let e = parse_err(xml);
    assert!(matches!(*e.kind(), ErrorKind::Xml(_)), "{e}");
    assert_eq!(e.path(), "Schema[N]/EntityType[A]");
}

#[test]
fn reports_wrong_root_element() {
    let e = parse_err("<?xml version=\"1.0\"?>\n<html><body/></html>");
    assert!(matches!(e.kind(), ErrorKind::WrongRoot { found } if found == "html"));
    assert_eq!((e.line(), e.column()), (2, 1));
    assert_eq!(
        e.to_string(),
        "metadata.xml:2:1: expected root element `edmx:Edmx` or `Schema`, found `html`"
    );
    let e = parse_err("");
    assert!(matches!(*e.kind(), ErrorKind::WrongRoot { .. }));
}

#[test]
fn reports_invalid_attribute_and_annotation_values() {
    let xml = document(
        "<EntityType Name=\"A\"><Key><PropertyRef Name=\"Id\"/></Key>\n<Property Name=\"Id\" Type=\"Edm.String\" Nullable=\"maybe\"/></EntityType>",
    );
    let e = parse_err(&xml);
    assert!(
        matches!(e.kind(), ErrorKind::InvalidAttribute { attribute, value, .. } if attribute == "Nullable" && value == "maybe")
    );
    assert_eq!((e.line(), e.column()), (5, 1));

    let xml = document(
        "<EntityType Name=\"A\"><Key><PropertyRef Name=\"Id\"/></Key>\n<Property Name=\"Id\" Type=\"Edm.String\">\n<Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.AllowEdit\" Bool=\"nope\"/></Property></EntityType>",
    );
    let e = parse_err(&xml);
    assert!(
        matches!(e.kind(), ErrorKind::InvalidValue { value, .. } if value == "nope"),
        "{e}"
    );
    assert_eq!((e.line(), e.column()), (6, 1));
}

#[test]
fn tolerates_undeclared_terms_and_unknown_elements() {
    let xml = document(
        "<EntityType Name=\"A\"><Key><PropertyRef Name=\"Id\"/></Key>\
         <Property Name=\"Id\" Type=\"Edm.String\"><Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@SYS1\"/>\
         <Future xmlns=\"urn:x\"><Nested/></Future></Property>\
         <Annotation Term=\"Vendor.Unknown\"><Future><String>x</String></Future></Annotation></EntityType>",
    );
    let doc = Document::parse(xml.as_bytes(), "metadata.xml").expect("parses");
    let a = doc
        .entity_type("Microsoft.Dynamics.DataEntities.A")
        .expect("A");
    assert_eq!(a.properties[0].annotations.len(), 1);
    assert_eq!(&*a.annotations[0].term, "Vendor.Unknown");
}

#[test]
fn reports_base_type_cycles() {
    let xml = document(
        "<EntityType Name=\"A\" BaseType=\"Microsoft.Dynamics.DataEntities.B\"/>\n<EntityType Name=\"B\" BaseType=\"Microsoft.Dynamics.DataEntities.A\"/>",
    );
    let e = parse_err(&xml);
    assert!(matches!(*e.kind(), ErrorKind::BaseTypeCycle { .. }), "{e}");
}

#[test]
fn names_the_file_in_errors_from_path() {
    let dir = std::env::temp_dir().join(format!("csdl-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("broken.xml");
    std::fs::write(
        &path,
        document("<EntityType Name=\"A\">\n<Property Name=\"X\"/></EntityType>"),
    )
    .expect("write");
    let e = Document::from_path(&path).expect_err("invalid");
    assert_eq!(e.source_name(), path.display().to_string());
    assert_eq!((e.line(), e.column()), (5, 1));
    let missing = Document::from_path(dir.join("absent.xml")).expect_err("absent");
    assert!(matches!(*missing.kind(), ErrorKind::Io(_)));
    assert_eq!(missing.line(), 0);
    std::fs::remove_dir_all(&dir).ok();
}

fn parse_ok(xml: &str) -> Document {
    Document::parse(xml.as_bytes(), "metadata.xml").unwrap_or_else(|e| panic!("{e}"))
}

fn parse_strict_err(xml: &str) -> Error {
    match Document::parse_with(
        xml.as_bytes(),
        "metadata.xml",
        &ReadOptions::new().strict(true),
    ) {
        Ok(_) => panic!("expected an error in strict mode"),
        Err(e) => e,
    }
}

/// A generic (non-F&O) document with `body` inside the schema `Ns`; the body starts on line 3.
fn generic(body: &str) -> String {
    format!(
        "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices>\n\
         <Schema Namespace=\"Ns\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n\
         {body}\n\
         </Schema></edmx:DataServices></edmx:Edmx>\n"
    )
}

const KEYED: &str = "<Key><PropertyRef Name=\"Id\"/></Key><Property Name=\"Id\" Type=\"Edm.Int32\" Nullable=\"false\"/>";

#[test]
fn reads_facet_keywords_in_any_letter_case_with_a_warning() {
    let xml = generic(&format!(
        "<EntityType Name=\"Account\">{KEYED}\n\
         <Property Name=\"Amount\" Type=\"Edm.Decimal\" Scale=\"Variable\"/>\n\
         <Property Name=\"Rate\" Type=\"Edm.Decimal\" Scale=\"Floating\"/>\n\
         <Property Name=\"Where\" Type=\"Edm.GeographyPoint\" SRID=\"Variable\"/>\n\
         <Property Name=\"Note\" Type=\"Edm.String\" MaxLength=\"MAX\"/>\n\
         <Property Name=\"Other\" Type=\"Edm.Decimal\" Scale=\"Variable\"/></EntityType>"
    ));
    let doc = parse_ok(&xml);
    let account = doc.entity_type("Ns.Account").expect("Account");
    let facets = |name: &str| account.property(name).expect(name).facets.clone();
    assert_eq!(facets("Amount").scale, Some(Scale::Variable));
    assert_eq!(facets("Rate").scale, Some(Scale::Floating));
    assert_eq!(facets("Where").srid, Some(Srid::Variable));
    assert_eq!(facets("Note").max_length, Some(MaxLength::Max));

    let warnings = doc.warnings();
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    let scale = &warnings[0];
    assert!(matches!(
        scale.kind(),
        WarningKind::FacetSpelling { attribute, value, read_as: "variable" }
            if attribute == "Scale" && value == "Variable"
    ));
    assert_eq!((scale.line(), scale.column()), (4, 1));
    assert_eq!(scale.occurrences(), 2, "the repeat on `Other` is counted");
    assert_eq!(
        scale.to_string(),
        "metadata.xml:4:1: Schema[Ns]/EntityType[Account]/Property[Amount]: attribute `Scale` \
         has value `Variable`; read as `variable`, as Microsoft's OData reader does \
         (2 occurrences; the first is shown)"
    );

    let e = parse_strict_err(&xml);
    assert_eq!(
        e.to_string(),
        "metadata.xml:4:1: Schema[Ns]/EntityType[Account]/Property: attribute `Scale` has value \
         `Variable`, expected digits, `variable` or `floating`"
    );
}

#[test]
fn resolves_standard_vocabularies_used_without_a_reference() {
    let xml = generic(&format!(
        "<Term Name=\"IsSpecial\" Type=\"Core.Tag\" DefaultValue=\"true\"/>\n\
         <Term Name=\"Stamp\" Type=\"Org.OData.Core.V1.LocalDateTime\"/>\n\
         <EntityType Name=\"Person\">{KEYED}<Annotation Term=\"Core.Description\" String=\"A person\"/></EntityType>"
    ));
    let doc = parse_ok(&xml);
    let term = doc.term("Ns.IsSpecial").expect("term");
    assert_eq!(&*term.ty.name, "Org.OData.Core.V1.Tag");
    let person = doc.entity_type("Ns.Person").expect("Person");
    assert_eq!(
        &*person.annotations[0].term,
        "Org.OData.Core.V1.Description"
    );
    let kinds: Vec<String> = doc.warnings().iter().map(|w| w.to_string()).collect();
    assert_eq!(
        kinds,
        [
            "metadata.xml:3:1: the alias `Core` is used without an `edmx:Reference` including it; \
          read as the standard vocabulary `Org.OData.Core.V1`"
        ],
        "one warning for the vocabulary, at its first use"
    );
    // Used by its namespace only, the vocabulary gets one warning too.
    let doc = parse_ok(&generic(
        "<Term Name=\"Stamp\" Type=\"Org.OData.Core.V1.LocalDateTime\"/>",
    ));
    assert_eq!(
        doc.warnings()[0].to_string(),
        "metadata.xml:3:1: Schema[Ns]/Term[Stamp]: the standard vocabulary `Org.OData.Core.V1` \
         is used without an `edmx:Reference` including it; its names were read from the \
         built-in table of standard vocabularies"
    );

    let e = parse_strict_err(&xml);
    assert!(
        matches!(e.kind(), ErrorKind::UnknownType { name, .. } if name == "Core.Tag"),
        "{e}"
    );

    // A name the standard vocabulary does not declare is still an error, with a suggestion.
    let e = parse_err(&generic("<Term Name=\"T\" Type=\"Core.Tagg\"/>"));
    assert!(
        matches!(e.kind(), ErrorKind::UnknownType { name, suggestion: Some(s) }
            if name == "Org.OData.Core.V1.Tagg" && s == "Org.OData.Core.V1.Tag"),
        "{e}"
    );
}

#[test]
fn keeps_a_function_and_a_type_of_one_name_apart() {
    let xml = generic(&format!(
        "<ComplexType Name=\"image\"><Property Name=\"height\" Type=\"Edm.Int32\"/></ComplexType>\n\
         <EntityType Name=\"photo\">{KEYED}<Property Name=\"image\" Type=\"Ns.image\"/></EntityType>\n\
         <Function Name=\"image\" IsBound=\"true\"><Parameter Name=\"bindingParameter\" Type=\"Ns.photo\"/><ReturnType Type=\"Ns.image\"/></Function>"
    ));
    let doc = parse_ok(&xml);
    assert!(doc.complex_type("Ns.image").is_some());
    assert_eq!(doc.operations("Ns.image").count(), 1);
    assert_eq!(doc.bound_operations("Ns.photo").len(), 1);
    let w = &doc.warnings()[0];
    assert!(matches!(
        w.kind(),
        WarningKind::SharedName { name, first: "complex type", second: "function" } if name == "Ns.image"
    ));
    assert_eq!(
        (w.line(), w.column(), w.path()),
        (5, 1, "Schema[Ns]/Function[image]")
    );

    let e = parse_strict_err(&xml);
    assert_eq!(
        e.to_string(),
        "metadata.xml:5:1: Schema[Ns]/Function[image]: duplicate schema element name `Ns.image`"
    );
}

#[test]
fn refuses_odata_v2_and_v3_documents() {
    for version in ["1.0", "2.0", "3.0"] {
        let xml = format!(
            "<?xml version=\"1.0\"?>\n<edmx:Edmx Version=\"{version}\" xmlns:edmx=\"http://schemas.microsoft.com/ado/2007/06/edmx\">\n\
             <edmx:DataServices><Schema Namespace=\"N\" xmlns=\"http://schemas.microsoft.com/ado/2008/09/edm\"/></edmx:DataServices></edmx:Edmx>"
        );
        let e = parse_err(&xml);
        assert!(
            matches!(e.kind(), ErrorKind::UnsupportedVersion { .. }),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "metadata.xml:2:1: OData v2/v3 metadata is not supported: EDMX version {version} \
                 (this reader reads CSDL 4.0 and 4.01)"
            )
        );
    }
    let e = parse_err(
        "<Schema Namespace=\"N\" xmlns=\"http://schemas.microsoft.com/ado/2009/11/edm\"/>",
    );
    assert!(
        e.to_string()
            .starts_with("metadata.xml:1:1: OData v2/v3 metadata is not supported"),
        "{e}"
    );
    let e = parse_err(&generic("").replace("Version=\"4.0\"", "Version=\"5.0\""));
    assert!(
        e.to_string()
            .contains("EDMX version `5.0` is not supported"),
        "{e}"
    );
}

/// `depth` nested collections inside one annotation.
fn nested_annotation(depth: usize) -> String {
    format!(
        "<Annotations Target=\"Ns.X\"><Annotation Term=\"Ns.T\">{}<String>x</String>{}</Annotation></Annotations>",
        "<Collection>".repeat(depth),
        "</Collection>".repeat(depth)
    )
}

#[test]
fn bounds_element_nesting_instead_of_overflowing_the_stack() {
    // 3,000 levels in 60 KB overflowed the stack before the bound; now they are refused, even
    // on a 1 MiB stack (half of what a spawned thread gets by default; debug build).
    let xml = generic(&nested_annotation(3_000));
    let e = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || parse_err(&xml))
        .expect("thread")
        .join()
        .expect("no stack overflow");
    assert!(matches!(e.kind(), ErrorKind::TooDeep { limit: 256 }), "{e}");
    assert_eq!(e.line(), 3);
    assert!(
        e.to_string()
            .ends_with("elements are nested more than 256 levels deep"),
        "{e}"
    );
    assert!(e.path().starts_with("Schema[Ns]"), "{}", e.path());

    // Every recursive shape is bounded the same way: records, other expressions, annotations
    // on annotations.
    for (open, close) in [
        (
            "<Record><PropertyValue Property=\"p\">",
            "</PropertyValue></Record>",
        ),
        ("<Apply Function=\"odata.concat\">", "</Apply>"),
        ("<Annotation Term=\"Ns.T\">", "</Annotation>"),
    ] {
        let xml = generic(&format!(
            "<Annotations Target=\"Ns.X\"><Annotation Term=\"Ns.T\">{}{}</Annotation></Annotations>",
            open.repeat(3_000),
            close.repeat(3_000)
        ));
        let e = std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(move || parse_err(&xml))
            .expect("thread")
            .join()
            .expect("no stack overflow");
        assert!(matches!(e.kind(), ErrorKind::TooDeep { .. }), "{open}: {e}");
    }

    // Unknown elements are skipped, but bounded just the same.
    let deep_unknown = generic(&format!(
        "{}{}",
        "<Future>".repeat(300),
        "</Future>".repeat(300)
    ));
    assert!(matches!(
        parse_err(&deep_unknown).kind(),
        ErrorKind::TooDeep { .. }
    ));

    // Just below the limit still reads, on the default test-thread stack.
    let doc = parse_ok(&generic(&nested_annotation(240)));
    assert_eq!(doc.external_annotations("Ns.X").count(), 1);
    let shallow = ReadOptions::new().max_depth(20);
    let e = Document::parse_with(
        generic(&nested_annotation(30)).as_bytes(),
        "m.xml",
        &shallow,
    )
    .expect_err("limit 20");
    assert!(matches!(e.kind(), ErrorKind::TooDeep { limit: 20 }), "{e}");
}

#[test]
fn refuses_a_repeated_key_property() {
    let e = parse_err(&generic(
        "<EntityType Name=\"A\">\n<Key><PropertyRef Name=\"Id\"/><PropertyRef Name=\"Id\"/></Key><Property Name=\"Id\" Type=\"Edm.Int32\" Nullable=\"false\"/></EntityType>",
    ));
    assert_eq!(
        e.to_string(),
        "metadata.xml:4:1: Schema[Ns]/EntityType[A]/Key: duplicate key property `Id`"
    );
}

#[test]
fn refuses_a_key_on_a_collection_or_complex_property() {
    let e = parse_err(&generic(
        "<EntityType Name=\"A\">\n<Key><PropertyRef Name=\"Tags\"/></Key><Property Name=\"Tags\" Type=\"Collection(Edm.String)\" Nullable=\"false\"/></EntityType>",
    ));
    assert!(
        matches!(e.kind(), ErrorKind::InvalidKeyProperty { .. }),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "metadata.xml:4:1: Schema[Ns]/EntityType[A]/Key: key property `Tags` of `Ns.A` is a \
         collection (`Collection(Edm.String)`); a key property must be single-valued"
    );

    let complex = "<ComplexType Name=\"Address\"><Property Name=\"City\" Type=\"Edm.String\" Nullable=\"false\"/></ComplexType>\n";
    let e = parse_err(&generic(&format!(
        "{complex}<EntityType Name=\"A\"><Key><PropertyRef Name=\"Home\"/></Key><Property Name=\"Home\" Type=\"Ns.Address\" Nullable=\"false\"/></EntityType>"
    )));
    assert!(
        e.to_string().contains(
            "key property `Home` of `Ns.A` is of complex type `Ns.Address`; a key property must \
             be primitive or an enum"
        ),
        "{e}"
    );

    // A path into the complex property is a valid key; a path to a missing property is not.
    let doc = parse_ok(&generic(&format!(
        "{complex}<EntityType Name=\"A\"><Key><PropertyRef Name=\"Home/City\" Alias=\"City\"/></Key><Property Name=\"Home\" Type=\"Ns.Address\" Nullable=\"false\"/></EntityType>"
    )));
    assert!(doc.entity_type("Ns.A").is_some());
    let e = parse_err(&generic(&format!(
        "{complex}<EntityType Name=\"A\"><Key><PropertyRef Name=\"Home/Town\" Alias=\"Town\"/></Key><Property Name=\"Home\" Type=\"Ns.Address\" Nullable=\"false\"/></EntityType>"
    )));
    assert!(
        matches!(e.kind(), ErrorKind::KeyPropertyMissing { property, .. } if property == "Home/Town"),
        "{e}"
    );
}

#[test]
fn removes_bidirectional_control_characters_from_descriptions() {
    let xml = generic(&format!(
        "<EntityType Name=\"A\">{KEYED}\n<Annotation Term=\"Org.OData.Core.V1.Description\" String=\"safe\u{202E}txt.exe\u{2066}\"/>\n\
         <Annotation Term=\"Org.OData.Core.V1.LongDescription\"><String>long\u{200F} text</String></Annotation></EntityType>"
    ));
    let doc = parse_ok(&xml);
    let a = doc.entity_type("Ns.A").expect("A");
    assert_eq!(a.annotations[0].as_str(), Some("safetxt.exe"));
    assert_eq!(a.annotations[1].as_str(), Some("long text"));
    let warnings: Vec<_> = doc
        .warnings()
        .iter()
        .map(|w| (w.line(), w.kind().clone()))
        .collect();
    assert_eq!(
        warnings,
        [
            (4, WarningKind::BidiControl { removed: 2 }),
            (5, WarningKind::BidiControl { removed: 1 })
        ]
    );
}

#[test]
fn refuses_documents_over_the_size_limit() {
    let xml = generic(KEYED);
    let small = ReadOptions::new().max_bytes(100);
    let e = Document::parse_with(xml.as_bytes(), "metadata.xml", &small).expect_err("too large");
    assert!(
        matches!(e.kind(), ErrorKind::TooLarge { limit: 100, size } if *size == xml.len() as u64),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "metadata.xml: the document has {} bytes, more than the limit of 100 bytes",
            xml.len()
        )
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.xml");
    std::fs::write(&path, &xml).expect("write");
    let e = Document::from_path_with(&path, &small).expect_err("too large");
    assert!(matches!(e.kind(), ErrorKind::TooLarge { .. }), "{e}");
    let e = d365fo_odata_codegen::Generator::from_file_with(&path, &small).expect_err("too large");
    assert!(
        e.to_string().contains("more than the limit of 100 bytes"),
        "{e}"
    );
    assert_eq!(
        d365fo_odata_codegen::csdl::DEFAULT_MAX_BYTES,
        512 * 1024 * 1024
    );
}
