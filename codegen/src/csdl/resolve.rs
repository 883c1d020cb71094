//! After reading: resolve aliases, build the lookup indexes and check the references between
//! elements (keys, base types, property types, entity set types, duplicate names).

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationValue};
use super::document::{Document, Index, ItemLoc, NameMap, Schema};
use super::error::{ErrorKind, RawError};
use super::names::{AliasResolver, split_qualified};
use super::primitive::Primitive;
use super::reader::Parsed;
use super::types::{EntityType, NavigationProperty, Property, TypeRef};
use super::vocabularies::{self, VocabularyType};
use super::warning::{WarningKind, WarningSink};

/// Turns what the reader produced into a checked, indexed [`Document`], adding the warnings
/// of this step to the reader's. Schemas loaded from referenced documents (those with a
/// `reference`) were resolved and checked when their own document was read.
pub(crate) fn finish(
    parsed: Parsed,
    source_name: String,
    strict: bool,
) -> Result<(Document, WarningSink), RawError> {
    let Parsed {
        version,
        mut references,
        mut schemas,
        mut interner,
        mut warnings,
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
            if schema.reference.is_none() {
                index
                    .aliases
                    .insert(alias.clone(), schema.namespace.clone());
            } else {
                index
                    .aliases
                    .entry(alias.clone())
                    .or_insert_with(|| schema.namespace.clone());
            }
        }
    }

    // Microsoft's readers know the standard vocabularies without a reference; so does this
    // one, unless strict. Their customary aliases apply where the document does not use the
    // name itself.
    let mut implicit: NameMap<Arc<str>> = NameMap::default();
    if !strict {
        for vocabulary in vocabularies::STANDARD {
            if !index.aliases.contains_key(vocabulary.alias)
                && !index.namespaces.contains_key(vocabulary.alias)
            {
                implicit.insert(Arc::from(vocabulary.alias), Arc::from(vocabulary.namespace));
            }
        }
    }
    // Namespaces reached through an implicit alias: already warned about.
    let mut implicit_namespaces: HashSet<Arc<str>> = HashSet::new();
    let mut all_aliases = index.aliases.clone();
    all_aliases.extend(implicit.iter().map(|(k, v)| (k.clone(), v.clone())));

    if !all_aliases.is_empty() {
        let mut resolver = AliasResolver::new(&all_aliases, &implicit, &mut interner);
        for reference in &mut references {
            resolver.at(reference.offset);
            for a in &mut reference.annotations {
                resolve_annotation(&mut resolver, a);
            }
        }
        for schema in schemas.iter_mut().filter(|s| s.reference.is_none()) {
            resolve_schema(&mut resolver, schema);
        }
        for (alias, offset) in std::mem::take(&mut resolver.implicit_uses) {
            if let Some(namespace) = implicit.get(&alias) {
                implicit_namespaces.insert(namespace.clone());
            }
            let namespace = implicit.get(&alias).map(ToString::to_string);
            warnings.push(
                offset,
                String::new(),
                WarningKind::ImplicitVocabulary {
                    used_as: alias.to_string(),
                    namespace: namespace.unwrap_or_default(),
                },
            );
        }
    }

    build_index(&schemas, &mut index, strict, &mut warnings)?;
    let document = Document {
        source_name,
        version,
        references,
        schemas,
        index,
        warnings: Vec::new(),
    };
    let checker = Checker {
        doc: &document,
        strict,
        implicit_namespaces,
        notes: RefCell::new(Vec::new()),
    };
    validate(&checker)?;
    for (offset, path, kind) in checker.notes.into_inner() {
        warnings.push(offset, path, kind);
    }
    Ok((document, warnings))
}

// ----- alias resolution -------------------------------------------------------------------------

fn resolve_annotations(resolver: &mut AliasResolver<'_>, annotations: &mut [Annotation]) {
    for a in annotations {
        resolve_annotation(resolver, a);
    }
}

fn resolve_annotation(resolver: &mut AliasResolver<'_>, annotation: &mut Annotation) {
    resolver.at(annotation.offset);
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
        resolver.at(p.offset);
        resolve_type(resolver, &mut p.ty);
        resolve_annotations(resolver, &mut p.annotations);
    }
    for n in navigation {
        resolver.at(n.offset);
        resolve_type(resolver, &mut n.ty);
        resolve_annotations(resolver, &mut n.annotations);
    }
}

fn resolve_schema(resolver: &mut AliasResolver<'_>, schema: &mut Schema) {
    resolve_annotations(resolver, &mut schema.annotations);
    for t in &mut schema.entity_types {
        resolver.at(t.offset);
        resolver.opt(&mut t.base_type);
        resolve_properties(resolver, &mut t.properties, &mut t.navigation_properties);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.complex_types {
        resolver.at(t.offset);
        resolver.opt(&mut t.base_type);
        resolve_properties(resolver, &mut t.properties, &mut t.navigation_properties);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.enum_types {
        resolver.at(t.offset);
        resolver.name(&mut t.underlying_type);
        resolve_annotations(resolver, &mut t.annotations);
        for m in &mut t.members {
            resolve_annotations(resolver, &mut m.annotations);
        }
    }
    for t in &mut schema.type_definitions {
        resolver.at(t.offset);
        resolver.name(&mut t.underlying_type);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.terms {
        resolver.at(t.offset);
        resolve_type(resolver, &mut t.ty);
        resolver.opt(&mut t.base_term);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for op in &mut schema.operations {
        resolver.at(op.offset);
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
        resolver.at(c.offset);
        resolver.opt(&mut c.extends);
        resolve_annotations(resolver, &mut c.annotations);
        for s in &mut c.entity_sets {
            resolver.at(s.offset);
            resolver.name(&mut s.entity_type);
            for b in &mut s.navigation_bindings {
                resolver.path(&mut b.path);
                resolver.path(&mut b.target);
            }
            resolve_annotations(resolver, &mut s.annotations);
        }
        for s in &mut c.singletons {
            resolver.at(s.offset);
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
        resolver.at(block.offset);
        resolver.path(&mut block.target);
        resolve_annotations(resolver, &mut block.annotations);
    }
}

// ----- index ------------------------------------------------------------------------------------

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn build_index(
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
                            super::operations::OperationKind::Action => "action",
                            super::operations::OperationKind::Function => "function",
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
    strict: bool,
    /// Standard vocabulary namespaces reached through an implicit alias (warned about once).
    implicit_namespaces: HashSet<Arc<str>>,
    /// Leniencies found while checking: (offset, path, what).
    notes: RefCell<Vec<(u64, String, WarningKind)>>,
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
                let (namespace, simple) = split_qualified(name);
                // Types of referenced documents that were not loaded cannot be checked here.
                if self.doc.index.namespaces.get(namespace) == Some(&false) {
                    return Ok(());
                }
                let standard = if self.strict || self.doc.index.namespaces.contains_key(namespace) {
                    None
                } else {
                    vocabularies::by_namespace(namespace)
                };
                if let Some(vocabulary) = standard {
                    if let Some(kind) = vocabulary.type_kind(simple) {
                        let ok = match want {
                            Want::AnyType => true,
                            Want::Complex => kind == VocabularyType::Complex,
                            Want::Entity | Want::Primitive => false,
                        };
                        if !ok {
                            return Err(RawError::new(
                                offset,
                                path.to_owned(),
                                ErrorKind::WrongTypeKind {
                                    name: name.to_owned(),
                                    expected: want.describe(),
                                },
                            ));
                        }
                        if !self.implicit_namespaces.contains(namespace) {
                            self.notes.borrow_mut().push((
                                offset,
                                path.to_owned(),
                                WarningKind::ImplicitVocabulary {
                                    used_as: namespace.to_owned(),
                                    namespace: namespace.to_owned(),
                                },
                            ));
                        }
                        return Ok(());
                    }
                    let names: Vec<String> = vocabulary.type_names().collect();
                    let suggestion =
                        crate::suggest::closest(name, names.iter().map(String::as_str))
                            .map(str::to_owned);
                    return Err(RawError::new(
                        offset,
                        path.to_owned(),
                        ErrorKind::UnknownType {
                            name: name.to_owned(),
                            suggestion,
                        },
                    ));
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

fn validate(checker: &Checker<'_>) -> Result<(), RawError> {
    let doc = checker.doc;
    for schema in doc.schemas.iter().filter(|s| s.reference.is_none()) {
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
                check_key(doc, t, key, &path)?;
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

/// Checks that every key part names a distinct, single-valued property of primitive, enum or
/// type-definition type (following `Complex/Property` paths), as a key must.
fn check_key(
    doc: &Document,
    t: &EntityType,
    key: &super::types::Key,
    path: &str,
) -> Result<(), RawError> {
    let key_path = || format!("{path}/Key");
    let mut names: HashSet<&str> = HashSet::with_capacity(key.properties.len());
    let mut key_names: HashSet<&str> = HashSet::with_capacity(key.properties.len());
    for part in &key.properties {
        if !names.insert(&part.name) || !key_names.insert(part.key_name()) {
            return Err(RawError::new(
                key.offset,
                key_path(),
                ErrorKind::Duplicate {
                    what: "key property",
                    name: part.name.to_string(),
                },
            ));
        }
        let missing = || {
            RawError::new(
                key.offset,
                key_path(),
                ErrorKind::KeyPropertyMissing {
                    property: part.name.to_string(),
                    entity_type: t.qualified_name.to_string(),
                },
            )
        };
        let invalid = |reason: String| {
            RawError::new(
                key.offset,
                key_path(),
                ErrorKind::InvalidKeyProperty {
                    property: part.name.to_string(),
                    entity_type: t.qualified_name.to_string(),
                    reason,
                },
            )
        };
        let mut segments = part.name.split('/');
        let first = segments.next().unwrap_or_default();
        let mut property = doc.find_property(t, first).ok_or_else(missing)?;
        for segment in segments {
            if property.ty.collection {
                return Err(invalid(format!(
                    "goes through `{}`, which is a collection",
                    property.name
                )));
            }
            let complex = doc.complex_type(&property.ty.name).ok_or_else(missing)?;
            property = doc
                .all_complex_properties(complex)
                .into_iter()
                .find(|p| &*p.name == segment)
                .ok_or_else(missing)?;
        }
        if property.ty.collection {
            return Err(invalid(format!(
                "is a collection (`{}`); a key property must be single-valued",
                property.ty
            )));
        }
        match doc.find_type(&property.ty.name) {
            Some(super::queries::SchemaType::Complex(_)) => {
                return Err(invalid(format!(
                    "is of complex type `{}`; a key property must be primitive or an enum \
                     (a key may name a property inside it as `{}/Name`)",
                    property.ty.name, part.name
                )));
            }
            Some(super::queries::SchemaType::Entity(_)) => {
                return Err(invalid(format!(
                    "is of entity type `{}`; a key property must be primitive or an enum",
                    property.ty.name
                )));
            }
            _ => {}
        }
    }
    Ok(())
}
