//! A built-in table of the standard OASIS vocabularies: their namespaces, their customary
//! aliases and the types they declare.
//!
//! Real documents use `Core.Description` or declare a term of type `Core.Tag` without an
//! `edmx:Reference` to the Core vocabulary; Microsoft's readers resolve such names against
//! built-in copies of the standard vocabularies, and so does this reader (with a warning). The
//! table holds names and kinds only: terms are accepted whether declared or not, so only the
//! types a type reference may name are listed.

/// The kind of a vocabulary type, with the underlying primitive of type definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VocabularyType {
    /// A type definition over this `Edm` primitive.
    Definition(&'static str),
    /// An enumeration type.
    Enum,
    /// A complex type.
    Complex,
}

/// One standard vocabulary.
pub(crate) struct Vocabulary {
    /// `Org.OData.Core.V1`.
    pub(crate) namespace: &'static str,
    /// The alias the specification's examples and the vocabularies themselves use (`Core`).
    pub(crate) alias: &'static str,
    /// Type definitions with their underlying types.
    definitions: &'static [(&'static str, &'static str)],
    /// Enumeration types.
    enums: &'static [&'static str],
    /// Complex types.
    complex: &'static [&'static str],
}

use VocabularyType::{Complex, Definition, Enum};

impl Vocabulary {
    /// The kind of the type with this simple name, if the vocabulary declares it.
    pub(crate) fn type_kind(&self, simple: &str) -> Option<VocabularyType> {
        if let Some((_, underlying)) = self.definitions.iter().find(|(n, _)| *n == simple) {
            return Some(Definition(underlying));
        }
        if self.enums.contains(&simple) {
            return Some(Enum);
        }
        self.complex.contains(&simple).then_some(Complex)
    }

    /// Every qualified type name of the vocabulary (for suggestions).
    pub(crate) fn type_names(&self) -> impl Iterator<Item = String> + '_ {
        self.definitions
            .iter()
            .map(|(n, _)| *n)
            .chain(self.enums.iter().copied())
            .chain(self.complex.iter().copied())
            .map(move |n| format!("{}.{n}", self.namespace))
    }
}

/// The standard vocabularies of OASIS OData (odata-vocabularies).
pub(crate) const STANDARD: &[Vocabulary] = &[
    Vocabulary {
        namespace: "Org.OData.Core.V1",
        alias: "Core",
        definitions: &[
            ("Tag", "Edm.Boolean"),
            ("MessageSeverity", "Edm.String"),
            ("QualifiedTermName", "Edm.String"),
            ("QualifiedTypeName", "Edm.String"),
            ("QualifiedActionName", "Edm.String"),
            ("QualifiedBoundOperationName", "Edm.String"),
            ("LocalDateTime", "Edm.String"),
            ("SimpleIdentifier", "Edm.String"),
        ],
        enums: &[
            "RevisionKind",
            "DataModificationOperationKind",
            "Permission",
        ],
        complex: &[
            "RevisionType",
            "Link",
            "ExampleValue",
            "PrimitiveExampleValue",
            "ComplexExampleValue",
            "EntityExampleValue",
            "ExternalExampleValue",
            "MessageType",
            "ExceptionType",
            "ValueExceptionType",
            "ResourceExceptionType",
            "DataModificationExceptionType",
            "ContentDispositionType",
            "AlternateKey",
            "PropertyRef",
            "Dictionary",
            "OptionalParameterType",
            "GeometryFeatureType",
        ],
    },
    Vocabulary {
        namespace: "Org.OData.Capabilities.V1",
        alias: "Capabilities",
        definitions: &[("FilterExpressionType", "Edm.String")],
        enums: &[
            "ConformanceLevelType",
            "IsolationLevel",
            "NavigationType",
            "SearchExpressions",
            "HttpMethod",
        ],
        complex: &[
            "CallbackType",
            "CallbackProtocol",
            "ChangeTrackingBase",
            "ChangeTrackingType",
            "CountRestrictionsBase",
            "CountRestrictionsType",
            "NavigationRestrictionsType",
            "NavigationPropertyRestriction",
            "SelectSupportType",
            "BatchSupportType",
            "FilterRestrictionsBase",
            "FilterRestrictionsType",
            "FilterExpressionRestrictionType",
            "SortRestrictionsBase",
            "SortRestrictionsType",
            "ExpandRestrictionsBase",
            "ExpandRestrictionsType",
            "SearchRestrictionsType",
            "InsertRestrictionsBase",
            "InsertRestrictionsType",
            "PermissionType",
            "ScopeType",
            "DeepInsertSupportType",
            "UpdateRestrictionsBase",
            "UpdateRestrictionsType",
            "DeepUpdateSupportType",
            "DeleteRestrictionsBase",
            "DeleteRestrictionsType",
            "CollectionPropertyRestrictionsType",
            "OperationRestrictionsType",
            "ModificationQueryOptionsType",
            "ReadRestrictionsBase",
            "ReadByKeyRestrictionsType",
            "ReadRestrictionsType",
            "CustomParameter",
            "DefaultCapabilitiesType",
            "HttpResponse",
        ],
    },
    Vocabulary {
        namespace: "Org.OData.Measures.V1",
        alias: "Measures",
        definitions: &[("DurationGranularityType", "Edm.String")],
        enums: &[],
        complex: &[],
    },
    Vocabulary {
        namespace: "Org.OData.Validation.V1",
        alias: "Validation",
        definitions: &[("SingleOrCollectionType", "Edm.String")],
        enums: &[],
        complex: &["AllowedValue", "ConstraintType", "ItemsOfType"],
    },
    Vocabulary {
        namespace: "Org.OData.Authorization.V1",
        alias: "Authorization",
        definitions: &[("SchemeName", "Edm.String")],
        enums: &["KeyLocation"],
        complex: &[
            "SecurityScheme",
            "Authorization",
            "OpenIDConnect",
            "Http",
            "OAuthAuthorization",
            "AuthorizationScope",
            "ApiKey",
        ],
    },
    Vocabulary {
        namespace: "Org.OData.Aggregation.V1",
        alias: "Aggregation",
        definitions: &[
            ("Transformation", "Edm.String"),
            ("AggregationMethod", "Edm.String"),
            ("HierarchyQualifier", "Edm.String"),
        ],
        enums: &["RollupType"],
        complex: &[
            "ApplySupportedBase",
            "ApplySupportedType",
            "AggregatablePropertyType",
            "RecursiveHierarchyType",
            "AvailableOnAggregatesType",
            "NavigationPropertyAggregationCapabilities",
            "CustomAggregateType",
        ],
    },
    Vocabulary {
        namespace: "Org.OData.Temporal.V1",
        alias: "Temporal",
        definitions: &[],
        enums: &[],
        complex: &[
            "ApplicationTimeSupportType",
            "UnitOfTime",
            "UnitOfTimeDateTimeOffset",
            "UnitOfTimeDate",
            "Timeline",
            "TimelineSnapshot",
            "TimelineVisible",
            "TimesliceWithPeriod",
        ],
    },
    Vocabulary {
        namespace: "Org.OData.JSON.V1",
        alias: "JSON",
        definitions: &[("JSON", "Edm.Stream")],
        enums: &[],
        complex: &[],
    },
    Vocabulary {
        namespace: "Org.OData.Repeatability.V1",
        alias: "Repeatability",
        definitions: &[],
        enums: &[],
        complex: &[],
    },
];

/// The standard vocabulary with this namespace.
pub(crate) fn by_namespace(namespace: &str) -> Option<&'static Vocabulary> {
    STANDARD.iter().find(|v| v.namespace == namespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_core_tag_as_a_boolean_type_definition() {
        let core = STANDARD.iter().find(|v| v.alias == "Core").expect("Core");
        assert_eq!(core.namespace, "Org.OData.Core.V1");
        assert_eq!(core.type_kind("Tag"), Some(Definition("Edm.Boolean")));
        assert_eq!(core.type_kind("Permission"), Some(Enum));
        assert_eq!(core.type_kind("Nope"), None);
        assert!(by_namespace("Org.OData.Repeatability.V1").is_some());
        assert_eq!(STANDARD.len(), 9);
    }
}
