//! Well-known annotation terms (OASIS vocabularies and F&O's own), and typed readings of them.

use super::annotation::{Annotation, AnnotationValue};
use super::container::EntitySet;
use super::model::Document;
use super::types::{EntityType, Property};

/// Terms of the OASIS Core vocabulary (`Org.OData.Core.V1`).
pub mod core {
    /// `Core.Computed`: the service computes the value; clients must not send it.
    pub const COMPUTED: &str = "Org.OData.Core.V1.Computed";
    /// `Core.Immutable`: settable on create only.
    pub const IMMUTABLE: &str = "Org.OData.Core.V1.Immutable";
    /// `Core.Description`: human-readable description.
    pub const DESCRIPTION: &str = "Org.OData.Core.V1.Description";
    /// `Core.LongDescription`.
    pub const LONG_DESCRIPTION: &str = "Org.OData.Core.V1.LongDescription";
    /// `Core.OptimisticConcurrency`: properties that make up the ETag.
    pub const OPTIMISTIC_CONCURRENCY: &str = "Org.OData.Core.V1.OptimisticConcurrency";
    /// `Core.Permissions`: `Read`, `ReadWrite`, ...
    pub const PERMISSIONS: &str = "Org.OData.Core.V1.Permissions";
}

/// Terms of the OASIS Capabilities vocabulary (`Org.OData.Capabilities.V1`).
pub mod capabilities {
    /// Namespace prefix of every capabilities term.
    pub const NAMESPACE: &str = "Org.OData.Capabilities.V1";
    /// `Capabilities.InsertRestrictions` (record with `Insertable`).
    pub const INSERT_RESTRICTIONS: &str = "Org.OData.Capabilities.V1.InsertRestrictions";
    /// `Capabilities.UpdateRestrictions` (record with `Updatable`).
    pub const UPDATE_RESTRICTIONS: &str = "Org.OData.Capabilities.V1.UpdateRestrictions";
    /// `Capabilities.DeleteRestrictions` (record with `Deletable`).
    pub const DELETE_RESTRICTIONS: &str = "Org.OData.Capabilities.V1.DeleteRestrictions";
    /// `Capabilities.FilterRestrictions`.
    pub const FILTER_RESTRICTIONS: &str = "Org.OData.Capabilities.V1.FilterRestrictions";
    /// `Capabilities.SortRestrictions`.
    pub const SORT_RESTRICTIONS: &str = "Org.OData.Capabilities.V1.SortRestrictions";
    /// `Capabilities.ExpandRestrictions`.
    pub const EXPAND_RESTRICTIONS: &str = "Org.OData.Capabilities.V1.ExpandRestrictions";
    /// `Capabilities.CountRestrictions`.
    pub const COUNT_RESTRICTIONS: &str = "Org.OData.Capabilities.V1.CountRestrictions";
    /// `Capabilities.TopSupported`.
    pub const TOP_SUPPORTED: &str = "Org.OData.Capabilities.V1.TopSupported";
    /// `Capabilities.SkipSupported`.
    pub const SKIP_SUPPORTED: &str = "Org.OData.Capabilities.V1.SkipSupported";
    /// `Capabilities.SearchRestrictions`.
    pub const SEARCH_RESTRICTIONS: &str = "Org.OData.Capabilities.V1.SearchRestrictions";
}

/// Terms F&O puts on entities and properties (`Microsoft.Dynamics.OData.Core.V1`). None of
/// them is declared in the metadata; they are read as plain data.
pub mod fno {
    /// Namespace of the F&O terms.
    pub const NAMESPACE: &str = "Microsoft.Dynamics.OData.Core.V1";
    /// Label id (`@SYS13342`) of the field or entity.
    pub const LABEL_ID: &str = "Microsoft.Dynamics.OData.Core.V1.LabelId";
    /// Help text label id.
    pub const HELP_TEXT_ID: &str = "Microsoft.Dynamics.OData.Core.V1.HelpTextId";
    /// `AllowEdit="false"`: not updatable after create.
    pub const ALLOW_EDIT: &str = "Microsoft.Dynamics.OData.Core.V1.AllowEdit";
    /// `AllowEditOnCreate="false"`: cannot be set on create either.
    pub const ALLOW_EDIT_ON_CREATE: &str = "Microsoft.Dynamics.OData.Core.V1.AllowEditOnCreate";
    /// `IsRequired="true"`: mandatory on create.
    pub const IS_REQUIRED: &str = "Microsoft.Dynamics.OData.Core.V1.IsRequired";
    /// `IsReadOnly="true"`: never writable.
    pub const IS_READ_ONLY: &str = "Microsoft.Dynamics.OData.Core.V1.IsReadOnly";
    /// X++ type of the field (`Microsoft.Dynamics.OData.Core.V1.AXType/Date`, ...).
    pub const AX_TYPE: &str = "Microsoft.Dynamics.OData.Core.V1.AXType";
    /// Whether the configuration key enabling the field is on.
    pub const CONFIGURATION_KEY_ENABLED: &str =
        "Microsoft.Dynamics.OData.Core.V1.ConfigurationKeyEnabled";
    /// Country/region codes the field applies to.
    pub const COUNTRY_REGION_CODES: &str = "Microsoft.Dynamics.OData.Core.V1.CountryRegionCodes";
}

fn flag(a: Option<&Annotation>) -> Option<bool> {
    a.and_then(Annotation::as_bool)
}

/// What the annotations say about writing and describing one property.
///
/// `None` means the document does not say; the emitter picks the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertyTraits<'a> {
    /// F&O `LabelId`.
    pub label_id: Option<&'a str>,
    /// F&O `AllowEdit`.
    pub allow_edit: Option<bool>,
    /// F&O `AllowEditOnCreate`.
    pub allow_edit_on_create: Option<bool>,
    /// F&O `IsRequired`.
    pub is_required: Option<bool>,
    /// F&O `IsReadOnly`.
    pub is_read_only: Option<bool>,
    /// F&O `AXType` member name (`Date`, `Time`, `Enum`, ...).
    pub ax_type: Option<&'a str>,
    /// `Core.Computed`.
    pub computed: Option<bool>,
    /// `Core.Immutable`.
    pub immutable: Option<bool>,
    /// `Core.Description`.
    pub description: Option<&'a str>,
}

impl<'a> PropertyTraits<'a> {
    /// Reads the traits of `property` declared on `owner` (inline annotations first, then
    /// `<Annotations Target="Owner/Property">` blocks).
    pub fn of(doc: &'a Document, owner: &EntityType, property: &'a Property) -> Self {
        let target = format!("{}/{}", owner.qualified_name, property.name);
        let get = |term: &str| doc.annotation(&property.annotations, &target, term);
        PropertyTraits {
            label_id: get(fno::LABEL_ID).and_then(Annotation::as_str),
            allow_edit: flag(get(fno::ALLOW_EDIT)),
            allow_edit_on_create: flag(get(fno::ALLOW_EDIT_ON_CREATE)),
            is_required: flag(get(fno::IS_REQUIRED)),
            is_read_only: flag(get(fno::IS_READ_ONLY)),
            ax_type: get(fno::AX_TYPE)
                .and_then(|a| a.value.as_enum_member())
                .map(|m| m.rsplit_once('/').map_or(m, |(_, member)| member)),
            computed: flag(get(core::COMPUTED)),
            immutable: flag(get(core::IMMUTABLE)),
            description: get(core::DESCRIPTION).and_then(Annotation::as_str),
        }
    }

    /// Whether a client may send this property when creating an entity.
    pub fn writable_on_create(&self) -> bool {
        self.computed != Some(true)
            && self.is_read_only != Some(true)
            && self.allow_edit_on_create != Some(false)
    }

    /// Whether a client may change this property in an update.
    pub fn writable_on_update(&self) -> bool {
        self.writable_on_create() && self.immutable != Some(true) && self.allow_edit != Some(false)
    }
}

/// What the Capabilities vocabulary says about an entity set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntitySetCapabilities<'a> {
    /// `InsertRestrictions/Insertable`.
    pub insertable: Option<bool>,
    /// `UpdateRestrictions/Updatable`.
    pub updatable: Option<bool>,
    /// `DeleteRestrictions/Deletable`.
    pub deletable: Option<bool>,
    /// `CountRestrictions/Countable`.
    pub countable: Option<bool>,
    /// `TopSupported`.
    pub top_supported: Option<bool>,
    /// `SkipSupported`.
    pub skip_supported: Option<bool>,
    /// `FilterRestrictions/NonFilterableProperties`.
    pub non_filterable_properties: Vec<&'a str>,
    /// `SortRestrictions/NonSortableProperties`.
    pub non_sortable_properties: Vec<&'a str>,
    /// `Core.OptimisticConcurrency`: properties making up the ETag.
    pub optimistic_concurrency: Vec<&'a str>,
    /// `Core.Description`.
    pub description: Option<&'a str>,
}

fn record_flag(a: Option<&Annotation>, property: &str) -> Option<bool> {
    a?.value.as_record()?.get(property)?.as_bool()
}

fn record_paths<'a>(a: Option<&'a Annotation>, property: &str) -> Vec<&'a str> {
    paths(
        a.and_then(|a| a.value.as_record())
            .and_then(|r| r.get(property)),
    )
}

fn paths(value: Option<&AnnotationValue>) -> Vec<&str> {
    value
        .and_then(AnnotationValue::as_collection)
        .map(|items| items.iter().filter_map(AnnotationValue::as_path).collect())
        .unwrap_or_default()
}

impl<'a> EntitySetCapabilities<'a> {
    /// Reads the capabilities of `set` (inline, then `<Annotations Target="Ns.Container/Set">`).
    pub fn of(doc: &'a Document, set: &'a EntitySet) -> Self {
        let target = doc
            .entity_containers()
            .find(|c| c.entity_sets.iter().any(|s| std::ptr::eq(s, set)))
            .map(|c| format!("{}/{}", c.qualified_name, set.name))
            .unwrap_or_default();
        let get = |term: &str| doc.annotation(&set.annotations, &target, term);
        EntitySetCapabilities {
            insertable: record_flag(get(capabilities::INSERT_RESTRICTIONS), "Insertable"),
            updatable: record_flag(get(capabilities::UPDATE_RESTRICTIONS), "Updatable"),
            deletable: record_flag(get(capabilities::DELETE_RESTRICTIONS), "Deletable"),
            countable: record_flag(get(capabilities::COUNT_RESTRICTIONS), "Countable"),
            top_supported: flag(get(capabilities::TOP_SUPPORTED)),
            skip_supported: flag(get(capabilities::SKIP_SUPPORTED)),
            non_filterable_properties: record_paths(
                get(capabilities::FILTER_RESTRICTIONS),
                "NonFilterableProperties",
            ),
            non_sortable_properties: record_paths(
                get(capabilities::SORT_RESTRICTIONS),
                "NonSortableProperties",
            ),
            optimistic_concurrency: paths(get(core::OPTIMISTIC_CONCURRENCY).map(|a| &a.value)),
            description: get(core::DESCRIPTION).and_then(Annotation::as_str),
        }
    }
}
