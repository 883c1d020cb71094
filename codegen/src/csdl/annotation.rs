//! Vocabulary annotations: `<Annotation Term=...>` and their values.
//!
//! Terms are kept whether or not the document declares them (F&O uses a dozen undeclared
//! `Microsoft.Dynamics.OData.Core.V1.*` terms on every property). Term names are stored with
//! aliases already resolved, so look them up by their namespace-qualified name
//! (`Org.OData.Core.V1.Computed`, never `Core.Computed`); see [`crate::csdl::terms`].

use std::sync::Arc;

/// One `<Annotation>`: a term applied to a model element, with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Namespace-qualified term name, aliases resolved (`Org.OData.Core.V1.Description`).
    pub term: Arc<str>,
    /// The `Qualifier` attribute, if any (`Phone`, `Tablet`, ...).
    pub qualifier: Option<Arc<str>>,
    /// The annotation's value expression.
    pub value: AnnotationValue,
    /// Annotations on this annotation (rare).
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

impl Annotation {
    /// The value as a boolean: `Bool="true"`, or no value at all (which CSDL defines as `true`
    /// for Boolean terms such as `Core.Computed`).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            AnnotationValue::Default => Some(true),
            other => other.as_bool(),
        }
    }

    /// The value as a string, when it is a string constant.
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_str()
    }
}

/// The value of an annotation, a record property or a collection item.
#[derive(Debug, Clone, PartialEq)]
pub enum AnnotationValue {
    /// No value expression was given (for Boolean terms this means `true`).
    Default,
    /// `Bool="true"` or `<Bool>true</Bool>`.
    Bool(bool),
    /// `Int="42"` or `<Int>42</Int>`.
    Int(i64),
    /// `String="..."` or `<String>...</String>`.
    String(Arc<str>),
    /// `EnumMember="Ns.Enum/Member"`: the member path(s) as written, aliases resolved; flags
    /// combine several members separated by spaces.
    EnumMember(Arc<str>),
    /// Any other constant (`Decimal`, `Float`, `Date`, `DateTimeOffset`, `TimeOfDay`,
    /// `Duration`, `Guid`, `Binary`), kept in its lexical form.
    Constant {
        /// Which constant expression it was.
        kind: ConstantKind,
        /// The literal text.
        text: Arc<str>,
    },
    /// A path expression (`Path`, `PropertyPath`, `NavigationPropertyPath`, `AnnotationPath`,
    /// `ModelElementPath`).
    Path {
        /// Which path expression it was.
        kind: PathKind,
        /// The path as written.
        path: Arc<str>,
    },
    /// `<Collection>` of values.
    Collection(Vec<AnnotationValue>),
    /// `<Record>` with property values.
    Record(Box<Record>),
    /// `<Null/>`.
    Null,
    /// Any other expression (`Apply`, `If`, `Cast`, `UrlRef`, comparison operators, ...), kept
    /// as data so documents using them still load.
    Expression(Box<Expression>),
}

impl AnnotationValue {
    /// The boolean constant, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AnnotationValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The string constant, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            AnnotationValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer constant, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            AnnotationValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The enum member path(s), if this is an enum member value (`Ns.Enum/Member`).
    pub fn as_enum_member(&self) -> Option<&str> {
        match self {
            AnnotationValue::EnumMember(s) => Some(s),
            _ => None,
        }
    }

    /// The path text, if this is any path expression.
    pub fn as_path(&self) -> Option<&str> {
        match self {
            AnnotationValue::Path { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The items, if this is a collection.
    pub fn as_collection(&self) -> Option<&[AnnotationValue]> {
        match self {
            AnnotationValue::Collection(items) => Some(items),
            _ => None,
        }
    }

    /// The record, if this is one.
    pub fn as_record(&self) -> Option<&Record> {
        match self {
            AnnotationValue::Record(record) => Some(record),
            _ => None,
        }
    }
}

/// The constant expressions that are kept in lexical form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConstantKind {
    /// `Binary` (base64url).
    Binary,
    /// `Date`.
    Date,
    /// `DateTimeOffset`.
    DateTimeOffset,
    /// `Decimal`.
    Decimal,
    /// `Duration`.
    Duration,
    /// `Float`.
    Float,
    /// `Guid`.
    Guid,
    /// `TimeOfDay`.
    TimeOfDay,
}

impl ConstantKind {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "Binary" => ConstantKind::Binary,
            "Date" => ConstantKind::Date,
            "DateTimeOffset" => ConstantKind::DateTimeOffset,
            "Decimal" => ConstantKind::Decimal,
            "Duration" => ConstantKind::Duration,
            "Float" => ConstantKind::Float,
            "Guid" => ConstantKind::Guid,
            "TimeOfDay" => ConstantKind::TimeOfDay,
            _ => return None,
        })
    }
}

/// The path expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    /// `Path`: a value path.
    Path,
    /// `PropertyPath`.
    PropertyPath,
    /// `NavigationPropertyPath`.
    NavigationPropertyPath,
    /// `AnnotationPath`.
    AnnotationPath,
    /// `ModelElementPath`.
    ModelElementPath,
}

impl PathKind {
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "Path" => PathKind::Path,
            "PropertyPath" => PathKind::PropertyPath,
            "NavigationPropertyPath" => PathKind::NavigationPropertyPath,
            "AnnotationPath" => PathKind::AnnotationPath,
            "ModelElementPath" => PathKind::ModelElementPath,
            _ => return None,
        })
    }
}

/// A `<Record>` value: a structured instance of a complex type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    /// The `Type` attribute (qualified, aliases resolved), if given.
    pub type_name: Option<Arc<str>>,
    /// The `<PropertyValue>` children in document order.
    pub properties: Vec<PropertyValue>,
    /// Annotations on the record itself.
    pub annotations: Vec<Annotation>,
}

impl Record {
    /// The value of the property named `name`, if present.
    pub fn get(&self, name: &str) -> Option<&AnnotationValue> {
        self.properties
            .iter()
            .find(|p| &*p.property == name)
            .map(|p| &p.value)
    }
}

/// One `<PropertyValue Property=...>` of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyValue {
    /// The property name.
    pub property: Arc<str>,
    /// Its value.
    pub value: AnnotationValue,
}

/// An expression this model does not interpret, kept structurally.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    /// Element name (`Apply`, `If`, `Cast`, `Eq`, `UrlRef`, `LabeledElement`, ...).
    pub name: Arc<str>,
    /// Its attributes as (name, value) pairs.
    pub attributes: Vec<(Arc<str>, Arc<str>)>,
    /// Its child expressions.
    pub children: Vec<AnnotationValue>,
    /// Its text content, trimmed (for example the `LabeledElementReference` name).
    pub text: Option<Arc<str>>,
}

/// `<Annotations Target=...>`: annotations applied to a model element from outside it.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnotationBlock {
    /// The target path, aliases resolved (`Ns.Type`, `Ns.Type/Property`, `Ns.Container/Set`).
    pub target: Arc<str>,
    /// The `Qualifier` attribute applied to every annotation in the block, if given.
    pub qualifier: Option<Arc<str>>,
    /// The annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// Looks up annotations by term in a list attached to a model element.
pub trait AnnotationsExt {
    /// The first annotation with this namespace-qualified term and no qualifier.
    fn annotation(&self, term: &str) -> Option<&Annotation>;
    /// The first annotation with this term and the given qualifier.
    fn annotation_qualified(&self, term: &str, qualifier: &str) -> Option<&Annotation>;
}

impl AnnotationsExt for [Annotation] {
    fn annotation(&self, term: &str) -> Option<&Annotation> {
        self.iter()
            .find(|a| &*a.term == term && a.qualifier.is_none())
    }

    fn annotation_qualified(&self, term: &str, qualifier: &str) -> Option<&Annotation> {
        self.iter()
            .find(|a| &*a.term == term && a.qualifier.as_deref() == Some(qualifier))
    }
}
