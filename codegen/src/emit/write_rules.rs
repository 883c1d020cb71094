//! Which properties the create (`New…`) and update (`…Patch`) models hold, and which ones a
//! create must set.
//!
//! | rule | F&O | generic OData |
//! |---|---|---|
//! | no write models at all | entity type annotated `IsReadOnly`, or the set not insertable / updatable | the set not insertable / updatable |
//! | settable on create | not `Core.Computed`, not `IsReadOnly`, not `AllowEditOnCreate=false` | not `Core.Computed` |
//! | changeable by an update | not a key part, not `Core.Computed`, not `IsReadOnly`, not `Core.Immutable`, not `AllowEdit=false` | the same |
//! | required on create (`New…::new` argument) | key parts without a `DefaultValue`, and `IsRequired` properties | key parts and non-nullable properties, without a `DefaultValue` |
//!
//! Creating and updating are independent: `AllowEditOnCreate=false` alone keeps a property out
//! of the create model only, `AllowEdit=false` alone out of the update model only. In F&O a
//! non-nullable property is not mandatory on create (the service fills a default); only
//! `IsRequired` makes it so.

use super::ServiceProfile;
use crate::csdl::terms::{PropertyTraits, fno};
use crate::csdl::{Document, EntityType, Property};

/// How one property takes part in writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WriteRules {
    /// A field of the create model.
    pub(crate) on_create: bool,
    /// An argument of the create model's `new` (implies `on_create`).
    pub(crate) required_on_create: bool,
    /// A field of the update model.
    pub(crate) on_update: bool,
}

impl WriteRules {
    pub(crate) fn of(
        profile: ServiceProfile,
        property: &Property,
        traits: &PropertyTraits<'_>,
        key: bool,
    ) -> Self {
        let computed = traits.computed == Some(true);
        let read_only = traits.is_read_only == Some(true);
        let on_create = !computed && !read_only && traits.allow_edit_on_create != Some(false);
        let on_update = !key
            && !computed
            && !read_only
            && traits.immutable != Some(true)
            && traits.allow_edit != Some(false);
        let defaulted = property.default_value.is_some();
        let mandatory = match profile {
            ServiceProfile::Fno => (key && !defaulted) || traits.is_required == Some(true),
            ServiceProfile::Generic => (key || !property.nullable) && !defaulted,
        };
        WriteRules {
            on_create,
            required_on_create: on_create && mandatory && !property.ty.collection,
            on_update,
        }
    }
}

/// Whether the entity type (or a base type) is annotated F&O `IsReadOnly`: the service accepts
/// no creates or updates of it.
pub(crate) fn entity_is_read_only(doc: &Document, ty: &EntityType) -> bool {
    let mut current = Some(ty);
    let mut depth = 0;
    while let Some(t) = current {
        let flagged = doc
            .annotation(&t.annotations, &t.qualified_name, fno::IS_READ_ONLY)
            .and_then(|a| a.as_bool());
        if flagged == Some(true) {
            return true;
        }
        // Base type chains are finite in valid documents; a cycle in a hostile one stops here.
        depth += 1;
        if depth > 64 {
            return false;
        }
        current = t.base_type.as_deref().and_then(|b| doc.entity_type(b));
    }
    false
}
