//! Bad input yields a typed error naming the file, line, column and element path; never a
//! panic.

use d365fo_odata_codegen::csdl::{Document, Error, ErrorKind};

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
