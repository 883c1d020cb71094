//! Exploring a metadata document: which entity sets, types, enums and operations it holds, found
//! by a part of their name, with key and property counts (what `d365fo-codegen list` prints).
//!
//! ```no_run
//! use d365fo_odata_codegen::{csdl::Document, list::Listing};
//!
//! let doc = Document::from_path("metadata/fno.xml")?;
//! let listing = Listing::new(&doc, Some("Customer"));
//! for set in &listing.entity_sets {
//!     println!("{} has {} properties", set.name, set.properties);
//! }
//! print!("{listing}");
//! # Ok::<(), d365fo_odata_codegen::csdl::Error>(())
//! ```

use std::fmt;

use crate::csdl::{Document, EntityType, OperationKind, split_qualified};

/// An entity set or singleton with its entity type's key and counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetSummary<'a> {
    /// Name used in URLs (`CustomersV3`).
    pub name: &'a str,
    /// The entity type, qualified.
    pub entity_type: &'a str,
    /// Key property names in key order (inherited keys included).
    pub key: Vec<&'a str>,
    /// Structural properties, inherited ones included.
    pub properties: usize,
    /// Navigation properties, inherited ones included.
    pub navigation_properties: usize,
}

/// An entity type no entity set or singleton exposes (base types, types used by operations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSummary<'a> {
    /// Qualified name.
    pub name: &'a str,
    /// Key property names (empty for keyless types).
    pub key: Vec<&'a str>,
    /// Structural properties, inherited ones included.
    pub properties: usize,
    /// `Abstract`.
    pub is_abstract: bool,
}

/// An enumeration type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumSummary<'a> {
    /// Qualified name.
    pub name: &'a str,
    /// Number of members.
    pub members: usize,
    /// `IsFlags`.
    pub is_flags: bool,
}

/// An operation (action or function) or an operation import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationSummary<'a> {
    /// Qualified name of the operation, or the import name.
    pub name: &'a str,
    /// `action` or `function`.
    pub kind: &'static str,
    /// The binding parameter's type for bound operations (`Collection(Ns.T)` for
    /// collection-bound ones); `None` for unbound ones.
    pub bound_to: Option<String>,
    /// Parameters, the binding parameter excluded.
    pub parameters: usize,
}

/// What a document holds, optionally narrowed to names containing a search text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing<'a> {
    /// The search text, if any.
    pub search: Option<String>,
    /// Matching entity sets, by name.
    pub entity_sets: Vec<SetSummary<'a>>,
    /// Matching singletons, by name.
    pub singletons: Vec<SetSummary<'a>>,
    /// Matching entity types that no entity set or singleton exposes.
    pub unexposed_entity_types: Vec<TypeSummary<'a>>,
    /// Matching enumeration types.
    pub enum_types: Vec<EnumSummary<'a>>,
    /// Matching operations.
    pub operations: Vec<OperationSummary<'a>>,
}

impl<'a> Listing<'a> {
    /// Lists everything in `doc` whose name contains `search` (ASCII case-insensitive). An
    /// entity set matches by its own name or by its entity type's; every entry is sorted by name.
    pub fn new(doc: &'a Document, search: Option<&str>) -> Listing<'a> {
        let needle = search.map(str::to_ascii_lowercase);
        let matches = |name: &str| {
            needle
                .as_deref()
                .is_none_or(|n| name.to_ascii_lowercase().contains(n))
        };
        let mut listing = Listing {
            search: search.map(str::to_owned),
            ..Listing::default()
        };

        let summary = |name: &'a str, type_name: &'a str| -> SetSummary<'a> {
            let ty = doc.entity_type(type_name);
            SetSummary {
                name,
                entity_type: type_name,
                key: ty.map(|t| key_names(doc, t)).unwrap_or_default(),
                properties: ty.map_or(0, |t| doc.all_properties(t).len()),
                navigation_properties: ty.map_or(0, |t| doc.all_navigation_properties(t).len()),
            }
        };
        let mut exposed = std::collections::HashSet::new();
        for container in doc.entity_containers() {
            for set in &container.entity_sets {
                exposed.insert(&*set.entity_type);
                if matches(&set.name) || matches(split_qualified(&set.entity_type).1) {
                    listing
                        .entity_sets
                        .push(summary(&set.name, &set.entity_type));
                }
            }
            for singleton in &container.singletons {
                exposed.insert(&*singleton.entity_type);
                if matches(&singleton.name) || matches(split_qualified(&singleton.entity_type).1) {
                    listing
                        .singletons
                        .push(summary(&singleton.name, &singleton.entity_type));
                }
            }
            for import in container
                .action_imports
                .iter()
                .chain(&container.function_imports)
            {
                if matches(&import.name) {
                    let op = doc.operations(&import.operation).next();
                    listing.operations.push(OperationSummary {
                        name: &import.name,
                        kind: op.map_or("import", |o| kind_name(o.kind)),
                        bound_to: None,
                        parameters: op.map_or(0, |o| o.parameters.len()),
                    });
                }
            }
        }
        for ty in doc.entity_types() {
            if !exposed.contains(&*ty.qualified_name) && matches(&ty.name) {
                listing.unexposed_entity_types.push(TypeSummary {
                    name: &ty.qualified_name,
                    key: key_names(doc, ty),
                    properties: doc.all_properties(ty).len(),
                    is_abstract: ty.is_abstract,
                });
            }
        }
        for ty in doc.enum_types() {
            if matches(&ty.name) {
                listing.enum_types.push(EnumSummary {
                    name: &ty.qualified_name,
                    members: ty.members.len(),
                    is_flags: ty.is_flags,
                });
            }
        }
        for op in doc.all_operations().filter(|o| o.is_bound) {
            if matches(&op.name) {
                let binding = op.binding_parameter();
                listing.operations.push(OperationSummary {
                    name: &op.qualified_name,
                    kind: kind_name(op.kind),
                    bound_to: binding.map(|p| p.ty.to_string()),
                    parameters: op.parameters.len().saturating_sub(1),
                });
            }
        }
        listing.entity_sets.sort_by(|a, b| a.name.cmp(b.name));
        listing.singletons.sort_by(|a, b| a.name.cmp(b.name));
        listing
            .unexposed_entity_types
            .sort_by(|a, b| a.name.cmp(b.name));
        listing.enum_types.sort_by(|a, b| a.name.cmp(b.name));
        listing.operations.sort_by(|a, b| a.name.cmp(b.name));
        listing
    }

    /// `true` when nothing matched.
    pub fn is_empty(&self) -> bool {
        self.entity_sets.is_empty()
            && self.singletons.is_empty()
            && self.unexposed_entity_types.is_empty()
            && self.enum_types.is_empty()
            && self.operations.is_empty()
    }
}

fn key_names<'a>(doc: &'a Document, ty: &'a EntityType) -> Vec<&'a str> {
    doc.effective_key(ty)
        .map(|k| k.properties.iter().map(|p| p.key_name()).collect())
        .unwrap_or_default()
}

fn kind_name(kind: OperationKind) -> &'static str {
    match kind {
        OperationKind::Action => "action",
        OperationKind::Function => "function",
    }
}

impl Listing<'_> {
    /// The listing as aligned tables fitted to `width` characters (the terminal's width): when
    /// a table is wider, its widest columns are narrowed and their cells continue on further
    /// lines, broken after `, ` or `.` where possible. Numbers are never broken; a width too
    /// small for even that gives lines as narrow as the cells allow.
    pub fn to_table(&self, width: usize) -> String {
        Fitted {
            listing: self,
            width,
        }
        .to_string()
    }
}

/// Prints the listing as aligned tables, one per kind, as wide as their cells; kinds with no
/// entry are left out. [`Listing::to_table`] fits them to a width.
impl fmt::Display for Listing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Fitted {
            listing: self,
            width: usize::MAX,
        }
        .fmt(f)
    }
}

/// A listing with the width its tables fit in.
struct Fitted<'l, 'a> {
    listing: &'l Listing<'a>,
    width: usize,
}

impl fmt::Display for Fitted<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let listing = self.listing;
        let width = self.width;
        let mut first = true;
        let mut section = |f: &mut fmt::Formatter<'_>, title: &str, table: Table| {
            if table.rows.is_empty() {
                return Ok(());
            }
            if !first {
                writeln!(f)?;
            }
            first = false;
            writeln!(f, "{title} ({})", table.rows.len())?;
            table.write(f, width)
        };
        let sets = |sets: &[SetSummary<'_>], label: &'static str| Table {
            header: vec![label, "ENTITY TYPE", "KEY", "PROPERTIES", "NAVIGATION"],
            rows: sets
                .iter()
                .map(|s| {
                    vec![
                        s.name.to_owned(),
                        split_qualified(s.entity_type).1.to_owned(),
                        s.key.join(", "),
                        s.properties.to_string(),
                        s.navigation_properties.to_string(),
                    ]
                })
                .collect(),
        };
        section(f, "Entity sets", sets(&listing.entity_sets, "ENTITY SET"))?;
        section(f, "Singletons", sets(&listing.singletons, "SINGLETON"))?;
        let types = Table {
            header: vec!["ENTITY TYPE", "KEY", "PROPERTIES", "ABSTRACT"],
            rows: listing
                .unexposed_entity_types
                .iter()
                .map(|t| {
                    vec![
                        t.name.to_owned(),
                        t.key.join(", "),
                        t.properties.to_string(),
                        yes_no(t.is_abstract),
                    ]
                })
                .collect(),
        };
        section(f, "Entity types without an entity set", types)?;
        let enums = Table {
            header: vec!["ENUM TYPE", "MEMBERS", "FLAGS"],
            rows: listing
                .enum_types
                .iter()
                .map(|e| vec![e.name.to_owned(), e.members.to_string(), yes_no(e.is_flags)])
                .collect(),
        };
        section(f, "Enum types", enums)?;
        let operations = Table {
            header: vec!["OPERATION", "KIND", "BOUND TO", "PARAMETERS"],
            rows: listing
                .operations
                .iter()
                .map(|o| {
                    vec![
                        o.name.to_owned(),
                        o.kind.to_owned(),
                        o.bound_to.clone().unwrap_or_else(|| "-".to_owned()),
                        o.parameters.to_string(),
                    ]
                })
                .collect(),
        };
        section(f, "Operations", operations)
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// A text table with columns padded to their widest cell.
struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

/// Indentation before each line, and space between columns.
const INDENT: usize = 2;
const GAP: usize = 2;
/// A column is never narrowed below this (nor below its header).
const MIN_COLUMN: usize = 8;

impl Table {
    /// Writes the table in at most `width` characters per line where the cells allow it.
    fn write(&self, f: &mut fmt::Formatter<'_>, width: usize) -> fmt::Result {
        let widths = self.column_widths(width);
        let line = |f: &mut fmt::Formatter<'_>, cells: &[&str]| -> fmt::Result {
            let parts: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, &w)| wrap(cell, w))
                .collect();
            let height = parts.iter().map(Vec::len).max().unwrap_or(1);
            for row in 0..height {
                let mut text = String::new();
                for (i, part) in parts.iter().enumerate() {
                    if i > 0 {
                        text.extend(std::iter::repeat_n(' ', GAP));
                    }
                    let piece = part.get(row).map_or("", String::as_str);
                    text.push_str(piece);
                    let pad = widths[i].saturating_sub(piece.chars().count());
                    text.extend(std::iter::repeat_n(' ', pad));
                }
                writeln!(f, "{:INDENT$}{}", "", text.trim_end())?;
            }
            Ok(())
        };
        line(f, &self.header)?;
        for row in &self.rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            line(f, &cells)?;
        }
        Ok(())
    }

    /// Each column's width: its widest cell, the widest columns narrowed (down to the header,
    /// or [`MIN_COLUMN`]) until the line fits in `width`. A column whose cells are all numbers
    /// keeps its width.
    fn column_widths(&self, width: usize) -> Vec<usize> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        let mut numeric = vec![true; widths.len()];
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(widths.len()) {
                widths[i] = widths[i].max(cell.chars().count());
                numeric[i] &= cell.chars().all(|c| c.is_ascii_digit());
            }
        }
        let floor: Vec<usize> = self
            .header
            .iter()
            .zip(&widths)
            .zip(&numeric)
            .map(|((h, &w), &n)| {
                if n {
                    w
                } else {
                    h.chars().count().max(MIN_COLUMN).min(w)
                }
            })
            .collect();
        let budget = width.saturating_sub(INDENT + GAP * widths.len().saturating_sub(1));
        let mut total: usize = widths.iter().sum();
        while total > budget {
            // Narrow the widest column that can still give, to the next widest one's width
            // (or as far as needed), so that the loop runs at most once per column.
            let Some(widest) = (0..widths.len())
                .filter(|&i| widths[i] > floor[i])
                .max_by_key(|&i| widths[i])
            else {
                break;
            };
            let next = (0..widths.len())
                .filter(|&i| i != widest && widths[i] > floor[i])
                .map(|i| widths[i])
                .max()
                .unwrap_or(0);
            let excess = total - budget;
            let target = widths[widest]
                .saturating_sub(excess)
                .max(next)
                .max(floor[widest]);
            let target = if target == widths[widest] {
                // Ties with the next widest: narrow this one by one and let the next round
                // take the other.
                (widths[widest] - 1).max(floor[widest])
            } else {
                target
            };
            total -= widths[widest] - target;
            widths[widest] = target;
        }
        widths
    }
}

/// `cell` in lines of at most `width` characters, broken where a name reads best: after `.`,
/// `_` or `, `, or before a capital that follows a small letter or digit (`Customer|Account`),
/// when such a place falls in the second half of a line; else at the width.
fn wrap(cell: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut rest: Vec<char> = cell.chars().collect();
    while rest.len() > width {
        // `rest` is longer than `width`, so `window` holds the character after each cut.
        let window = &rest[..=width];
        let cut = (width.div_ceil(2).max(1)..=width)
            .rev()
            .find(|&cut| {
                let (before, after) = (window[cut - 1], window[cut]);
                before == '.'
                    || before == '_'
                    || (before == ',' && after == ' ')
                    || (after.is_uppercase() && (before.is_lowercase() || before.is_ascii_digit()))
            })
            .unwrap_or(width);
        let line: String = rest[..cut].iter().collect();
        lines.push(line.trim_end().to_owned());
        rest.drain(..cut);
        let spaces = rest.iter().take_while(|c| **c == ' ').count();
        rest.drain(..spaces);
    }
    lines.push(rest.into_iter().collect());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Ns" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="NoYes"><Member Name="No" Value="0"/><Member Name="Yes" Value="1"/></EnumType>
      <EntityType Name="CustomerV3">
        <Key><PropertyRef Name="dataAreaId"/><PropertyRef Name="CustomerAccount"/></Key>
        <Property Name="dataAreaId" Type="Edm.String" Nullable="false"/>
        <Property Name="CustomerAccount" Type="Edm.String" Nullable="false"/>
        <Property Name="Blocked" Type="Ns.NoYes"/>
      </EntityType>
      <EntityType Name="CustomerBase" Abstract="true">
        <Property Name="Name" Type="Edm.String"/>
      </EntityType>
      <EntityContainer Name="Resources">
        <EntitySet Name="CustomersV3" EntityType="Ns.CustomerV3"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

    #[test]
    fn finds_sets_by_type_name_with_key_and_counts() {
        let doc = Document::parse(DOC.as_bytes(), "doc.xml").unwrap();
        let listing = Listing::new(&doc, Some("customerv3"));
        assert_eq!(listing.entity_sets.len(), 1);
        let set = &listing.entity_sets[0];
        assert_eq!(set.name, "CustomersV3");
        assert_eq!(set.key, ["dataAreaId", "CustomerAccount"]);
        assert_eq!(set.properties, 3);
        assert!(listing.enum_types.is_empty());
    }

    #[test]
    fn lists_types_without_a_set_and_enums() {
        let doc = Document::parse(DOC.as_bytes(), "doc.xml").unwrap();
        let listing = Listing::new(&doc, None);
        assert_eq!(listing.unexposed_entity_types[0].name, "Ns.CustomerBase");
        assert_eq!(listing.enum_types[0].members, 2);
        let shown = listing.to_string();
        assert!(
            shown.contains("CustomersV3  CustomerV3   dataAreaId, CustomerAccount"),
            "{shown}"
        );
    }

    #[test]
    fn tables_fit_the_width_and_keep_every_character() {
        let doc = Document::parse(DOC.as_bytes(), "doc.xml").unwrap();
        let listing = Listing::new(&doc, None);
        let wide = listing.to_table(usize::MAX);
        assert_eq!(wide, listing.to_string());
        let narrow = listing.to_table(60);
        assert_ne!(narrow, wide);
        for line in narrow.lines() {
            assert!(line.chars().count() <= 60, "{line:?} in\n{narrow}");
        }
        // Wrapping moves characters to further lines; it drops none.
        let letters = |text: &str| text.chars().filter(|c| !c.is_whitespace()).count();
        assert_eq!(letters(&narrow), letters(&wide), "{narrow}\n{wide}");
    }

    #[test]
    fn a_long_cell_wraps_at_a_comma_or_dot_and_numbers_stay_whole() {
        assert_eq!(
            wrap("Microsoft.Dynamics.DataEntities.CustomerV3", 20),
            ["Microsoft.Dynamics.", "DataEntities.", "CustomerV3"]
        );
        assert_eq!(wrap("a, b, c", 5), ["a, b,", "c"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("CustomerAccount", 13), ["Customer", "Account"]);
        assert_eq!(
            wrap("dataAreaId, CustomerAccount", 13),
            ["dataAreaId,", "Customer", "Account"]
        );
        let table = Table {
            header: vec!["NAME", "PROPERTIES"],
            rows: vec![vec!["x".repeat(200), "12345".to_owned()]],
        };
        let widths = table.column_widths(30);
        assert_eq!(widths[1], "PROPERTIES".len());
        assert!(INDENT + widths[0] + GAP + widths[1] <= 30, "{widths:?}");
        // Too narrow for anything: the floors hold, the loop ends.
        assert_eq!(table.column_widths(0), [MIN_COLUMN, 10]);
    }

    #[test]
    fn nothing_matches_an_unrelated_search() {
        let doc = Document::parse(DOC.as_bytes(), "doc.xml").unwrap();
        assert!(Listing::new(&doc, Some("Vendor")).is_empty());
    }
}
