//! The `<EntityContainer>`: entity sets, singletons and operation imports.

use std::sync::Arc;

use super::annotation::Annotation;

/// `<NavigationPropertyBinding Path=... Target=...>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NavigationPropertyBinding {
    /// Navigation property path (may include type casts: `Ns.Derived/Nav`).
    pub path: Arc<str>,
    /// Target entity set or singleton, as written (`Set`, `Container/Set`, `Ns.Container/Set`).
    pub target: Arc<str>,
}

/// An `<EntitySet>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EntitySet {
    /// Name (`CustomersV3`; used in URLs).
    pub name: Arc<str>,
    /// Entity type, qualified (`Microsoft.Dynamics.DataEntities.CustomerV3`).
    pub entity_type: Arc<str>,
    /// `IncludeInServiceDocument` (default `true`).
    pub include_in_service_document: bool,
    /// Navigation property bindings.
    pub navigation_bindings: Vec<NavigationPropertyBinding>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// A `<Singleton>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Singleton {
    /// Name.
    pub name: Arc<str>,
    /// Entity type, qualified.
    pub entity_type: Arc<str>,
    /// `Nullable` (4.01; default `false`).
    pub nullable: bool,
    /// Navigation property bindings.
    pub navigation_bindings: Vec<NavigationPropertyBinding>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// An `<ActionImport>` or `<FunctionImport>`: an unbound operation exposed at the service root.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationImport {
    /// Name used in URLs.
    pub name: Arc<str>,
    /// The imported action/function, qualified.
    pub operation: Arc<str>,
    /// `EntitySet` the result belongs to, if given.
    pub entity_set: Option<Arc<str>>,
    /// `IncludeInServiceDocument` (function imports; default `false`).
    pub include_in_service_document: bool,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// An `<EntityContainer>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityContainer {
    /// Simple name (`Resources` on F&O).
    pub name: Arc<str>,
    /// Namespace-qualified name.
    pub qualified_name: Arc<str>,
    /// `Extends` (another container), qualified.
    pub extends: Option<Arc<str>>,
    /// Entity sets.
    pub entity_sets: Vec<EntitySet>,
    /// Singletons.
    pub singletons: Vec<Singleton>,
    /// Action imports.
    pub action_imports: Vec<OperationImport>,
    /// Function imports.
    pub function_imports: Vec<OperationImport>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

impl EntityContainer {
    /// The entity set named `name`.
    pub fn entity_set(&self, name: &str) -> Option<&EntitySet> {
        self.entity_sets.iter().find(|s| &*s.name == name)
    }

    /// The singleton named `name`.
    pub fn singleton(&self, name: &str) -> Option<&Singleton> {
        self.singletons.iter().find(|s| &*s.name == name)
    }
}
