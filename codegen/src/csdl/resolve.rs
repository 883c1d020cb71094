//! After reading: resolve aliases, build the lookup indexes and check the references between
//! elements (keys, base types, property types, entity set types, duplicate names).

use std::collections::HashSet;
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationValue};
use super::document::{Document, Index, ItemLoc, NameMap, Schema};
use super::error::{ErrorKind, RawError};
use super::names::{AliasResolver, split_qualified};
use super::primitive::Primitive;
use super::reader::Parsed;
use super::types::{NavigationProperty, Property, TypeRef};

/// Turns what the reader produced into a checked, indexed [`Document`].
pub(crate) fn finish(parsed: Parsed, source_name: String) -> Result<Document, RawError> {
    let Parsed {
        version,
        mut references,
        mut schemas,
        mut interner,
    } = parsed;

    let mut index = Index::default();
    for reference in &references {
        for include in &reference.includes {
            index
                .namespaces
                .entry(include.namespace.clone())
                .or_insert(false);
            if let Some(alias) = &include.alias {
                index
                    .aliases
                    .insert(alias.clone(), include.namespace.clone());
            }
        }
    }
    for schema in &schemas {
        index.namespaces.insert(schema.namespace.clone(), true);
        if let Some(alias) = &schema.alias {
            index
                .aliases
                .insert(alias.clone(), schema.namespace.clone());
        }
    }

    if !index.aliases.is_empty() {
        let mut resolver = AliasResolver::new(&index.aliases, &mut interner);
        for reference in &mut references {
            for a in &mut reference.annotations {
                resolve_annotation(&mut resolver, a);
            }
        }
        for schema in &mut schemas {
            resolve_schema(&mut resolver, schema);
        }
    }

    build_index(&schemas, &mut index)?;
    let document = Document {
        source_name,
        version,
        references,
        schemas,
        index,
    };
    validate(&document)?;
    Ok(document)
}

// ----- alias resolution -------------------------------------------------------------------------

fn resolve_annotations(resolver: &mut AliasResolver<'_>, annotations: &mut [Annotation]) {
    for a in annotations {
        resolve_annotation(resolver, a);
    }
}

fn resolve_annotation(resolver: &mut AliasResolver<'_>, annotation: &mut Annotation) {
    resolver.name(&mut annotation.term);
    resolve_value(resolver, &mut annotation.value);
    resolve_annotations(resolver, &mut annotation.annotations);
}

fn resolve_value(resolver: &mut AliasResolver<'_>, value: &mut AnnotationValue) {
    match value {
        AnnotationValue::EnumMember(members) => resolver.path(members),
        AnnotationValue::Collection(items) => {
            for item in items {
                resolve_value(resolver, item);
            }
        }
        AnnotationValue::Record(record) => {
            resolver.opt(&mut record.type_name);
            for p in &mut record.properties {
                resolve_value(resolver, &mut p.value);
            }
            resolve_annotations(resolver, &mut record.annotations);
        }
        AnnotationValue::Expression(expression) => {
            for (key, value) in &mut expression.attributes {
                if matches!(&**key, "Type" | "Function") {
                    resolver.name(value);
                }
            }
            for child in &mut expression.children {
                resolve_value(resolver, child);
            }
        }
        _ => {}
    }
}

fn resolve_type(resolver: &mut AliasResolver<'_>, ty: &mut TypeRef) {
    resolver.name(&mut ty.name);
}

fn resolve_properties(
    resolver: &mut AliasResolver<'_>,
    properties: &mut [Property],
    navigation: &mut [NavigationProperty],
) {
    for p in properties {
        resolve_type(resolver, &mut p.ty);
        resolve_annotations(resolver, &mut p.annotations);
    }
    for n in navigation {
        resolve_type(resolver, &mut n.ty);
        resolve_annotations(resolver, &mut n.annotations);
    }
}

fn resolve_schema(resolver: &mut AliasResolver<'_>, schema: &mut Schema) {
    resolve_annotations(resolver, &mut schema.annotations);
    for t in &mut schema.entity_types {
        resolver.opt(&mut t.base_type);
        resolve_properties(resolver, &mut t.properties, &mut t.navigation_properties);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.complex_types {
        resolver.opt(&mut t.base_type);
        resolve_properties(resolver, &mut t.properties, &mut t.navigation_properties);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.enum_types {
        resolver.name(&mut t.underlying_type);
        resolve_annotations(resolver, &mut t.annotations);
        for m in &mut t.members {
            resolve_annotations(resolver, &mut m.annotations);
        }
    }
    for t in &mut schema.type_definitions {
        resolver.name(&mut t.underlying_type);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.terms {
        resolve_type(resolver, &mut t.ty);
        resolver.opt(&mut t.base_term);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for op in &mut schema.operations {
        for p in &mut op.parameters {
            resolve_type(resolver, &mut p.ty);
            resolve_annotations(resolver, &mut p.annotations);
        }
        if let Some(r) = &mut op.return_type {
            resolve_type(resolver, &mut r.ty);
            resolve_annotations(resolver, &mut r.annotations);
        }
        resolve_annotations(resolver, &mut op.annotations);
    }
    if let Some(c) = &mut schema.entity_container {
        resolver.opt(&mut c.extends);
        resolve_annotations(resolver, &mut c.annotations);
        for s in &mut c.entity_sets {
            resolver.name(&mut s.entity_type);
            for b in &mut s.navigation_bindings {
                resolver.path(&mut b.path);
                resolver.path(&mut b.target);
            }
            resolve_annotations(resolver, &mut s.annotations);
        }
        for s in &mut c.singletons {
            resolver.name(&mut s.entity_type);
            for b in &mut s.navigation_bindings {
                resolver.path(&mut b.path);
                resolver.path(&mut b.target);
            }
            resolve_annotations(resolver, &mut s.annotations);
        }
        for i in c
            .action_imports
            .iter_mut()
            .chain(c.function_imports.iter_mut())
        {
            resolver.name(&mut i.operation);
            resolver.opt(&mut i.entity_set);
            resolve_annotations(resolver, &mut i.annotations);
        }
    }
    for block in &mut schema.annotation_blocks {
        resolver.path(&mut block.target);
        resolve_annotations(resolver, &mut block.annotations);
    }
}

// ----- index ------------------------------------------------------------------------------------

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn build_index(schemas: &[Schema], index: &mut Index) -> Result<(), RawError> {
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
                let _ = existing;
                return Err(RawError::new(
                    op.offset,
                    format!("{schema_path}/{}[{}]", kind_element(op.kind), op.name),
                    ErrorKind::Duplicate {
                        what: "schema element name",
                        name: op.qualified_name.to_string(),
                    },
                ));
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

fn kind_element(kind: super::operations::OperationKind) -> &'static str {
    match kind {
        super::operations::OperationKind::Action => "Action",
        super::operations::OperationKind::Function => "Function",
    }
}

// ----- validation -------------------------------------------------------------------------------

/// What a type reference must resolve to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Any primitive, enum, type definition, complex or entity type.
    AnyType,
    /// An entity type.
    Entity,
    /// A complex type.
    Complex,
    /// A primitive type.
    Primitive,
}

impl Want {
    fn describe(self) -> &'static str {
        match self {
            Want::AnyType => "a type",
            Want::Entity => "an entity type",
            Want::Complex => "a complex type",
            Want::Primitive => "a primitive type",
        }
    }
}

struct Checker<'a> {
    doc: &'a Document,
}

impl Checker<'_> {
    /// Checks that `name` resolves to the wanted kind of type.
    fn check_type(&self, name: &str, want: Want, offset: u64, path: &str) -> Result<(), RawError> {
        if let Some(primitive) = Primitive::from_qualified_name(name) {
            let ok = match want {
                Want::AnyType | Want::Primitive => true,
                // `Edm.EntityType`/`Edm.ComplexType` are the abstract bases vocabularies use.
                Want::Entity => name == "Edm.EntityType",
                Want::Complex => name == "Edm.ComplexType",
            };
            let _ = primitive;
            return if ok {
                Ok(())
            } else {
                Err(RawError::new(
                    offset,
                    path.to_owned(),
                    ErrorKind::WrongTypeKind {
                        name: name.to_owned(),
                        expected: want.describe(),
                    },
                ))
            };
        }
        match self.doc.index.items.get(name) {
            Some(loc) => {
                let ok = match (want, loc) {
                    (_, ItemLoc::Term(..) | ItemLoc::Container(..)) => false,
                    (Want::AnyType, _) => true,
                    (Want::Entity, ItemLoc::Entity(..)) => true,
                    (Want::Complex, ItemLoc::Complex(..)) => true,
                    (Want::Primitive, ItemLoc::TypeDefinition(..)) => false,
                    _ => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(RawError::new(
                        offset,
                        path.to_owned(),
                        ErrorKind::WrongTypeKind {
                            name: name.to_owned(),
                            expected: want.describe(),
                        },
                    ))
                }
            }
            None => {
                let (namespace, _) = split_qualified(name);
                // Types of referenced documents cannot be checked here.
                if self.doc.index.namespaces.get(namespace) == Some(&false) {
                    return Ok(());
                }
                let candidates = self
                    .doc
                    .index
                    .items
                    .keys()
                    .map(|k| &**k)
                    .chain(PRIMITIVE_NAMES.iter().copied());
                let suggestion = crate::suggest::closest(name, candidates).map(str::to_owned);
                Err(RawError::new(
                    offset,
                    path.to_owned(),
                    ErrorKind::UnknownType {
                        name: name.to_owned(),
                        suggestion,
                    },
                ))
            }
        }
    }

    fn check_properties(
        &self,
        properties: &[Property],
        navigation: &[NavigationProperty],
        owner_path: &str,
    ) -> Result<(), RawError> {
        let mut seen: HashSet<&str> = HashSet::with_capacity(properties.len() + navigation.len());
        for p in properties {
            let path = format!("{owner_path}/Property[{}]", p.name);
            if !seen.insert(&p.name) {
                return Err(duplicate(p.offset, path, "property", &p.name));
            }
            self.check_type(&p.ty.name, Want::AnyType, p.offset, &path)?;
        }
        for n in navigation {
            let path = format!("{owner_path}/NavigationProperty[{}]", n.name);
            if !seen.insert(&n.name) {
                return Err(duplicate(n.offset, path, "property", &n.name));
            }
            self.check_type(&n.ty.name, Want::Entity, n.offset, &path)?;
        }
        Ok(())
    }
}

const PRIMITIVE_NAMES: &[&str] = &[
    "Edm.Binary",
    "Edm.Boolean",
    "Edm.Byte",
    "Edm.Date",
    "Edm.DateTimeOffset",
    "Edm.Decimal",
    "Edm.Double",
    "Edm.Duration",
    "Edm.Guid",
    "Edm.Int16",
    "Edm.Int32",
    "Edm.Int64",
    "Edm.SByte",
    "Edm.Single",
    "Edm.Stream",
    "Edm.String",
    "Edm.TimeOfDay",
];

fn duplicate(offset: u64, path: String, what: &'static str, name: &str) -> RawError {
    RawError::new(
        offset,
        path,
        ErrorKind::Duplicate {
            what,
            name: name.to_owned(),
        },
    )
}

fn validate(doc: &Document) -> Result<(), RawError> {
    let checker = Checker { doc };
    for schema in &doc.schemas {
        let schema_path = format!("Schema[{}]", schema.namespace);
        for t in &schema.entity_types {
            let path = format!("{schema_path}/EntityType[{}]", t.name);
            if let Some(base) = &t.base_type {
                checker.check_type(base, Want::Entity, t.offset, &path)?;
                if doc.base_types(t).count() >= doc.index.items.len() {
                    return Err(RawError::new(
                        t.offset,
                        path,
                        ErrorKind::BaseTypeCycle {
                            name: t.qualified_name.to_string(),
                        },
                    ));
                }
            }
            checker.check_properties(&t.properties, &t.navigation_properties, &path)?;
            if let Some(key) = &t.key {
                for part in &key.properties {
                    let first = part.name.split('/').next().unwrap_or_default();
                    let found = t.property(first).is_some()
                        || doc.base_types(t).any(|b| b.property(first).is_some());
                    if !found {
                        return Err(RawError::new(
                            key.offset,
                            format!("{path}/Key"),
                            ErrorKind::KeyPropertyMissing {
                                property: part.name.to_string(),
                                entity_type: t.qualified_name.to_string(),
                            },
                        ));
                    }
                }
            }
        }
        for t in &schema.complex_types {
            let path = format!("{schema_path}/ComplexType[{}]", t.name);
            if let Some(base) = &t.base_type {
                checker.check_type(base, Want::Complex, t.offset, &path)?;
                if doc.complex_base_types(t).count() >= doc.index.items.len() {
                    return Err(RawError::new(
                        t.offset,
                        path,
                        ErrorKind::BaseTypeCycle {
                            name: t.qualified_name.to_string(),
                        },
                    ));
                }
            }
            checker.check_properties(&t.properties, &t.navigation_properties, &path)?;
        }
        for t in &schema.enum_types {
            let path = format!("{schema_path}/EnumType[{}]", t.name);
            checker.check_type(&t.underlying_type, Want::Primitive, t.offset, &path)?;
            let mut seen = HashSet::with_capacity(t.members.len());
            for m in &t.members {
                if !seen.insert(&*m.name) {
                    return Err(duplicate(
                        t.offset,
                        format!("{path}/Member[{}]", m.name),
                        "enum member",
                        &m.name,
                    ));
                }
            }
        }
        for t in &schema.type_definitions {
            let path = format!("{schema_path}/TypeDefinition[{}]", t.name);
            checker.check_type(&t.underlying_type, Want::Primitive, t.offset, &path)?;
        }
        for t in &schema.terms {
            let path = format!("{schema_path}/Term[{}]", t.name);
            checker.check_type(&t.ty.name, Want::AnyType, t.offset, &path)?;
        }
        for op in &schema.operations {
            let path = format!("{schema_path}/{}[{}]", kind_element(op.kind), op.name);
            for p in &op.parameters {
                let p_path = format!("{path}/Parameter[{}]", p.name);
                checker.check_type(&p.ty.name, Want::AnyType, op.offset, &p_path)?;
            }
            if let Some(r) = &op.return_type {
                checker.check_type(
                    &r.ty.name,
                    Want::AnyType,
                    op.offset,
                    &format!("{path}/ReturnType"),
                )?;
            }
        }
        if let Some(c) = &schema.entity_container {
            let path = format!("{schema_path}/EntityContainer[{}]", c.name);
            let mut seen: NameMap<()> = NameMap::default();
            for s in &c.entity_sets {
                let s_path = format!("{path}/EntitySet[{}]", s.name);
                if seen.insert(s.name.clone(), ()).is_some() {
                    return Err(duplicate(s.offset, s_path, "entity set", &s.name));
                }
                checker.check_type(&s.entity_type, Want::Entity, s.offset, &s_path)?;
            }
            for s in &c.singletons {
                let s_path = format!("{path}/Singleton[{}]", s.name);
                if seen.insert(s.name.clone(), ()).is_some() {
                    return Err(duplicate(s.offset, s_path, "singleton", &s.name));
                }
                checker.check_type(&s.entity_type, Want::Entity, s.offset, &s_path)?;
            }
            for i in c.action_imports.iter().chain(&c.function_imports) {
                if seen.insert(i.name.clone(), ()).is_some() {
                    return Err(duplicate(
                        i.offset,
                        format!("{path}/OperationImport[{}]", i.name),
                        "operation import",
                        &i.name,
                    ));
                }
            }
        }
    }
    Ok(())
}
