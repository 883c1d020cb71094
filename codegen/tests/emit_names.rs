//! Names that are not usable as Rust identifiers as they are get deterministic, documented
//! renames: enum/entity collisions (ignoring case), keywords, leading digits, non-ASCII.

use d365fo_odata_codegen::Generator;

const DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="SalesStatus">
        <Key><PropertyRef Name="dataAreaId"/><PropertyRef Name="type"/></Key>
        <Property Name="dataAreaId" Type="Edm.String" Nullable="false"/>
        <Property Name="type" Type="Edm.Int64" Nullable="false"/>
        <Property Name="1stLine" Type="Edm.String"/>
        <Property Name="Größe" Type="Edm.Decimal"/>
        <Property Name="Status" Type="Microsoft.Dynamics.DataEntities.Salesstatus"/>
        <Property Name="Option" Type="Microsoft.Dynamics.DataEntities.Option"/>
      </EntityType>
      <EnumType Name="Salesstatus">
        <Member Name="None" Value="0"/>
        <Member Name="Unknown" Value="1"/>
        <Member Name="self" Value="2"/>
      </EnumType>
      <EnumType Name="Option">
        <Member Name="A" Value="0"/>
      </EnumType>
      <EntityContainer Name="Resources">
        <EntitySet Name="SalesStatuses" EntityType="Microsoft.Dynamics.DataEntities.SalesStatus"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

fn generate(generator: Generator) -> d365fo_odata_codegen::Generated {
    generator.all_entity_sets().generate().unwrap()
}

#[test]
fn colliding_and_unusual_names_are_renamed_deterministically() {
    let generated = generate(Generator::from_bytes(DOC.as_bytes(), "names.xml").unwrap());
    let code = &generated.code;
    assert!(
        code.contains("pub struct SalesStatus {"),
        "entity keeps its name"
    );
    assert!(
        code.contains("pub enum SalesstatusEnum {"),
        "enum gets the kind suffix"
    );
    assert!(
        code.contains("pub enum OptionEnum {"),
        "prelude names are not shadowed"
    );
    assert!(
        code.contains("pub type_: i64,"),
        "keywords get a trailing underscore"
    );
    assert!(
        code.contains("pub n1st_line: Option<String>,"),
        "leading digit gets a prefix"
    );
    assert!(
        code.contains("pub gr_f6_df_e: Option<"),
        "non-ASCII becomes code points"
    );
    assert!(code.contains("UnknownMember,"), "member named Unknown");
    assert!(code.contains("Self_,"), "member named like a keyword");
    assert!(code.contains("\"Größe\" => "), "wire name kept");
    assert!(
        generated
            .warnings
            .iter()
            .any(|w| w.contains("Salesstatus` is generated as `SalesstatusEnum`")),
        "{:?}",
        generated.warnings
    );
    let again = generate(Generator::from_bytes(DOC.as_bytes(), "names.xml").unwrap());
    assert_eq!(again.code, generated.code);
}

#[test]
fn user_renames_win() {
    let generated = generate(
        Generator::from_bytes(DOC.as_bytes(), "names.xml")
            .unwrap()
            .rename_type(
                "Microsoft.Dynamics.DataEntities.Salesstatus",
                "SalesStatusCode",
            ),
    );
    assert!(generated.code.contains("pub enum SalesStatusCode {"));
    assert!(generated.code.contains("Option<SalesStatusCode>"));
}
