//! Checking the references between elements: keys, base types, property and parameter types,
//! entity set types, navigation targets.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use super::index::kind_element;
use crate::csdl::error::{ErrorKind, RawError};
use crate::csdl::model::{Document, ItemLoc, NameMap};
use crate::csdl::names::split_qualified;
use crate::csdl::primitive::Primitive;
use crate::csdl::types::{EntityType, NavigationProperty, Property};
use crate::csdl::vocabularies::{self, VocabularyType};
use crate::csdl::warning::WarningKind;

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

pub(super) struct Checker<'a> {
    pub(super) doc: &'a Document,
    pub(super) strict: bool,
    /// Standard vocabulary namespaces reached through an implicit alias (warned about once).
    pub(super) implicit_namespaces: HashSet<Arc<str>>,
    /// Leniencies found while checking: (offset, path, what).
    pub(super) notes: RefCell<Vec<(u64, String, WarningKind)>>,
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

pub(super) fn validate(checker: &Checker<'_>) -> Result<(), RawError> {
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
    key: &crate::csdl::types::Key,
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
            Some(crate::csdl::queries::SchemaType::Complex(_)) => {
                return Err(invalid(format!(
                    "is of complex type `{}`; a key property must be primitive or an enum \
                     (a key may name a property inside it as `{}/Name`)",
                    property.ty.name, part.name
                )));
            }
            Some(crate::csdl::queries::SchemaType::Entity(_)) => {
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
