//! Lookups the code emitter needs: types by qualified name, base-type chains, effective keys,
//! navigation bindings, bound operations and annotations by term.

use std::borrow::Cow;
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationsExt};
use super::container::{EntityContainer, EntitySet, NavigationPropertyBinding, Singleton};
use super::model::{Document, ItemLoc, Schema};
use super::names::resolve_qualified;
use super::operations::Operation;
use super::types::{
    ComplexType, EntityType, EnumType, Key, NavigationProperty, Property, Term, TypeDefinition,
};

/// A named type declared in the document.
#[derive(Debug, Clone, Copy)]
pub enum SchemaType<'a> {
    /// An entity type.
    Entity(&'a EntityType),
    /// A complex type.
    Complex(&'a ComplexType),
    /// An enumeration type.
    Enum(&'a EnumType),
    /// A type definition.
    TypeDefinition(&'a TypeDefinition),
}

impl<'a> SchemaType<'a> {
    /// The type's qualified name.
    pub fn qualified_name(&self) -> &'a str {
        match self {
            SchemaType::Entity(t) => &t.qualified_name,
            SchemaType::Complex(t) => &t.qualified_name,
            SchemaType::Enum(t) => &t.qualified_name,
            SchemaType::TypeDefinition(t) => &t.qualified_name,
        }
    }
}

/// Where a navigation property of an entity set or singleton leads.
#[derive(Debug, Clone, Copy)]
pub enum BindingTarget<'a> {
    /// Bound to an entity set of this document.
    EntitySet(&'a EntitySet),
    /// Bound to a singleton of this document.
    Singleton(&'a Singleton),
    /// A binding exists but its target is absent from the document (common in trimmed F&O
    /// metadata). Holds the target as written.
    Dangling(&'a str),
    /// No `NavigationPropertyBinding` for this path.
    Unbound,
}

/// Iterator over an entity type's base types, nearest first.
pub struct BaseTypes<'a> {
    doc: &'a Document,
    next: Option<&'a str>,
    remaining: usize,
}

impl<'a> Iterator for BaseTypes<'a> {
    type Item = &'a EntityType;

    fn next(&mut self) -> Option<&'a EntityType> {
        // The guard stops cyclic chains in documents that have not been validated yet.
        self.remaining = self.remaining.checked_sub(1)?;
        let base = self.doc.entity_type(self.next?)?;
        self.next = base.base_type.as_deref();
        Some(base)
    }
}

/// Iterator over a complex type's base types, nearest first.
pub struct ComplexBaseTypes<'a> {
    doc: &'a Document,
    next: Option<&'a str>,
    remaining: usize,
}

impl<'a> Iterator for ComplexBaseTypes<'a> {
    type Item = &'a ComplexType;

    fn next(&mut self) -> Option<&'a ComplexType> {
        self.remaining = self.remaining.checked_sub(1)?;
        let base = self.doc.complex_type(self.next?)?;
        self.next = base.base_type.as_deref();
        Some(base)
    }
}

impl Document {
    /// Turns an alias-qualified name (`Core.Description`) into its namespace-qualified form;
    /// other names are returned unchanged.
    pub fn resolve_name<'n>(&self, name: &'n str) -> Cow<'n, str> {
        match resolve_qualified(&self.index.aliases, name) {
            Some(resolved) => Cow::Owned(resolved),
            None => Cow::Borrowed(name),
        }
    }

    fn locate(&self, name: &str) -> Option<ItemLoc> {
        match self.index.items.get(name) {
            Some(loc) => Some(*loc),
            None => self
                .index
                .items
                .get(&*resolve_qualified(&self.index.aliases, name)?)
                .copied(),
        }
    }

    fn schema_at(&self, s: u32) -> &Schema {
        &self.schemas[s as usize]
    }

    /// The schema with this namespace or alias.
    pub fn schema(&self, namespace_or_alias: &str) -> Option<&Schema> {
        let namespace = self
            .index
            .aliases
            .get(namespace_or_alias)
            .map_or(namespace_or_alias, |n| &**n);
        self.schemas.iter().find(|s| &*s.namespace == namespace)
    }

    /// The declared type with this qualified (or alias-qualified) name.
    pub fn find_type(&self, qualified_name: &str) -> Option<SchemaType<'_>> {
        Some(match self.locate(qualified_name)? {
            ItemLoc::Entity(s, i) => {
                SchemaType::Entity(&self.schema_at(s).entity_types[i as usize])
            }
            ItemLoc::Complex(s, i) => {
                SchemaType::Complex(&self.schema_at(s).complex_types[i as usize])
            }
            ItemLoc::Enum(s, i) => SchemaType::Enum(&self.schema_at(s).enum_types[i as usize]),
            ItemLoc::TypeDefinition(s, i) => {
                SchemaType::TypeDefinition(&self.schema_at(s).type_definitions[i as usize])
            }
            ItemLoc::Term(..) | ItemLoc::Container(..) => return None,
        })
    }

    /// The entity type with this qualified name.
    pub fn entity_type(&self, qualified_name: &str) -> Option<&EntityType> {
        match self.find_type(qualified_name)? {
            SchemaType::Entity(t) => Some(t),
            _ => None,
        }
    }

    /// The complex type with this qualified name.
    pub fn complex_type(&self, qualified_name: &str) -> Option<&ComplexType> {
        match self.find_type(qualified_name)? {
            SchemaType::Complex(t) => Some(t),
            _ => None,
        }
    }

    /// The enumeration type with this qualified name.
    pub fn enum_type(&self, qualified_name: &str) -> Option<&EnumType> {
        match self.find_type(qualified_name)? {
            SchemaType::Enum(t) => Some(t),
            _ => None,
        }
    }

    /// The type definition with this qualified name.
    pub fn type_definition(&self, qualified_name: &str) -> Option<&TypeDefinition> {
        match self.find_type(qualified_name)? {
            SchemaType::TypeDefinition(t) => Some(t),
            _ => None,
        }
    }

    /// The term declared with this qualified name (only vocabularies declare terms; F&O's
    /// `Microsoft.Dynamics.OData.Core.V1.*` terms are used without declaration).
    pub fn term(&self, qualified_name: &str) -> Option<&Term> {
        match self.locate(qualified_name)? {
            ItemLoc::Term(s, i) => Some(&self.schema_at(s).terms[i as usize]),
            _ => None,
        }
    }

    /// All overloads of the action or function with this qualified name.
    pub fn operations(&self, qualified_name: &str) -> impl Iterator<Item = &Operation> + '_ {
        let resolved = self.resolve_name(qualified_name);
        self.index
            .operations
            .get(&*resolved)
            .into_iter()
            .flatten()
            .map(|&(s, i)| &self.schema_at(s).operations[i as usize])
    }

    /// Every entity type in the document, schema by schema.
    pub fn entity_types(&self) -> impl Iterator<Item = &EntityType> + '_ {
        self.schemas.iter().flat_map(|s| s.entity_types.iter())
    }

    /// Every complex type in the document.
    pub fn complex_types(&self) -> impl Iterator<Item = &ComplexType> + '_ {
        self.schemas.iter().flat_map(|s| s.complex_types.iter())
    }

    /// Every enumeration type in the document.
    pub fn enum_types(&self) -> impl Iterator<Item = &EnumType> + '_ {
        self.schemas.iter().flat_map(|s| s.enum_types.iter())
    }

    /// Every action and function overload in the document.
    pub fn all_operations(&self) -> impl Iterator<Item = &Operation> + '_ {
        self.schemas.iter().flat_map(|s| s.operations.iter())
    }

    /// The entity containers (a service document has exactly one).
    pub fn entity_containers(&self) -> impl Iterator<Item = &EntityContainer> + '_ {
        self.schemas
            .iter()
            .filter_map(|s| s.entity_container.as_ref())
    }

    /// The first entity container (`Resources` on F&O).
    pub fn entity_container(&self) -> Option<&EntityContainer> {
        self.entity_containers().next()
    }

    /// Every entity set of every container.
    pub fn entity_sets(&self) -> impl Iterator<Item = &EntitySet> + '_ {
        self.entity_containers().flat_map(|c| c.entity_sets.iter())
    }

    /// The entity set named `name` (simple name, as used in URLs) in any container.
    pub fn entity_set(&self, name: &str) -> Option<&EntitySet> {
        self.entity_containers().find_map(|c| c.entity_set(name))
    }

    /// The singleton named `name` in any container.
    pub fn singleton(&self, name: &str) -> Option<&Singleton> {
        self.entity_containers().find_map(|c| c.singleton(name))
    }

    /// Base types of an entity type, nearest first (the type itself is not included).
    pub fn base_types<'a>(&'a self, ty: &'a EntityType) -> BaseTypes<'a> {
        BaseTypes {
            doc: self,
            next: ty.base_type.as_deref(),
            remaining: self.index.items.len() + 1,
        }
    }

    /// Base types of a complex type, nearest first.
    pub fn complex_base_types<'a>(&'a self, ty: &'a ComplexType) -> ComplexBaseTypes<'a> {
        ComplexBaseTypes {
            doc: self,
            next: ty.base_type.as_deref(),
            remaining: self.index.items.len() + 1,
        }
    }

    /// The key of an entity type: its own, or the nearest base type's.
    pub fn effective_key<'a>(&'a self, ty: &'a EntityType) -> Option<&'a Key> {
        ty.key
            .as_ref()
            .or_else(|| self.base_types(ty).find_map(|b| b.key.as_ref()))
    }

    /// Key properties of an entity type, in key order (inherited keys included). Key parts
    /// that are paths into complex properties resolve to the top-level property.
    pub fn key_properties<'a>(&'a self, ty: &'a EntityType) -> Vec<&'a Property> {
        let Some(key) = self.effective_key(ty) else {
            return Vec::new();
        };
        key.properties
            .iter()
            .filter_map(|r| {
                let first = r.name.split('/').next().unwrap_or_default();
                self.find_property(ty, first)
            })
            .collect()
    }

    /// A structural property declared on `ty` or inherited from a base type.
    pub fn find_property<'a>(&'a self, ty: &'a EntityType, name: &str) -> Option<&'a Property> {
        ty.property(name)
            .or_else(|| self.base_types(ty).find_map(|b| b.property(name)))
    }

    /// All structural properties including inherited ones, base-most type first.
    pub fn all_properties<'a>(&'a self, ty: &'a EntityType) -> Vec<&'a Property> {
        let mut chain: Vec<&EntityType> = self.base_types(ty).collect();
        chain.reverse();
        chain.push(ty);
        chain.iter().flat_map(|t| t.properties.iter()).collect()
    }

    /// All navigation properties including inherited ones, base-most type first.
    pub fn all_navigation_properties<'a>(
        &'a self,
        ty: &'a EntityType,
    ) -> Vec<&'a NavigationProperty> {
        let mut chain: Vec<&EntityType> = self.base_types(ty).collect();
        chain.reverse();
        chain.push(ty);
        chain
            .iter()
            .flat_map(|t| t.navigation_properties.iter())
            .collect()
    }

    /// All structural properties of a complex type including inherited ones, base-most first.
    pub fn all_complex_properties<'a>(&'a self, ty: &'a ComplexType) -> Vec<&'a Property> {
        let mut chain: Vec<&ComplexType> = self.complex_base_types(ty).collect();
        chain.reverse();
        chain.push(ty);
        chain.iter().flat_map(|t| t.properties.iter()).collect()
    }

    /// Where the navigation property `navigation_path` of `bindings` (an entity set's or
    /// singleton's `navigation_bindings`) leads.
    pub fn binding_target<'a>(
        &'a self,
        bindings: &'a [NavigationPropertyBinding],
        navigation_path: &str,
    ) -> BindingTarget<'a> {
        let binding = bindings.iter().find(|b| {
            &*b.path == navigation_path
                || b.path
                    .rsplit_once('/')
                    .is_some_and(|(_, last)| last == navigation_path)
        });
        match binding {
            None => BindingTarget::Unbound,
            Some(b) => self.resolve_binding_target(&b.target),
        }
    }

    /// Resolves a `NavigationPropertyBinding` target (`Set`, `Container/Set`,
    /// `Ns.Container/Set`).
    pub fn resolve_binding_target<'a>(&'a self, target: &'a str) -> BindingTarget<'a> {
        let (container, name) = match target.split_once('/') {
            Some((container, rest)) => {
                let name = rest.split('/').next().unwrap_or(rest);
                (Some(container), name)
            }
            None => (None, target),
        };
        let containers = self.entity_containers().filter(|c| match container {
            None => true,
            Some(q) => *q == *c.name || *q == *c.qualified_name,
        });
        for c in containers {
            if let Some(set) = c.entity_set(name) {
                return BindingTarget::EntitySet(set);
            }
            if let Some(singleton) = c.singleton(name) {
                return BindingTarget::Singleton(singleton);
            }
        }
        BindingTarget::Dangling(target)
    }

    /// Operations bound to this entity type (or a collection of it), including those bound
    /// to its base types.
    pub fn bound_operations(&self, type_name: &str) -> Vec<&Operation> {
        let resolved = self.resolve_name(type_name);
        let mut names: Vec<Arc<str>> = Vec::new();
        if let Some(t) = self.entity_type(&resolved) {
            names.push(t.qualified_name.clone());
            names.extend(self.base_types(t).map(|b| b.qualified_name.clone()));
        } else {
            names.push(Arc::from(&*resolved));
        }
        names
            .iter()
            .filter_map(|n| self.index.bound_operations.get(n))
            .flatten()
            .map(|&(s, i)| &self.schema_at(s).operations[i as usize])
            .collect()
    }

    /// Annotations applied to `target` from `<Annotations Target=...>` blocks (the target path
    /// namespace-qualified: `Ns.Type`, `Ns.Type/Property`, `Ns.Container/Set`).
    pub fn external_annotations<'a>(
        &'a self,
        target: &str,
    ) -> impl Iterator<Item = &'a Annotation> + 'a {
        self.index
            .annotation_targets
            .get(target)
            .into_iter()
            .flatten()
            .flat_map(|&(s, b)| {
                self.schema_at(s).annotation_blocks[b as usize]
                    .annotations
                    .iter()
            })
    }

    /// Finds `term` among an element's inline annotations, then among external annotations
    /// targeting `target`. `term` may be alias-qualified.
    pub fn annotation<'a>(
        &'a self,
        inline: &'a [Annotation],
        target: &str,
        term: &str,
    ) -> Option<&'a Annotation> {
        let term = self.resolve_name(term);
        inline.annotation(&term).or_else(|| {
            self.external_annotations(target)
                .find(|a| *a.term == *term && a.qualifier.is_none())
        })
    }
}
