//! Actions and functions.

use std::sync::Arc;

use super::annotation::Annotation;
use super::types::{Facets, TypeRef};

/// Whether an operation is an `<Action>` (side effects, POST) or a `<Function>` (no side
/// effects, GET).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// `<Action>`.
    Action,
    /// `<Function>`.
    Function,
}

/// A `<Parameter>` of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Name.
    pub name: Arc<str>,
    /// Type.
    pub ty: TypeRef,
    /// `Nullable` (default `true`).
    pub nullable: bool,
    /// Type facets.
    pub facets: Facets,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
}

/// The `<ReturnType>` of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ReturnType {
    /// Type.
    pub ty: TypeRef,
    /// `Nullable` (default `true`).
    pub nullable: bool,
    /// Type facets.
    pub facets: Facets,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
}

/// An `<Action>` or `<Function>` overload.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Action or function.
    pub kind: OperationKind,
    /// Simple name.
    pub name: Arc<str>,
    /// Namespace-qualified name (shared by all overloads).
    pub qualified_name: Arc<str>,
    /// `IsBound`: the first parameter is the binding parameter.
    pub is_bound: bool,
    /// `IsComposable` (functions only).
    pub is_composable: bool,
    /// `EntitySetPath`.
    pub entity_set_path: Option<Arc<str>>,
    /// Parameters in order (binding parameter first when bound).
    pub parameters: Vec<Parameter>,
    /// Return type, if any.
    pub return_type: Option<ReturnType>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

impl Operation {
    /// The binding parameter of a bound operation.
    pub fn binding_parameter(&self) -> Option<&Parameter> {
        if self.is_bound {
            self.parameters.first()
        } else {
            None
        }
    }
}
