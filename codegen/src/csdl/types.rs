//! Structured, enumeration and type-definition types, with their properties.

use std::sync::Arc;

use super::annotation::Annotation;
use super::primitive::Primitive;

/// A reference to a type: `Edm.String`, `Ns.Customer` or `Collection(Ns.Customer)`.
///
/// The name is namespace-qualified with aliases already resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TypeRef {
    /// The (item) type's qualified name.
    pub name: Arc<str>,
    /// `true` for `Collection(...)`.
    pub collection: bool,
}

impl TypeRef {
    /// Parses `Collection(X)` or `X` as written (no alias resolution).
    pub fn parse(written: &str) -> TypeRef {
        match written
            .strip_prefix("Collection(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            Some(inner) => TypeRef {
                name: Arc::from(inner.trim()),
                collection: true,
            },
            None => TypeRef {
                name: Arc::from(written.trim()),
                collection: false,
            },
        }
    }

    /// The primitive type, when the item type is in the `Edm` namespace and known.
    pub fn primitive(&self) -> Option<Primitive> {
        Primitive::from_qualified_name(&self.name)
    }

    /// `true` when the item type lives in the `Edm` namespace (primitive or abstract Edm type).
    pub fn is_edm(&self) -> bool {
        self.name.starts_with("Edm.")
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.collection {
            write!(f, "Collection({})", self.name)
        } else {
            f.write_str(&self.name)
        }
    }
}

/// `MaxLength` facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaxLength {
    /// `MaxLength="max"`.
    Max,
    /// A number of characters (strings) or bytes (binary).
    Length(u32),
}

/// `Scale` facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// A fixed number of digits right of the decimal point.
    Digits(u32),
    /// `Scale="variable"`.
    Variable,
    /// `Scale="floating"` (CSDL 4.01).
    Floating,
}

/// `SRID` facet of geography/geometry types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Srid {
    /// A spatial reference system id.
    Id(u32),
    /// `SRID="variable"`.
    Variable,
}

/// The type facets that may accompany a type reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Facets {
    /// `MaxLength`.
    pub max_length: Option<MaxLength>,
    /// `Precision`.
    pub precision: Option<u32>,
    /// `Scale`.
    pub scale: Option<Scale>,
    /// `SRID`.
    pub srid: Option<Srid>,
    /// `Unicode`.
    pub unicode: Option<bool>,
}

/// A structural `<Property>` of an entity or complex type.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// Property name (case-sensitive in URLs).
    pub name: Arc<str>,
    /// Its type.
    pub ty: TypeRef,
    /// `Nullable` (CSDL default `true` when absent).
    pub nullable: bool,
    /// Type facets.
    pub facets: Facets,
    /// `DefaultValue`, as written.
    pub default_value: Option<Arc<str>>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// `OnDelete` action of a navigation property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnDeleteAction {
    /// `Cascade`.
    Cascade,
    /// `None`.
    None,
    /// `SetNull`.
    SetNull,
    /// `SetDefault`.
    SetDefault,
}

/// `<ReferentialConstraint Property=... ReferencedProperty=...>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReferentialConstraint {
    /// Property (path) on the declaring type.
    pub property: Arc<str>,
    /// Property (path) on the target type.
    pub referenced_property: Arc<str>,
}

/// A `<NavigationProperty>`.
#[derive(Debug, Clone, PartialEq)]
pub struct NavigationProperty {
    /// Name.
    pub name: Arc<str>,
    /// Target entity type; `collection` for to-many.
    pub ty: TypeRef,
    /// `Nullable` (CSDL default `true`; meaningful for single-valued navigation only).
    pub nullable: bool,
    /// `Partner` navigation property on the target type.
    pub partner: Option<Arc<str>>,
    /// `ContainsTarget`.
    pub contains_target: bool,
    /// `<ReferentialConstraint>` children.
    pub referential_constraints: Vec<ReferentialConstraint>,
    /// `<OnDelete Action=...>`, if any.
    pub on_delete: Option<OnDeleteAction>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// One `<PropertyRef>` of a key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PropertyRef {
    /// Property name or path (`Address/City` for keys inside complex properties).
    pub name: Arc<str>,
    /// `Alias`, required when `name` is a path.
    pub alias: Option<Arc<str>>,
}

impl PropertyRef {
    /// The name the key part is addressed by in URLs: the alias if given, else the name.
    pub fn key_name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// An entity type's `<Key>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// Key parts in declaration order (the order used in key-as-segment URLs).
    pub properties: Vec<PropertyRef>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// An `<EntityType>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityType {
    /// Simple name (`CustomerV3`).
    pub name: Arc<str>,
    /// Namespace-qualified name (`Microsoft.Dynamics.DataEntities.CustomerV3`).
    pub qualified_name: Arc<str>,
    /// `BaseType`, qualified.
    pub base_type: Option<Arc<str>>,
    /// `Abstract`.
    pub is_abstract: bool,
    /// `OpenType`.
    pub open_type: bool,
    /// `HasStream` (media entity).
    pub has_stream: bool,
    /// Declared key (derived types inherit theirs; see `Document::effective_key`).
    pub key: Option<Key>,
    /// Declared structural properties (not inherited ones).
    pub properties: Vec<Property>,
    /// Declared navigation properties.
    pub navigation_properties: Vec<NavigationProperty>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

impl EntityType {
    /// The declared structural property named `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| &*p.name == name)
    }

    /// The declared navigation property named `name`.
    pub fn navigation_property(&self, name: &str) -> Option<&NavigationProperty> {
        self.navigation_properties.iter().find(|p| &*p.name == name)
    }
}

/// A `<ComplexType>`.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplexType {
    /// Simple name.
    pub name: Arc<str>,
    /// Namespace-qualified name.
    pub qualified_name: Arc<str>,
    /// `BaseType`, qualified.
    pub base_type: Option<Arc<str>>,
    /// `Abstract`.
    pub is_abstract: bool,
    /// `OpenType`.
    pub open_type: bool,
    /// Declared structural properties.
    pub properties: Vec<Property>,
    /// Declared navigation properties.
    pub navigation_properties: Vec<NavigationProperty>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

impl ComplexType {
    /// The declared structural property named `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| &*p.name == name)
    }
}

/// One `<Member>` of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumMember {
    /// Member name (the string sent on the wire).
    pub name: Arc<str>,
    /// Numeric value: explicit, or implicit (previous + 1, starting at 0).
    pub value: i64,
    /// `true` when the document gave `Value` explicitly.
    pub value_explicit: bool,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
}

/// An `<EnumType>`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumType {
    /// Simple name.
    pub name: Arc<str>,
    /// Namespace-qualified name.
    pub qualified_name: Arc<str>,
    /// `UnderlyingType` (CSDL default `Edm.Int32`).
    pub underlying_type: Arc<str>,
    /// `IsFlags`.
    pub is_flags: bool,
    /// Members in declaration order.
    pub members: Vec<EnumMember>,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

impl EnumType {
    /// The member named `name`.
    pub fn member(&self, name: &str) -> Option<&EnumMember> {
        self.members.iter().find(|m| &*m.name == name)
    }
}

/// A `<TypeDefinition>`: a named primitive type with facets.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDefinition {
    /// Simple name.
    pub name: Arc<str>,
    /// Namespace-qualified name.
    pub qualified_name: Arc<str>,
    /// `UnderlyingType` (a primitive type).
    pub underlying_type: Arc<str>,
    /// Facets of the underlying type.
    pub facets: Facets,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}

/// A `<Term>` declared by a vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Simple name.
    pub name: Arc<str>,
    /// Namespace-qualified name.
    pub qualified_name: Arc<str>,
    /// Value type.
    pub ty: TypeRef,
    /// `BaseType` (another term), qualified.
    pub base_term: Option<Arc<str>>,
    /// `Nullable` (default `true`).
    pub nullable: bool,
    /// `DefaultValue`, as written.
    pub default_value: Option<Arc<str>>,
    /// `AppliesTo`: the kinds of model element the term may annotate.
    pub applies_to: Vec<Arc<str>>,
    /// Facets of the value type.
    pub facets: Facets,
    /// Inline annotations.
    pub annotations: Vec<Annotation>,
    /// Byte offset of the element in the source document.
    pub offset: u64,
}
