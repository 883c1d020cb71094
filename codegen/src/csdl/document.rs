//! The parsed document: references, schemas, and the indexes built over them.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationBlock};
use super::container::EntityContainer;
use super::error::{Error, ErrorKind, RawError};
use super::intern::NameHasher;
use super::operations::Operation;
use super::options::ReadOptions;
use super::references::{Loader, Source, check_size};
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
    /// Parses a CSDL XML document held in memory, leniently (see [`ReadOptions`]).
    ///
    /// `source_name` names the document in error messages (usually its path or URL). Accepts an
    /// `edmx:Edmx` root (CSDL 4.0/4.01) or a bare `Schema` root, with or without a UTF-8 BOM.
    ///
    /// # Errors
    /// Malformed XML, a wrong root element, an OData v2/v3 document, missing or invalid
    /// attributes, keys naming missing or unsuitable properties, unknown type references,
    /// duplicate names, nesting deeper than 256 levels and documents over 512 MiB, each with
    /// line, column and element path.
    pub fn parse(bytes: &[u8], source_name: impl Into<String>) -> Result<Document, Error> {
        Self::parse_with(bytes, source_name, &ReadOptions::new())
    }

    /// Parses a document held in memory with the given options. Relative reference URIs
    /// resolve against [`ReadOptions::base_dir`], when set.
    ///
    /// # Errors
    /// As [`Document::parse`]; in strict mode also the leniencies listed at
    /// [`ReadOptions::strict`].
    pub fn parse_with(
        bytes: &[u8],
        source_name: impl Into<String>,
        options: &ReadOptions,
    ) -> Result<Document, Error> {
        Self::parse_file_bytes(bytes, source_name.into(), options, None)
    }

    /// As [`Document::parse_with`], for the bytes of the file at `root` (so that a document
    /// referencing that file back does not read it again).
    pub(crate) fn parse_file_bytes(
        bytes: &[u8],
        source_name: String,
        options: &ReadOptions,
        root: Option<&Path>,
    ) -> Result<Document, Error> {
        check_size(bytes.len() as u64, options).map_err(|e| e.locate(&source_name, None))?;
        let mut loader = Loader::new(options);
        if let Some(root) = root {
            loader = loader.root(root);
        }
        loader.document(
            bytes,
            bytes.len() as u64,
            &source_name,
            &Source::Bytes(bytes),
            options.base(),
            0,
        )
    }

    /// Reads and parses a CSDL XML file leniently, streaming it through a buffered reader (the
    /// file is not held in memory). References resolve against the file's directory.
    ///
    /// # Errors
    /// As [`Document::parse`], plus I/O errors. Positions are computed by re-reading the file
    /// when an error occurs.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Document, Error> {
        Self::from_path_with(path, &ReadOptions::new())
    }

    /// Reads and parses a CSDL XML file with the given options.
    ///
    /// # Errors
    /// As [`Document::from_path`]; [`ErrorKind::TooLarge`] before reading when the file is
    /// larger than [`ReadOptions::max_bytes`].
    pub fn from_path_with(
        path: impl AsRef<Path>,
        options: &ReadOptions,
    ) -> Result<Document, Error> {
        let path = path.as_ref();
        let source_name = path.display().to_string();
        let io = |e| RawError::new(0, String::new(), ErrorKind::Io(e)).locate(&source_name, None);
        let file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        check_size(size, options).map_err(|e| e.locate(&source_name, None))?;
        let input = BufReader::with_capacity(64 * 1024, file);
        let base = match options.base() {
            Some(base) => Some(base.to_owned()),
            None => path.parent().map(Path::to_owned),
        };
        Loader::new(options).root(path).document(
            input,
            size,
            &source_name,
            &Source::File(path),
            base.as_deref(),
            0,
        )
    }

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
