//! Generated operations are called where the caller stands: entity-bound ones as methods of the
//! entity reference (a trait re-exported by `prelude`), collection-bound ones on a set handle,
//! unbound ones as functions; more than three required parameters go into a parameter struct
//! and optional ones are never positional. Also: visitor locals are named after their fields.

use d365fo_odata_codegen::Generator;

const METADATA: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Shop" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Order">
        <Key><PropertyRef Name="Id"/></Key>
        <Property Name="Id" Type="Edm.String" Nullable="false"/>
        <Property Name="Key" Type="Edm.String"/>
        <Property Name="Map" Type="Edm.String"/>
        <Property Name="Total" Type="Edm.Decimal"/>
      </EntityType>
      <Action Name="Get" IsBound="true">
        <Parameter Name="_this" Type="Shop.Order" Nullable="false"/>
      </Action>
      <Action Name="Ship" IsBound="true">
        <Parameter Name="_this" Type="Shop.Order" Nullable="false"/>
        <Parameter Name="Carrier" Type="Edm.String" Nullable="false"/>
        <Parameter Name="Weight" Type="Edm.Double" Nullable="false"/>
        <Parameter Name="Express" Type="Edm.Boolean" Nullable="false"/>
        <Parameter Name="Labels" Type="Collection(Edm.String)" Nullable="false"/>
        <Parameter Name="Note" Type="Edm.String">
          <Annotation Term="Org.OData.Core.V1.OptionalParameter"/>
        </Parameter>
        <ReturnType Type="Edm.String"/>
      </Action>
      <Function Name="Count" IsBound="true">
        <Parameter Name="_these" Type="Collection(Shop.Order)" Nullable="false"/>
        <Parameter Name="Status" Type="Edm.String">
          <Annotation Term="Org.OData.Core.V1.OptionalParameter"/>
        </Parameter>
        <ReturnType Type="Edm.Int64" Nullable="false"/>
      </Function>
      <Action Name="Archive" IsBound="true">
        <Parameter Name="_these" Type="Collection(Shop.Order)" Nullable="false"/>
        <Parameter Name="Before" Type="Edm.Int32" Nullable="false"/>
      </Action>
      <Action Name="Reset">
        <Parameter Name="Area" Type="Edm.String" Nullable="false"/>
      </Action>
      <EntityContainer Name="Container">
        <EntitySet Name="Orders" EntityType="Shop.Order"/>
        <ActionImport Name="Reset" Action="Shop.Reset"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

fn code() -> String {
    Generator::from_bytes(METADATA.as_bytes(), "shop.xml")
        .unwrap()
        .all_entity_sets()
        .operations(["Reset"])
        .generate()
        .unwrap()
        .code
}

/// The text from the line starting with `start` to the next line that is exactly `end`.
fn item<'c>(code: &'c str, start: &str, end: &str) -> &'c str {
    let from = code
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in:\n{code}"));
    let rest = &code[from..];
    let to = rest.find(end).map_or(rest.len(), |n| n + end.len());
    &rest[..to]
}

#[test]
fn entity_bound_operations_are_methods_of_the_entity_reference() {
    let code = code();
    let decl = item(
        &code,
        "pub trait OrderOperations: sealed::Sealed {",
        "\n}\n",
    );
    // `get` is the reference's own method: the operation gets another name.
    assert!(decl.contains("fn get_2(&self)"), "{decl}");
    assert!(!decl.contains("fn get("), "{decl}");
    assert!(
        code.contains("impl OrderOperations for ::d365fo_odata::EntityRef<Order> {"),
        "{code}"
    );
    assert!(
        code.contains("pub mod prelude {\n    pub use super::OrderOperations;\n}"),
        "{code}"
    );
    // Sealed: only the generated impl can satisfy the supertrait, so new operations of the
    // service add trait methods without breaking code that uses the bindings.
    assert!(
        code.contains("impl sealed::Sealed for ::d365fo_odata::EntityRef<Order> {}"),
        "{code}"
    );
    assert!(code.contains("\nmod sealed {\n"), "{code}");
    assert!(
        decl.contains("-> impl ::std::future::Future<Output = ::d365fo_odata::Result<()>> + Send;"),
        "{decl}"
    );
}

#[test]
fn many_required_parameters_are_named_fields_and_optional_ones_setters() {
    let code = code();
    let params = item(&code, "pub struct ShipParams<'a> {", "\n}\n");
    for field in [
        "pub carrier: &'a str,",
        "pub weight: f64,",
        "pub express: bool,",
        "pub labels: &'a [String],",
    ] {
        assert!(params.contains(field), "{field} in {params}");
    }
    assert!(!params.contains("note"), "optional in the struct: {params}");
    assert!(
        code.contains("fn ship(&self, params: ShipParams<'_>) -> ShipRequest;"),
        "{code}"
    );
    let request = item(&code, "pub struct ShipRequest {", "\n}\n");
    assert!(
        request.contains("request: ::d365fo_odata::ActionRequest,"),
        "{request}"
    );
    let setters = item(&code, "impl ShipRequest {", "\n}\n");
    assert!(
        setters.contains("pub fn note(self, value: &str) -> Self {"),
        "{setters}"
    );
    assert!(
        setters.contains("pub async fn send(self) -> ::d365fo_odata::Result<Option<String>> {"),
        "{setters}"
    );
    assert!(
        code.contains("impl ::std::future::IntoFuture for ShipRequest {"),
        "{code}"
    );
}

#[test]
fn collection_bound_operations_are_methods_of_a_set_handle() {
    let code = code();
    assert!(
        code.contains("pub fn set(client: &::d365fo_odata::Client) -> OrderSet {"),
        "{code}"
    );
    let handle = item(&code, "impl OrderSet {", "\n}\n");
    assert!(
        handle.contains("pub fn cross_company(mut self) -> Self {"),
        "{handle}"
    );
    // A few positional parameters stay positional; the optional one is a setter.
    assert!(
        handle.contains("pub async fn archive(&self, before: i32) -> ::d365fo_odata::Result<()> {"),
        "{handle}"
    );
    assert!(
        handle.contains("pub fn count(&self) -> CountRequest {"),
        "{handle}"
    );
    assert!(
        handle.contains("self.client.collection_function::<Order>(qualified_name)"),
        "{handle}"
    );
    let setters = item(&code, "impl CountRequest {", "\n}\n");
    assert!(
        setters.contains("pub fn status(self, value: &str) -> Self {"),
        "{setters}"
    );
}

#[test]
fn unbound_operations_stay_functions_of_the_operations_module() {
    let code = code();
    let module = item(&code, "pub mod operations {", "\n}\n");
    assert!(
        module.contains(
            "pub async fn reset(client: &::d365fo_odata::Client, area: &str) -> \
             ::d365fo_odata::Result<()> {"
        ),
        "{module}"
    );
}

#[test]
fn visitor_locals_are_named_after_their_fields_clear_of_the_visitor_bindings() {
    let code = code();
    let visitor = item(&code, "fn visit_map", "Ok(Order {");
    for local in [
        "let mut id = None;",
        "let mut key_2 = None;",
        "let mut map_2 = None;",
    ] {
        assert!(visitor.contains(local), "{local} in {visitor}");
    }
    assert!(
        visitor.contains("\"Key\" => key_2 = map.next_value()?,"),
        "{visitor}"
    );
    assert!(!visitor.contains("v0"), "{visitor}");
    let init = item(&code, "Ok(Order {", "})");
    assert!(init.contains("key: key_2,"), "{init}");
    assert!(init.contains("total,"), "{init}");
}
