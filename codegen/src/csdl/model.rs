//! The model of a parsed document: references, schemas, and the indexes built over them. Reading
//! one is in [`super::document`]; the reader and the resolver fill these types.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationBlock};
use super::container::EntityContainer;
use super::intern::NameHasher;
use super::operations::Operation;
use super::types::{ComplexType, EntityType, EnumType, Term, TypeDefinition};
use super::warning::Warning;

pub(crate) type NameMap<V> = HashMap<Arc<str>, V, BuildHasherDefault<NameHasher>>;

/// `<edmx:Include Namespace=... Alias=...>` inside a reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Include {
    /// The included namespace.
    pub namespace: Arc<str>,
    /// Its alias in this document, if any.
    pub alias: Option<Arc<str>>,
}

/// `<edmx:IncludeAnnotations TermNamespace=... Qualifier=... TargetNamespace=...>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IncludeAnnotations {
    /// Namespace of the terms whose annotations are included.
    pub term_namespace: Arc<str>,
    /// Only annotations with this qualifier, if given.
    pub qualifier: Option<Arc<str>>,
    /// Only annotations targeting this namespace, if given.
    pub target_namespace: Option<Arc<str>>,
}

/// `<edmx:Reference Uri=...>`: another CSDL document whose namespaces this one uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The referenced document's URI.
    pub uri: Arc<str>,
    /// Included namespaces.
    pub includes: Vec<Include>,
    /// Included annotations.
    pub include_annotations: Vec<IncludeAnnotations>,
    /// Annotations on the reference.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// A `<Schema>`: one namespace of types, operations, terms and at most one entity container.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// `Namespace` (`Microsoft.Dynamics.DataEntities`).
    pub namespace: Arc<str>,
    /// `Alias`, if any.
    pub alias: Option<Arc<str>>,
    /// Entity types in document order.
    pub entity_types: Vec<EntityType>,
    /// Complex types.
    pub complex_types: Vec<ComplexType>,
    /// Enumeration types.
    pub enum_types: Vec<EnumType>,
    /// Type definitions.
    pub type_definitions: Vec<TypeDefinition>,
    /// Actions and functions (overloads appear as separate entries with the same name).
    pub operations: Vec<Operation>,
    /// Vocabulary terms.
    pub terms: Vec<Term>,
    /// The entity container, if this schema declares it.
    pub entity_container: Option<EntityContainer>,
    /// `<Annotations Target=...>` blocks.
    pub annotation_blocks: Vec<AnnotationBlock>,
    /// Annotations on the schema itself.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document (in the referenced document for
    /// schemas loaded through a reference).
    pub offset: u64,
    /// The `Uri` of the `edmx:Reference` this schema was loaded through; `None` for the
    /// document's own schemas. Referenced schemas contribute types, terms and operations, never
    /// an entity container.
    pub reference: Option<Arc<str>>,
}

impl Schema {
    pub(crate) fn new(namespace: Arc<str>, alias: Option<Arc<str>>, offset: u64) -> Schema {
        Schema {
            namespace,
            alias,
            entity_types: Vec::new(),
            complex_types: Vec::new(),
            enum_types: Vec::new(),
            type_definitions: Vec::new(),
            operations: Vec::new(),
            terms: Vec::new(),
            entity_container: None,
            annotation_blocks: Vec::new(),
            annotations: Vec::new(),
            offset,
            reference: None,
        }
    }
}

/// Where a named schema element lives: schema index and index within its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemLoc {
    Entity(u32, u32),
    Complex(u32, u32),
    Enum(u32, u32),
    TypeDefinition(u32, u32),
    Term(u32, u32),
    Container(u32),
}

/// Lookup tables built once after reading.
#[derive(Debug, Default, Clone)]
pub(crate) struct Index {
    /// Qualified name → element (types, terms, container).
    pub(crate) items: NameMap<ItemLoc>,
    /// Qualified operation name → overloads as (schema, index).
    pub(crate) operations: NameMap<Vec<(u32, u32)>>,
    /// Qualified binding type name → bound overloads as (schema, index).
    pub(crate) bound_operations: NameMap<Vec<(u32, u32)>>,
    /// Alias → namespace (schema aliases and reference include aliases).
    pub(crate) aliases: NameMap<Arc<str>>,
    /// Namespaces declared by schemas or included through references.
    pub(crate) namespaces: NameMap<bool>,
    /// Annotation target path → (schema, block).
    pub(crate) annotation_targets: NameMap<Vec<(u32, u32)>>,
}

/// A parsed CSDL (`$metadata`) document with lookup indexes.
///
/// Build one with [`Document::parse`] or [`Document::from_path`]; then query types, sets and
/// annotations by qualified name (see the methods in this type's other impl blocks).
#[derive(Debug, Clone)]
pub struct Document {
    pub(crate) source_name: String,
    pub(crate) version: Option<Arc<str>>,
    pub(crate) references: Vec<Reference>,
    pub(crate) schemas: Vec<Schema>,
    pub(crate) index: Index,
    pub(crate) warnings: Vec<Warning>,
}

impl Document {
    /// What the reader accepted leniently or could not check (facet spellings, vocabularies
    /// used without a reference, shared names, referenced documents not found, ...), in
    /// document order, each with its position. Empty for a document that follows the
    /// specification.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The name given at parse time (file path or caller-chosen name).
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// `Version` of the `edmx:Edmx` root (`4.0`, `4.01`); `None` for a bare `Schema` root.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// `edmx:Reference` elements in document order.
    pub fn references(&self) -> &[Reference] {
        &self.references
    }

    /// Schemas in document order.
    pub fn schemas(&self) -> &[Schema] {
        &self.schemas
    }

    /// Consumes the document, returning its schemas.
    pub fn into_schemas(self) -> Vec<Schema> {
        self.schemas
    }
}
