//! Naming every generated item before any is written, so references agree and renames are
//! deterministic.

use std::collections::HashMap;

use super::Options;
use super::names::{Scope, snake, type_name};
use crate::csdl::{EntitySet, EntityType, split_qualified};
use crate::select::Closure;

/// Rust names of one entity type's items.
#[derive(Debug, Clone)]
pub(crate) struct EntityNames {
    /// Read struct.
    pub(crate) ty: String,
    /// Key struct.
    pub(crate) key: String,
    /// Create model.
    pub(crate) new: String,
    /// Update model.
    pub(crate) patch: String,
    /// Handle module.
    pub(crate) module: String,
}

/// Rust names of the row type of a further entity set of an entity type.
#[derive(Debug, Clone)]
pub(crate) struct SetRowNames {
    /// The newtype over the read model.
    pub(crate) ty: String,
    /// Its handle module.
    pub(crate) module: String,
}

/// Rust names of an enumeration.
#[derive(Debug, Clone)]
pub(crate) struct EnumNames {
    /// The member enum.
    pub(crate) ty: String,
    /// The flags set, for `IsFlags` enumerations.
    pub(crate) flags: Option<String>,
}

/// The names of everything generated, and which entity set each entity type is read from.
pub(crate) struct Plan<'a> {
    pub(crate) entities: HashMap<&'a str, EntityNames>,
    pub(crate) enums: HashMap<&'a str, EnumNames>,
    /// Complex types and type definitions.
    pub(crate) others: HashMap<&'a str, String>,
    /// Entity type → the selected entity set its `Entity` impl names.
    pub(crate) sets: HashMap<&'a str, &'a EntitySet>,
    /// The module of unbound operations.
    pub(crate) operations_module: String,
    /// The module re-exporting the traits of operations bound to one entity.
    pub(crate) prelude_module: String,
    /// The private module holding the supertrait that seals those traits.
    pub(crate) sealed_module: String,
    /// The top-level type names taken once every type above is named: operation items
    /// (traits, set handles, parameter and request types) are named from it, last.
    pub(crate) taken_types: Scope,
    /// `(OData name, Rust name, reason)` of every rename, for the header.
    pub(crate) renames: Vec<(String, String, &'static str)>,
    /// Entity type → the further selected entity sets exposing it, each with its row type.
    pub(crate) extra_sets: HashMap<&'a str, Vec<(&'a EntitySet, SetRowNames)>>,
}

impl<'a> Plan<'a> {
    pub(crate) fn new(closure: &'a Closure<'a>, options: &Options<'_>) -> Self {
        let mut types = Scope::types();
        let mut modules = Scope::new(&["operations", "prelude", "sealed"]);
        let mut plan = Plan {
            entities: HashMap::new(),
            enums: HashMap::new(),
            others: HashMap::new(),
            sets: HashMap::new(),
            operations_module: "operations".to_owned(),
            prelude_module: "prelude".to_owned(),
            sealed_module: "sealed".to_owned(),
            taken_types: Scope::default(),
            renames: Vec::new(),
            extra_sets: HashMap::new(),
        };
        let wanted = |qualified: &str| -> (String, bool) {
            let simple = split_qualified(qualified).1;
            match options
                .renames
                .get(qualified)
                .or_else(|| options.renames.get(simple))
            {
                Some(to) => (to.clone(), true),
                None => (type_name(simple), false),
            }
        };

        for ty in &closure.entity_types {
            let (base, renamed) = wanted(&ty.qualified_name);
            let derived = |n: &str| {
                [
                    n.to_owned(),
                    format!("{n}Key"),
                    format!("New{n}"),
                    format!("{n}Patch"),
                ]
            };
            let name = types.first_free(&base, |n| derived(n).iter().all(|d| types.is_free(d)));
            for d in derived(&name) {
                types.take(&d);
            }
            plan.note(
                &ty.qualified_name,
                &name,
                renamed,
                "entity type name already taken",
            );
            let module = modules.unique(&snake(&name));
            let [ty_name, key, new, patch] = derived(&name);
            plan.entities.insert(
                &ty.qualified_name,
                EntityNames {
                    ty: ty_name,
                    key,
                    new,
                    patch,
                    module,
                },
            );
        }
        for ty in &closure.complex_types {
            let (base, renamed) = wanted(&ty.qualified_name);
            let name = suffixed(&mut types, &base, "Complex");
            plan.note(
                &ty.qualified_name,
                &name,
                renamed,
                "complex type name already taken",
            );
            plan.others.insert(&ty.qualified_name, name);
        }
        for ty in &closure.enum_types {
            let (base, renamed) = wanted(&ty.qualified_name);
            let name = if ty.is_flags {
                let name = types.first_free(&base, |n| types.is_free(&format!("{n}Flags")));
                let name = if name == base {
                    name
                } else {
                    let with_kind = format!("{base}Enum");
                    types.first_free(&with_kind, |n| types.is_free(&format!("{n}Flags")))
                };
                types.take(&name);
                types.take(&format!("{name}Flags"));
                name
            } else {
                suffixed(&mut types, &base, "Enum")
            };
            plan.note(
                &ty.qualified_name,
                &name,
                renamed,
                "an entity type has the same name (compared ignoring case)",
            );
            let flags = ty.is_flags.then(|| format!("{name}Flags"));
            plan.enums
                .insert(&ty.qualified_name, EnumNames { ty: name, flags });
        }
        for ty in &closure.type_definitions {
            let (base, renamed) = wanted(&ty.qualified_name);
            let name = suffixed(&mut types, &base, "Def");
            plan.note(
                &ty.qualified_name,
                &name,
                renamed,
                "type name already taken",
            );
            plan.others.insert(&ty.qualified_name, name);
        }

        for set in &closure.entity_sets {
            if !plan.sets.contains_key(&*set.entity_type) {
                plan.sets.insert(&set.entity_type, set);
                continue;
            }
            // Named after the set; entity types keep their names, so this is named last.
            let base = type_name(&set.name);
            let ty = suffixed(&mut types, &base, "Set");
            plan.note(&set.name, &ty, false, "type name already taken");
            let module = modules.unique(&snake(&ty));
            plan.extra_sets
                .entry(&set.entity_type)
                .or_default()
                .push((set, SetRowNames { ty, module }));
        }
        plan.taken_types = types;
        plan
    }

    fn note(&mut self, qualified: &str, name: &str, user: bool, reason: &'static str) {
        let simple = split_qualified(qualified).1;
        if user {
            self.renames.push((
                qualified.to_owned(),
                name.to_owned(),
                "renamed by configuration",
            ));
        } else if name != type_name(simple) {
            self.renames
                .push((qualified.to_owned(), name.to_owned(), reason));
        }
    }

    /// The Rust name of a type that appears as a property, parameter or return type.
    pub(crate) fn value_type_name(&self, qualified: &str) -> Option<String> {
        if let Some(e) = self.enums.get(qualified) {
            return Some(e.flags.clone().unwrap_or_else(|| e.ty.clone()));
        }
        if let Some(e) = self.entities.get(qualified) {
            return Some(e.ty.clone());
        }
        self.others.get(qualified).cloned()
    }

    /// The further selected entity sets of an entity type (after [`Plan::set_of`]'s).
    pub(crate) fn extra_sets_of(&self, ty: &EntityType) -> &[(&'a EntitySet, SetRowNames)] {
        self.extra_sets
            .get(&*ty.qualified_name)
            .map_or(&[], Vec::as_slice)
    }

    /// The entity set of an entity type, when one is selected.
    pub(crate) fn set_of(&self, ty: &EntityType) -> Option<&'a EntitySet> {
        self.sets.get(&*ty.qualified_name).copied()
    }
}

/// `base` if free, else `base{kind}`, else `base{kind}2`, ...
fn suffixed(scope: &mut Scope, base: &str, kind: &str) -> String {
    if scope.is_free(base) {
        scope.take(base);
        return base.to_owned();
    }
    scope.unique(&format!("{base}{kind}"))
}
