//! How the walk over an element's children behaves at its edges: input that ends inside an
//! element, children read only for their attributes, known elements inside unknown ones,
//! empty and open elements.

use super::{Parsed, read};
use crate::csdl::error::{ErrorKind, RawError};
use crate::csdl::options::ReadOptions;

const EDM: &str = "xmlns=\"http://docs.oasis-open.org/odata/ns/edm\"";

fn parse(xml: &str) -> Result<Parsed, RawError> {
    read(xml.as_bytes(), xml.len() as u64, &ReadOptions::new())
}

/// A bare `Schema` document around `body`.
fn schema(body: &str) -> String {
    format!("<Schema Namespace=\"N\" {EDM}>{body}</Schema>")
}

/// The error for `xml`, which must be an unclosed element.
fn unclosed(xml: &str) -> RawError {
    let Err(e) = parse(xml) else {
        panic!("a truncated document parsed: {xml}");
    };
    assert!(
        matches!(&e.kind, ErrorKind::Xml(m) if m.contains("not closed")),
        "{:?}",
        e.kind
    );
    e
}

fn offset_of(xml: &str, needle: &str) -> u64 {
    xml.find(needle).expect("needle") as u64
}

#[test]
fn input_that_ends_inside_a_read_element_is_an_error_at_that_element() {
    // Inside a property's children (a walk of its own), under the type's path.
    let xml = format!(
        "<Schema Namespace=\"N\" {EDM}><EntityType Name=\"A\"><Property Name=\"P\" Type=\"Edm.String\">"
    );
    let e = unclosed(&xml);
    assert_eq!(e.offset, offset_of(&xml, "<Property"));
    assert_eq!(e.path, "Schema[N]/EntityType[A]");

    // Inside a key, after a complete property reference.
    let xml = format!(
        "<Schema Namespace=\"N\" {EDM}><EntityType Name=\"A\"><Key><PropertyRef Name=\"Id\"/>"
    );
    let e = unclosed(&xml);
    assert_eq!(e.offset, offset_of(&xml, "<Key"));
    assert_eq!(e.path, "Schema[N]/EntityType[A]");

    // Inside the root itself, whose path is pushed before its children are walked.
    let xml = format!("<Schema Namespace=\"N\" {EDM}><EnumType Name=\"E\"/>");
    let e = unclosed(&xml);
    assert_eq!(e.offset, 0);
    assert_eq!(e.path, "Schema[N]");
}

#[test]
fn input_that_ends_inside_a_skipped_child_is_an_error_at_that_child() {
    // An unknown element, truncated two levels further in.
    let xml = format!("<Schema Namespace=\"N\" {EDM}><EnumType Name=\"E\"/><Future><Deeper>");
    let e = unclosed(&xml);
    assert_eq!(e.offset, offset_of(&xml, "<Future"));
    assert_eq!(e.path, "Schema[N]");

    // A known child read only for its attributes, truncated in its content.
    let xml = format!(
        "<Schema Namespace=\"N\" {EDM}><EntityType Name=\"A\"><Key><PropertyRef Name=\"Id\"><Future>"
    );
    let e = unclosed(&xml);
    assert_eq!(e.offset, offset_of(&xml, "<PropertyRef"));
    assert_eq!(e.path, "Schema[N]/EntityType[A]");
}

#[test]
fn the_content_of_a_child_read_for_its_attributes_is_skipped_whole() {
    let xml = schema(
        "<EntityType Name=\"A\"><Key><PropertyRef Name=\"Id\">\
           <Property Name=\"Hidden\" Type=\"Edm.Int32\"/><PropertyRef Name=\"Nested\"/>\
         </PropertyRef><PropertyRef Name=\"Second\"/></Key>\
         <NavigationProperty Name=\"N\" Type=\"N.B\"><ReferentialConstraint Property=\"Id\" \
           ReferencedProperty=\"BId\"><Annotation Term=\"Core.Description\" String=\"x\"/>\
         </ReferentialConstraint><OnDelete Action=\"Cascade\"><Future/></OnDelete></NavigationProperty>\
         <Property Name=\"Id\" Type=\"Edm.Int32\"/></EntityType>",
    );
    let parsed = parse(&xml).expect("parses");
    let entity = &parsed.schemas[0].entity_types[0];
    let key = entity.key.as_ref().expect("key");
    let key: Vec<&str> = key.properties.iter().map(|p| &*p.name).collect();
    assert_eq!(key, ["Id", "Second"]);
    let properties: Vec<&str> = entity.properties.iter().map(|p| &*p.name).collect();
    assert_eq!(properties, ["Id"]);
    let nav = &entity.navigation_properties[0];
    assert_eq!(nav.referential_constraints.len(), 1);
    assert!(nav.on_delete.is_some());
    assert!(
        nav.annotations.is_empty(),
        "the constraint's annotation is not the property's"
    );
}

#[test]
fn known_elements_inside_unknown_ones_are_not_read() {
    let xml = schema(
        "<EntityType Name=\"A\"><Future><Property Name=\"Hidden\" Type=\"Edm.String\"/>\
           <Future><Property Name=\"Deeper\" Type=\"Edm.String\"/></Future></Future>\
         <Property Name=\"Seen\" Type=\"Edm.String\"/></EntityType>\
         <Future><EntityType Name=\"B\"/></Future><ComplexType Name=\"C\"/>",
    );
    let parsed = parse(&xml).expect("parses");
    let schema = &parsed.schemas[0];
    let types: Vec<&str> = schema.entity_types.iter().map(|t| &*t.name).collect();
    assert_eq!(types, ["A"]);
    let properties: Vec<&str> = schema.entity_types[0]
        .properties
        .iter()
        .map(|p| &*p.name)
        .collect();
    assert_eq!(properties, ["Seen"]);
    assert_eq!(schema.complex_types.len(), 1);
}

#[test]
fn an_empty_element_reads_like_one_without_children() {
    for body in [
        "<EntityType Name=\"A\"/><EnumType Name=\"E\"/><ComplexType Name=\"C\"/>",
        "<EntityType Name=\"A\"></EntityType><EnumType Name=\"E\"></EnumType>\
         <ComplexType Name=\"C\">\n</ComplexType>",
    ] {
        let parsed = parse(&schema(body)).expect("parses");
        let schema = &parsed.schemas[0];
        assert!(schema.entity_types[0].key.is_none(), "{body}");
        assert!(schema.entity_types[0].properties.is_empty(), "{body}");
        assert!(schema.enum_types[0].members.is_empty(), "{body}");
        assert!(schema.complex_types[0].annotations.is_empty(), "{body}");
    }
}

#[test]
fn a_complex_type_ignores_what_only_an_entity_type_has() {
    let xml = schema(
        "<ComplexType Name=\"C\" HasStream=\"not a bool\"><Key><PropertyRef/></Key>\
         <Property Name=\"P\" Type=\"Edm.String\"/></ComplexType>",
    );
    let parsed = parse(&xml).expect("parses");
    assert_eq!(parsed.schemas[0].complex_types[0].properties.len(), 1);

    // The same on an entity type is read, and refused.
    let xml = schema("<EntityType Name=\"A\" HasStream=\"not a bool\"/>");
    let Err(e) = parse(&xml) else {
        panic!("parsed");
    };
    assert!(
        matches!(e.kind, ErrorKind::InvalidAttribute { .. }),
        "{:?}",
        e.kind
    );
    let xml = schema("<EntityType Name=\"A\"><Key><PropertyRef/></Key></EntityType>");
    let Err(e) = parse(&xml) else {
        panic!("parsed");
    };
    assert_eq!(e.offset, offset_of(&xml, "<PropertyRef"));
    assert!(matches!(
        e.kind,
        ErrorKind::MissingAttribute {
            element: "PropertyRef",
            ..
        }
    ));
}
