//! [`Closure`]: what a resolved selection holds, in document order.

use std::fmt;

use crate::csdl::{
    ComplexType, EntitySet, EntityType, EnumType, NavigationProperty, Operation, OperationImport,
    Singleton, TypeDefinition,
};

/// Everything a selection needs, in document order.
#[derive(Debug, Clone, Default)]
pub struct Closure<'a> {
    /// The selected entity sets.
    pub entity_sets: Vec<&'a EntitySet>,
    /// The selected singletons.
    pub singletons: Vec<&'a Singleton>,
    /// The selected action/function imports.
    pub operation_imports: Vec<&'a OperationImport>,
    /// Selected operations: named ones, those behind selected imports and (unless disabled)
    /// those bound to selected entity types.
    pub operations: Vec<&'a Operation>,
    /// Entity types: those of the selected sets/singletons, their base types, and entity types
    /// used by selected operations.
    pub entity_types: Vec<&'a EntityType>,
    /// Complex types used by selected types and operations (with their base types).
    pub complex_types: Vec<&'a ComplexType>,
    /// Enumeration types used by selected types and operations.
    pub enum_types: Vec<&'a EnumType>,
    /// Type definitions used by selected types and operations.
    pub type_definitions: Vec<&'a TypeDefinition>,
    /// Every navigation property declared on a selected entity type, with whether its target
    /// type is selected.
    pub navigation: Vec<NavigationLink<'a>>,
    /// Problems that do not stop generation (dangling navigation bindings).
    pub warnings: Vec<Warning>,
}

impl<'a> Closure<'a> {
    /// Navigation properties whose target entity type is outside the selection; the emitter
    /// decides whether to omit them or expose them untyped.
    pub fn unselected_navigation(&self) -> impl Iterator<Item = &NavigationLink<'a>> + '_ {
        self.navigation
            .iter()
            .filter(|l| l.target == NavigationTarget::UnselectedTarget)
    }

    /// Whether the entity type with this qualified name is in the closure.
    pub fn contains_entity_type(&self, qualified_name: &str) -> bool {
        self.entity_types
            .iter()
            .any(|t| &*t.qualified_name == qualified_name)
    }
}

/// A navigation property of a selected entity type.
#[derive(Debug, Clone, Copy)]
pub struct NavigationLink<'a> {
    /// The declaring entity type.
    pub source: &'a EntityType,
    /// The navigation property.
    pub property: &'a NavigationProperty,
    /// Whether its target type is selected.
    pub target: NavigationTarget,
}

/// Whether a navigation property's target type is part of the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavigationTarget {
    /// The target entity type is selected.
    Selected,
    /// The target entity type is not selected.
    UnselectedTarget,
}

/// A problem that does not stop generation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A navigation binding of a selected set names a target set absent from the document
    /// (F&O metadata trimmed to a subset has many).
    DanglingBinding {
        /// The entity set or singleton holding the binding.
        source: String,
        /// The navigation property path.
        path: String,
        /// The missing target.
        target: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::DanglingBinding {
                source,
                path,
                target,
            } => write!(
                f,
                "navigation `{source}/{path}` is bound to `{target}`, which the document does not declare"
            ),
        }
    }
}
