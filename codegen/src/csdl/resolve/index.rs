//! The lookup indexes of a document: qualified names, operation overloads, bound operations,
//! aliases, namespaces and annotation targets; duplicate names are found here.

use std::sync::Arc;

use crate::csdl::error::{ErrorKind, RawError};
use crate::csdl::model::{Index, ItemLoc, Schema};
use crate::csdl::operations::OperationKind;
use crate::csdl::warning::{WarningKind, WarningSink};

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

pub(super) fn build_index(
    schemas: &[Schema],
    index: &mut Index,
    strict: bool,
    warnings: &mut WarningSink,
) -> Result<(), RawError> {
    for (si, schema) in schemas.iter().enumerate() {
        let s = idx(si);
        let schema_path = format!("Schema[{}]", schema.namespace);
        let mut add = |name: &Arc<str>, loc: ItemLoc, element: &str, simple: &str, offset: u64| {
            if index.items.insert(name.clone(), loc).is_some() {
                return Err(RawError::new(
                    offset,
                    format!("{schema_path}/{element}[{simple}]"),
                    ErrorKind::Duplicate {
                        what: "schema element name",
                        name: name.to_string(),
                    },
                ));
            }
            Ok(())
        };
        for (i, t) in schema.entity_types.iter().enumerate() {
            add(
                &t.qualified_name,
                ItemLoc::Entity(s, idx(i)),
                "EntityType",
                &t.name,
                t.offset,
            )?;
        }
        for (i, t) in schema.complex_types.iter().enumerate() {
            add(
                &t.qualified_name,
                ItemLoc::Complex(s, idx(i)),
                "ComplexType",
                &t.name,
                t.offset,
            )?;
        }
        for (i, t) in schema.enum_types.iter().enumerate() {
            add(
                &t.qualified_name,
                ItemLoc::Enum(s, idx(i)),
                "EnumType",
                &t.name,
                t.offset,
            )?;
        }
        for (i, t) in schema.type_definitions.iter().enumerate() {
            let loc = ItemLoc::TypeDefinition(s, idx(i));
            add(&t.qualified_name, loc, "TypeDefinition", &t.name, t.offset)?;
        }
        for (i, t) in schema.terms.iter().enumerate() {
            add(
                &t.qualified_name,
                ItemLoc::Term(s, idx(i)),
                "Term",
                &t.name,
                t.offset,
            )?;
        }
        if let Some(c) = &schema.entity_container {
            add(
                &c.qualified_name,
                ItemLoc::Container(s),
                "EntityContainer",
                &c.name,
                c.offset,
            )?;
        }
        for (i, op) in schema.operations.iter().enumerate() {
            if let Some(existing) = index.items.get(&op.qualified_name) {
                let path = format!("{schema_path}/{}[{}]", kind_element(op.kind), op.name);
                if strict {
                    return Err(RawError::new(
                        op.offset,
                        path,
                        ErrorKind::Duplicate {
                            what: "schema element name",
                            name: op.qualified_name.to_string(),
                        },
                    ));
                }
                // Operations live in their own table, so a type and a function of the same
                // name (as in Microsoft Graph) stay apart, as in Microsoft's readers.
                warnings.push(
                    op.offset,
                    path,
                    WarningKind::SharedName {
                        name: op.qualified_name.to_string(),
                        first: item_kind(existing),
                        second: match op.kind {
                            OperationKind::Action => "action",
                            OperationKind::Function => "function",
                        },
                    },
                );
            }
            index
                .operations
                .entry(op.qualified_name.clone())
                .or_default()
                .push((s, idx(i)));
            if let Some(binding) = op.binding_parameter() {
                index
                    .bound_operations
                    .entry(binding.ty.name.clone())
                    .or_default()
                    .push((s, idx(i)));
            }
        }
        for (i, block) in schema.annotation_blocks.iter().enumerate() {
            index
                .annotation_targets
                .entry(block.target.clone())
                .or_default()
                .push((s, idx(i)));
        }
    }
    Ok(())
}

fn item_kind(loc: &ItemLoc) -> &'static str {
    match loc {
        ItemLoc::Entity(..) => "entity type",
        ItemLoc::Complex(..) => "complex type",
        ItemLoc::Enum(..) => "enumeration type",
        ItemLoc::TypeDefinition(..) => "type definition",
        ItemLoc::Term(..) => "term",
        ItemLoc::Container(..) => "entity container",
    }
}

pub(super) fn kind_element(kind: OperationKind) -> &'static str {
    match kind {
        OperationKind::Action => "Action",
        OperationKind::Function => "Function",
    }
}

// ----- validation -------------------------------------------------------------------------------
