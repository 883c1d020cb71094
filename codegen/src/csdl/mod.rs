//! Reading OData v4 CSDL XML (`$metadata`) into a typed model.
//!
//! The flow is: [`reader`](self) streams quick-xml events into model structs, then the resolver
//! replaces aliases with namespaces, builds lookup indexes and checks cross-references. The
//! result is a [`Document`]:
//!
//! ```no_run
//! use d365fo_odata_codegen::csdl::Document;
//!
//! let doc = Document::from_path("metadata/fno.xml")?;
//! let set = doc.entity_set("CustomersV3").expect("entity set");
//! let ty = doc.entity_type(&set.entity_type).expect("entity type");
//! for part in &doc.effective_key(ty).expect("key").properties {
//!     println!("key part {}", part.name);
//! }
//! # Ok::<(), d365fo_odata_codegen::csdl::Error>(())
//! ```

mod annotation;
mod container;
mod document;
mod error;
mod intern;
mod model;
mod names;
mod operations;
mod options;
mod primitive;
mod queries;
mod reader;
mod references;
mod resolve;
pub mod terms;
mod types;
mod vocabularies;
mod warning;

pub use annotation::{
    Annotation, AnnotationBlock, AnnotationValue, AnnotationsExt, ConstantKind, Expression,
    PathKind, PropertyValue, Record,
};
pub use container::{
    EntityContainer, EntitySet, NavigationPropertyBinding, OperationImport, Singleton,
};
pub use error::{Error, ErrorKind};
pub use model::{Document, Include, IncludeAnnotations, Reference, Schema};
pub use names::split_qualified;
pub use operations::{Operation, OperationKind, Parameter, ReturnType};
pub use options::{
    DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, MAX_REFERENCE_DEPTH, MAX_REFERENCED_DOCUMENTS,
    ReadOptions,
};
pub use primitive::Primitive;
pub use queries::{BaseTypes, BindingTarget, ComplexBaseTypes, SchemaType};
pub use types::{
    ComplexType, EntityType, EnumMember, EnumType, Facets, Key, MaxLength, NavigationProperty,
    OnDeleteAction, Property, PropertyRef, ReferentialConstraint, Scale, Srid, Term,
    TypeDefinition, TypeRef,
};
pub(crate) use warning::is_bidi_control;
pub use warning::{Warning, WarningKind};
