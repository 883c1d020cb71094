//! The `Edm` primitive types.

/// A primitive type of the `Edm` namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Primitive {
    /// `Edm.Binary`.
    Binary,
    /// `Edm.Boolean`.
    Boolean,
    /// `Edm.Byte`.
    Byte,
    /// `Edm.Date`.
    Date,
    /// `Edm.DateTimeOffset`.
    DateTimeOffset,
    /// `Edm.Decimal`.
    Decimal,
    /// `Edm.Double`.
    Double,
    /// `Edm.Duration`.
    Duration,
    /// `Edm.Guid`.
    Guid,
    /// `Edm.Int16`.
    Int16,
    /// `Edm.Int32`.
    Int32,
    /// `Edm.Int64`.
    Int64,
    /// `Edm.SByte`.
    SByte,
    /// `Edm.Single`.
    Single,
    /// `Edm.Stream`.
    Stream,
    /// `Edm.String`.
    String,
    /// `Edm.TimeOfDay`.
    TimeOfDay,
    /// Any `Edm.Geography*` type.
    Geography,
    /// Any `Edm.Geometry*` type.
    Geometry,
    /// `Edm.Untyped` (4.01).
    Untyped,
    /// Abstract types usable in vocabularies: `Edm.PrimitiveType`, `Edm.EntityType`,
    /// `Edm.ComplexType`, `Edm.AnnotationPath`, `Edm.PropertyPath` and the like.
    Abstract,
}

impl Primitive {
    /// Maps `Edm.X` to its primitive; `None` for non-`Edm` names and unknown `Edm` names.
    pub fn from_qualified_name(name: &str) -> Option<Primitive> {
        let local = name.strip_prefix("Edm.")?;
        Some(match local {
            "Binary" => Primitive::Binary,
            "Boolean" => Primitive::Boolean,
            "Byte" => Primitive::Byte,
            "Date" => Primitive::Date,
            "DateTimeOffset" => Primitive::DateTimeOffset,
            "Decimal" => Primitive::Decimal,
            "Double" => Primitive::Double,
            "Duration" => Primitive::Duration,
            "Guid" => Primitive::Guid,
            "Int16" => Primitive::Int16,
            "Int32" => Primitive::Int32,
            "Int64" => Primitive::Int64,
            "SByte" => Primitive::SByte,
            "Single" => Primitive::Single,
            "Stream" => Primitive::Stream,
            "String" => Primitive::String,
            "TimeOfDay" => Primitive::TimeOfDay,
            "Untyped" => Primitive::Untyped,
            "PrimitiveType"
            | "EntityType"
            | "ComplexType"
            | "AnnotationPath"
            | "PropertyPath"
            | "NavigationPropertyPath"
            | "AnyPropertyPath"
            | "ModelElementPath" => Primitive::Abstract,
            geo if geo.starts_with("Geography") => Primitive::Geography,
            geo if geo.starts_with("Geometry") => Primitive::Geometry,
            _ => return None,
        })
    }
}
