//! A deterministic, full-scale F&O-shaped `$metadata` document for benchmarks and stress
//! tests.
//!
//! Real F&O metadata is 28–52 MB and cannot be shipped with the project, so benchmarks build
//! one with the same shape: a UTF-8 BOM, namespace `Microsoft.Dynamics.DataEntities`, container
//! `Resources`, 3,868 entity types (named from the corpus entity list when
//! `ODATA_METADATA_CORPUS` is set), composite keys led by `dataAreaId`, F&O annotations
//! (`LabelId`, `AXType`, `AllowEdit`, ...) on every property, enums, navigation properties
//! with bindings, bound actions, and the `Microsoft.Dynamics.OData.Core.V1` schema with
//! `AXType`. The same spec always produces the same bytes.
//!
//! ```
//! use d365fo_odata_codegen::synthetic::SyntheticSpec;
//!
//! let spec = SyntheticSpec { entity_types: 20, ..SyntheticSpec::full_scale() };
//! let xml = spec.generate();
//! let doc = d365fo_odata_codegen::csdl::Document::parse(&xml, "synthetic.xml")?;
//! assert_eq!(doc.entity_types().count(), 20);
//! # Ok::<(), d365fo_odata_codegen::csdl::Error>(())
//! ```

use std::io::{self, Write};
use std::path::Path;

/// Namespace of F&O data entities.
pub const NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";

/// Shape of the document to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticSpec {
    /// Number of entity types (and entity sets).
    pub entity_types: usize,
    /// Smallest number of structural properties per entity type.
    pub min_properties: usize,
    /// Largest number of structural properties per entity type.
    pub max_properties: usize,
    /// Number of enumeration types besides `NoYes`.
    pub enums: usize,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
    /// Entity type names; generated names (`Entity0001`) are used when this is shorter than
    /// `entity_types`.
    pub entity_names: Vec<String>,
    /// Smallest number of navigation properties per entity type.
    pub min_navigation: usize,
    /// Largest number of navigation properties per entity type. Targets are drawn at random
    /// from all entity types, so many navigation properties make a dense graph full of cycles.
    pub max_navigation: usize,
}

impl SyntheticSpec {
    /// The full-scale shape: 3,868 entity types with 10–56 properties each (~40 MB, the size of
    /// a real full F&O document of that many entities).
    pub fn full_scale() -> Self {
        SyntheticSpec {
            entity_types: 3868,
            min_properties: 10,
            max_properties: 56,
            enums: 600,
            seed: 0x00D3_65F0,
            entity_names: Vec::new(),
            min_navigation: 0,
            max_navigation: 2,
        }
    }

    /// A densely connected shape like Microsoft Dataverse or Graph: 300 entity types with 5–15
    /// properties and 10–40 navigation properties each, to random targets (so the navigation
    /// graph has cycles of every length). Generated bindings of such graphs must compile
    /// without the user raising `recursion_limit`.
    pub fn dense() -> Self {
        SyntheticSpec {
            entity_types: 300,
            min_properties: 5,
            max_properties: 15,
            enums: 20,
            seed: 0x0DE5_E000,
            entity_names: Vec::new(),
            min_navigation: 10,
            max_navigation: 40,
        }
    }

    /// Uses the real entity names from
    /// `$ODATA_METADATA_CORPUS/fno/old-generated__d365_client__entity_list.txt` when that
    /// file exists; otherwise leaves the spec unchanged.
    pub fn with_corpus_names(mut self) -> Self {
        if let Some(dir) = std::env::var_os("ODATA_METADATA_CORPUS") {
            let list = Path::new(&dir).join("fno/old-generated__d365_client__entity_list.txt");
            if let Ok(text) = std::fs::read_to_string(list) {
                let mut names: Vec<String> = Vec::new();
                for line in text.lines().map(str::trim) {
                    let valid = !line.is_empty()
                        && line.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !names.iter().any(|n| n == line);
                    if valid {
                        names.push(line.to_owned());
                    }
                }
                self.entity_names = names;
            }
        }
        self
    }

    /// Generates the document into memory.
    pub fn generate(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.entity_types * 11_000);
        self.write(&mut out)
            .expect("writing to a Vec<u8> cannot fail");
        out
    }

    /// Writes the document to `out` (wrap files in a `BufWriter`).
    ///
    /// # Errors
    /// Whatever `out` returns.
    pub fn write<W: Write>(&self, mut out: W) -> io::Result<()> {
        Generator::new(self).write(&mut out)
    }
}

/// xorshift64*: small, fast and deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high.saturating_sub(low) + 1)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    String,
    Enum(usize),
    NoYes,
    Decimal,
    Date,
    UtcDateTime,
    Time,
    Int32,
    Int64,
    Guid,
    Container,
}

impl Kind {
    fn edm(self) -> Option<&'static str> {
        Some(match self {
            Kind::String => "Edm.String",
            Kind::Decimal => "Edm.Decimal",
            Kind::Date | Kind::UtcDateTime => "Edm.DateTimeOffset",
            Kind::Time | Kind::Int32 => "Edm.Int32",
            Kind::Int64 => "Edm.Int64",
            Kind::Guid => "Edm.Guid",
            Kind::Container => "Edm.Binary",
            Kind::Enum(_) | Kind::NoYes => return None,
        })
    }

    fn ax_type(self) -> &'static str {
        match self {
            Kind::String => "String",
            Kind::Enum(_) | Kind::NoYes => "Enum",
            Kind::Decimal => "Real",
            Kind::Date => "Date",
            Kind::UtcDateTime => "UtcDateTime",
            Kind::Time => "Time",
            Kind::Int32 => "Int32",
            Kind::Int64 => "Int64",
            Kind::Guid => "Guid",
            Kind::Container => "Container",
        }
    }
}

const FIELD_WORDS: &[&str] = &[
    "Account",
    "Amount",
    "Address",
    "Currency",
    "Customer",
    "Date",
    "Delivery",
    "Description",
    "Dimension",
    "Group",
    "Invoice",
    "Item",
    "Line",
    "Name",
    "Number",
    "Order",
    "Payment",
    "Price",
    "Quantity",
    "Reference",
    "Site",
    "Status",
    "Tax",
    "Terms",
    "Type",
    "Unit",
    "Vendor",
    "Warehouse",
    "Worker",
    "Zip",
];

struct Generator<'a> {
    spec: &'a SyntheticSpec,
    rng: Rng,
    names: Vec<String>,
    /// Navigation properties written per entity: (name, target entity index).
    navigation: Vec<Vec<(String, usize)>>,
}

impl<'a> Generator<'a> {
    fn new(spec: &'a SyntheticSpec) -> Self {
        let names = (0..spec.entity_types)
            .map(|i| {
                spec.entity_names
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("Entity{i:04}"))
            })
            .collect();
        Generator {
            spec,
            rng: Rng(spec.seed | 1),
            names,
            navigation: Vec::new(),
        }
    }

    fn set_name(name: &str, i: usize) -> String {
        // Most F&O sets share the type's name; some are plural (CustomerV3 → CustomersV3).
        if i % 29 == 3 {
            match name.rfind('V') {
                Some(v)
                    if v > 0
                        && name[v + 1..].chars().all(|c| c.is_ascii_digit())
                        && v + 1 < name.len() =>
                {
                    format!("{}s{}", &name[..v], &name[v..])
                }
                _ => format!("{name}s"),
            }
        } else {
            name.to_owned()
        }
    }

    fn write<W: Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n")?;
        out.write_all(b"<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n")?;
        writeln!(
            out,
            "    <Schema Namespace=\"{NAMESPACE}\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">"
        )?;
        self.write_enums(out)?;
        let mut actions = Vec::new();
        for i in 0..self.names.len() {
            self.write_entity(out, i, &mut actions)?;
        }
        for (entity, collection, name) in &actions {
            let binding = if *collection {
                format!("Collection({NAMESPACE}.{})", self.names[*entity])
            } else {
                format!("{NAMESPACE}.{}", self.names[*entity])
            };
            writeln!(out, "      <Action Name=\"{name}\" IsBound=\"true\">")?;
            writeln!(
                out,
                "        <Parameter Name=\"{}\" Type=\"{binding}\" />",
                self.names[*entity]
            )?;
            if *collection {
                writeln!(
                    out,
                    "        <Parameter Name=\"_fields\" Type=\"Collection(Edm.String)\" />"
                )?;
                writeln!(out, "        <ReturnType Type=\"Edm.String\" />")?;
            } else {
                writeln!(
                    out,
                    "        <ReturnType Type=\"Edm.Boolean\" Nullable=\"false\" />"
                )?;
            }
            writeln!(out, "      </Action>")?;
        }
        self.write_container(out)?;
        out.write_all(b"    </Schema>\n")?;
        writeln!(
            out,
            "    <Schema Namespace=\"Microsoft.Dynamics.OData.Core.V1\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n      <EnumType Name=\"AXType\">"
        )?;
        for (value, member) in [
            "Container",
            "Date",
            "Enum",
            "Guid",
            "Int32",
            "Int64",
            "Real",
            "Record",
            "String",
            "Time",
            "UtcDateTime",
            "Void",
        ]
        .iter()
        .enumerate()
        {
            writeln!(
                out,
                "        <Member Name=\"{member}\" Value=\"{value}\" />"
            )?;
        }
        out.write_all(b"      </EnumType>\n    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n")?;
        Ok(())
    }

    fn write_enums<W: Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b"      <EnumType Name=\"NoYes\">\n        <Member Name=\"No\" Value=\"0\">\n          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@sys2048\" />\n        </Member>\n        <Member Name=\"Yes\" Value=\"1\">\n          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@sys5461\" />\n        </Member>\n      </EnumType>\n")?;
        for e in 0..self.spec.enums {
            writeln!(out, "      <EnumType Name=\"{}\">", enum_name(e))?;
            for m in 0..self.rng.between(2, 12) {
                writeln!(
                    out,
                    "        <Member Name=\"{}{m}\" Value=\"{m}\">\n          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@SYS{}\" />\n        </Member>",
                    FIELD_WORDS[(e + m) % FIELD_WORDS.len()],
                    10_000 + self.rng.below(90_000)
                )?;
            }
            writeln!(
                out,
                "        <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@SYS{}\" />\n      </EnumType>",
                10_000 + e
            )?;
        }
        Ok(())
    }

    fn kind(&mut self) -> Kind {
        match self.rng.below(100) {
            0..=47 => Kind::String,
            48..=59 => Kind::Enum(self.rng.below(self.spec.enums.max(1))),
            60..=64 => Kind::NoYes,
            65..=74 => Kind::Decimal,
            75..=80 => Kind::Date,
            81..=83 => Kind::UtcDateTime,
            84..=85 => Kind::Time,
            86..=90 => Kind::Int32,
            91..=96 => Kind::Int64,
            97..=98 => Kind::Guid,
            _ => Kind::Container,
        }
    }

    fn write_property<W: Write>(
        &mut self,
        out: &mut W,
        name: &str,
        kind: Kind,
        key: bool,
    ) -> io::Result<()> {
        let ty = match kind {
            Kind::Enum(e) if self.spec.enums > 0 => format!("{NAMESPACE}.{}", enum_name(e)),
            Kind::Enum(_) | Kind::NoYes => format!("{NAMESPACE}.NoYes"),
            other => other.edm().unwrap_or("Edm.String").to_owned(),
        };
        let nullable = if key { " Nullable=\"false\"" } else { "" };
        writeln!(
            out,
            "        <Property Name=\"{name}\" Type=\"{ty}\"{nullable}>"
        )?;
        writeln!(
            out,
            "          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@SYS{}\" />",
            1000 + self.rng.below(300_000)
        )?;
        let roll = self.rng.below(100);
        if key || roll < 8 {
            out.write_all(b"          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.AllowEdit\" Bool=\"false\" />\n")?;
        }
        if roll < 4 {
            out.write_all(b"          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.AllowEditOnCreate\" Bool=\"false\" />\n")?;
        }
        if key || (8..14).contains(&roll) {
            out.write_all(b"          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.IsRequired\" Bool=\"true\" />\n")?;
        }
        if roll == 99 {
            out.write_all(b"          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.IsReadOnly\" Bool=\"true\" />\n")?;
        }
        if roll >= 60
            || key
            || matches!(kind, Kind::Enum(_) | Kind::NoYes | Kind::Date | Kind::Time)
        {
            writeln!(
                out,
                "          <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.AXType\">\n            <EnumMember>Microsoft.Dynamics.OData.Core.V1.AXType/{}</EnumMember>\n          </Annotation>",
                kind.ax_type()
            )?;
        }
        out.write_all(b"        </Property>\n")
    }

    fn write_entity<W: Write>(
        &mut self,
        out: &mut W,
        i: usize,
        actions: &mut Vec<(usize, bool, String)>,
    ) -> io::Result<()> {
        let name = self.names[i].clone();
        writeln!(out, "      <EntityType Name=\"{name}\">")?;
        let shared = i % 10 == 7;
        let key_len = if i % 500 == 42 {
            13
        } else {
            self.rng.between(1, 4)
        };
        let mut key: Vec<(String, Kind)> = Vec::new();
        if !shared {
            key.push(("dataAreaId".to_owned(), Kind::String));
        }
        for k in 0..key_len {
            let kind = match k % 5 {
                3 => Kind::Date,
                4 => Kind::Enum(self.rng.below(self.spec.enums.max(1))),
                2 => Kind::Int64,
                _ => Kind::String,
            };
            let word = FIELD_WORDS[(i + k * 7) % FIELD_WORDS.len()];
            key.push((format!("{word}Key{k}"), kind));
        }
        out.write_all(b"        <Key>\n")?;
        for (k, _) in &key {
            writeln!(out, "          <PropertyRef Name=\"{k}\" />")?;
        }
        out.write_all(b"        </Key>\n")?;
        for (k, kind) in key.clone() {
            self.write_property(out, &k, kind, true)?;
        }
        let count = self
            .rng
            .between(self.spec.min_properties, self.spec.max_properties)
            .saturating_sub(key.len());
        for p in 0..count {
            let kind = self.kind();
            let word = FIELD_WORDS[self.rng.below(FIELD_WORDS.len())];
            let field = format!("{word}{p}");
            self.write_property(out, &field, kind, false)?;
        }
        let mut navigation = Vec::new();
        let navigation_count = self
            .rng
            .between(self.spec.min_navigation, self.spec.max_navigation);
        for n in 0..navigation_count {
            let target = self.rng.below(self.names.len());
            navigation.push((format!("Nav{n}{}", self.names[target]), target));
            let many = n % 2 == 1;
            let ty = if many {
                format!("Collection({NAMESPACE}.{})", self.names[target])
            } else {
                format!("{NAMESPACE}.{}", self.names[target])
            };
            writeln!(
                out,
                "        <NavigationProperty Name=\"Nav{n}{}\" Type=\"{ty}\" />",
                self.names[target]
            )?;
        }
        writeln!(
            out,
            "        <Annotation Term=\"Microsoft.Dynamics.OData.Core.V1.LabelId\" String=\"@SYS{}\" />\n      </EntityType>",
            20_000 + i
        )?;
        if i % 20 == 5 {
            actions.push((i, i % 40 == 5, format!("validate{name}")));
        }
        self.navigation.push(navigation);
        Ok(())
    }

    fn write_container<W: Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b"      <EntityContainer Name=\"Resources\">\n")?;
        for i in 0..self.names.len() {
            let name = &self.names[i];
            let set = Self::set_name(name, i);
            let navigation = &self.navigation[i];
            if navigation.is_empty() {
                writeln!(
                    out,
                    "        <EntitySet Name=\"{set}\" EntityType=\"{NAMESPACE}.{name}\" />"
                )?;
            } else {
                writeln!(
                    out,
                    "        <EntitySet Name=\"{set}\" EntityType=\"{NAMESPACE}.{name}\">"
                )?;
                for (path, target) in navigation {
                    let target_set = Self::set_name(&self.names[*target], *target);
                    writeln!(
                        out,
                        "          <NavigationPropertyBinding Path=\"{path}\" Target=\"{target_set}\" />"
                    )?;
                }
                out.write_all(b"        </EntitySet>\n")?;
            }
        }
        out.write_all(b"      </EntityContainer>\n")
    }
}

fn enum_name(e: usize) -> String {
    format!("{}Enum{e:03}", FIELD_WORDS[e % FIELD_WORDS.len()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csdl::Document;

    #[test]
    fn generates_a_parseable_deterministic_fno_shaped_document() {
        let spec = SyntheticSpec {
            entity_types: 60,
            enums: 10,
            ..SyntheticSpec::full_scale()
        };
        let xml = spec.generate();
        assert!(xml.starts_with(b"\xEF\xBB\xBF<?xml"));
        assert_eq!(xml, spec.generate(), "same spec, same bytes");
        let doc = Document::parse(&xml, "synthetic.xml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(doc.entity_types().count(), 60);
        assert_eq!(doc.entity_sets().count(), 60);
        assert_eq!(doc.enum_types().count(), 12, "NoYes, 10 enums, AXType");
        assert_eq!(
            &*doc.entity_container().expect("container").name,
            "Resources"
        );
        let with_area = doc
            .entity_types()
            .filter(|t| &*t.key.as_ref().expect("key").properties[0].name == "dataAreaId")
            .count();
        assert_eq!(with_area, 54, "every tenth entity is shared");
        assert!(
            doc.entity_types()
                .all(|t| t.properties.iter().all(|p| !p.annotations.is_empty()))
        );
        assert!(
            doc.all_operations()
                .any(|o| o.binding_parameter().is_some_and(|p| p.ty.collection))
        );
        assert_eq!(
            doc.entity_type(&format!("{NAMESPACE}.Entity0042"))
                .map(|t| t.key.as_ref().expect("key").properties.len()),
            Some(14)
        );
    }
}
