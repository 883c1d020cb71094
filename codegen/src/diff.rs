//! Comparing the bindings two versions of a metadata document generate for a selection: what
//! changed in the generated code, and which changes break code written against it.
//!
//! Both documents go through the emitter with the same selection; the public items of the
//! generated code (types, fields, variants, functions, constants, trait implementations, each
//! with its signature) are read back and compared. A change is **breaking** when code written
//! against the old bindings can stop compiling, or change meaning, against the new ones:
//!
//! - an item removed, or an item whose signature changed: a field's type (`Option<String>` ↔
//!   `String` when a property's nullability changes), `New…::new`'s arguments (the properties
//!   required on create), a key, an operation's parameters or result, a constant's value (a
//!   wire name, an entity set name), a field leaving `New…` or `…Patch` (write permissions);
//! - a variant added to an enum without `#[non_exhaustive]`.
//!
//! Not breaking: added fields, functions, types and trait implementations, and variants added
//! to the generated enums, which are `#[non_exhaustive]` (a `match` on them in another crate
//! already has a `_` arm). Two uses are outside this promise, as for any Rust struct that gains
//! fields: building a read model with a struct literal and destructuring one without `..`; and
//! `#[non_exhaustive]` binds only other crates, so a `match` inside the crate that
//! `include!`s the bindings can still need a new arm.
//!
//! ```no_run
//! use d365fo_odata_codegen::{csdl::Document, diff::diff, select::Selection};
//!
//! let old = Document::from_path("metadata/fno-10.0.40.xml")?;
//! let new = Document::from_path("metadata/fno-10.0.41.xml")?;
//! let report = diff(&old, &new, &Selection::new().entity_sets(["CustomersV3"]))?;
//! print!("{report}");
//! if report.is_breaking() {
//!     std::process::exit(1);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compare;
mod report;
mod surface;
mod tokens;

use std::collections::{BTreeMap, BTreeSet};

use crate::csdl::Document;
use crate::emit::{self, Options, Plan};
use crate::select::{Closure, SelectError, Selection, UnknownName};
use crate::suggest;

pub use report::{Change, ChangeKind, Compared, DiffReport, Role, Subject};

/// The runtime path the compared bindings are generated with (dropped from signatures).
const RUNTIME: &str = "::d365fo_odata";

/// Why two documents could not be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// Names in the scope that neither document has.
    #[error("{0}")]
    Select(#[from] SelectError),
}

/// Compares `old` and `new` over `scope`.
///
/// Entity sets, singletons and operations named in the scope may be missing from one of the
/// documents (they are then reported as added or removed), not from both.
///
/// # Errors
/// [`DiffError::Select`] listing every name found in neither document, with the closest name.
pub fn diff(old: &Document, new: &Document, scope: &Selection) -> Result<DiffReport, DiffError> {
    let mut changes: Vec<Change> = Vec::new();
    let mut set_change = |subject: Subject, name: &str, kind: ChangeKind| {
        changes.push(Change {
            subject,
            name: name.to_owned(),
            role: Role::Other,
            member: None,
            breaking: !matches!(kind, ChangeKind::SetAdded),
            kind,
        });
    };
    let (set_names, singleton_names) = if scope.names_nothing() || scope.selects_all_entity_sets() {
        (
            union(
                old.entity_sets().map(|s| &*s.name),
                new.entity_sets().map(|s| &*s.name),
            ),
            union(singletons(old), singletons(new)),
        )
    } else {
        (
            scope.entity_set_names().to_vec(),
            scope.singleton_names().to_vec(),
        )
    };

    let mut unknown = Vec::new();
    let mut old_selection = Selection::new();
    let mut new_selection = Selection::new();
    for name in &set_names {
        let (o, n) = (old.entity_set(name), new.entity_set(name));
        match (o, n) {
            (None, None) => unknown.push(unknown_name(
                "entity set",
                name,
                old.entity_sets().chain(new.entity_sets()).map(|s| &*s.name),
            )),
            (Some(_), None) => set_change(Subject::EntitySet, name, ChangeKind::SetRemoved),
            (None, Some(_)) => set_change(Subject::EntitySet, name, ChangeKind::SetAdded),
            (Some(o), Some(n)) if o.entity_type != n.entity_type => set_change(
                Subject::EntitySet,
                name,
                ChangeKind::SetTypeChanged {
                    old: o.entity_type.to_string(),
                    new: n.entity_type.to_string(),
                },
            ),
            (Some(_), Some(_)) => {}
        }
        if o.is_some() {
            old_selection = old_selection.entity_sets([name.as_str()]);
        }
        if n.is_some() {
            new_selection = new_selection.entity_sets([name.as_str()]);
        }
    }
    for name in &singleton_names {
        let (o, n) = (old.singleton(name), new.singleton(name));
        match (o, n) {
            (None, None) => unknown.push(unknown_name(
                "singleton",
                name,
                singletons(old).into_iter().chain(singletons(new)),
            )),
            (Some(_), None) => set_change(Subject::Singleton, name, ChangeKind::SetRemoved),
            (None, Some(_)) => set_change(Subject::Singleton, name, ChangeKind::SetAdded),
            (Some(o), Some(n)) if o.entity_type != n.entity_type => set_change(
                Subject::Singleton,
                name,
                ChangeKind::SetTypeChanged {
                    old: o.entity_type.to_string(),
                    new: n.entity_type.to_string(),
                },
            ),
            (Some(_), Some(_)) => {}
        }
        if o.is_some() {
            old_selection = old_selection.singletons([name.as_str()]);
        }
        if n.is_some() {
            new_selection = new_selection.singletons([name.as_str()]);
        }
    }
    for name in scope.operation_names() {
        let in_old = Selection::new().operations([name.as_str()]).resolve(old);
        let in_new = Selection::new().operations([name.as_str()]).resolve(new);
        match (in_old, in_new) {
            (Err(SelectError::UnknownNames(mut names)), Err(_)) => unknown.append(&mut names),
            (in_old, in_new) => {
                if in_old.is_ok() {
                    old_selection = old_selection.operations([name.as_str()]);
                } else {
                    set_change(Subject::Operation, name, ChangeKind::SetAdded);
                }
                if in_new.is_ok() {
                    new_selection = new_selection.operations([name.as_str()]);
                } else {
                    set_change(Subject::Operation, name, ChangeKind::SetRemoved);
                }
            }
        }
    }
    if !unknown.is_empty() {
        return Err(DiffError::Select(SelectError::UnknownNames(unknown)));
    }

    let old_closure = old_selection.resolve(old)?;
    let new_closure = new_selection.resolve(new)?;
    let old_side = Side::generate(old, &old_closure);
    let new_side = Side::generate(new, &new_closure);
    changes.extend(compare::compare(
        &old_side.surface,
        &old_side.owners,
        &new_side.surface,
        &new_side.owners,
    ));
    changes.sort_by(|a, b| {
        (!a.is_breaking(), a.subject, &a.name, item(a)).cmp(&(
            !b.is_breaking(),
            b.subject,
            &b.name,
            item(b),
        ))
    });
    Ok(DiffReport {
        old: old.source_name().to_owned(),
        new: new.source_name().to_owned(),
        changes,
        compared: Compared {
            sets: set_names.len() + singleton_names.len(),
            types: old_side.owners.type_count(),
            operations: old_side
                .surface
                .entries
                .values()
                .filter(|e| e.kind == surface::EntryKind::Function && compare::is_operation(e))
                .count(),
        },
    })
}

fn item(change: &Change) -> &str {
    match &change.kind {
        ChangeKind::Added { item, .. }
        | ChangeKind::Removed { item, .. }
        | ChangeKind::Changed { item, .. } => item,
        _ => "",
    }
}

/// The bindings of one document for its side of the selection, as a surface.
struct Side {
    surface: surface::Surface,
    owners: compare::Owners,
}

impl Side {
    /// Emits the bindings exactly as the generator would (service profile detected the same
    /// way, write models on, no renames) and reads back their public surface.
    fn generate(doc: &Document, closure: &Closure<'_>) -> Side {
        let renames = BTreeMap::new();
        let options = Options {
            profile: crate::generator::auto_profile(doc),
            runtime: RUNTIME.to_owned(),
            renames: &renames,
            write_models: true,
        };
        let emitted = emit::emit(doc, closure, &options);
        let plan = Plan::new(closure, &options);
        Side {
            surface: surface::Surface::read(emitted.chunks.iter().map(String::as_str), RUNTIME),
            owners: compare::Owners::of(&plan),
        }
    }
}

fn singletons(doc: &Document) -> Vec<&str> {
    doc.entity_containers()
        .flat_map(|c| c.singletons.iter().map(|s| &*s.name))
        .collect()
}

fn union<'a>(
    a: impl IntoIterator<Item = &'a str>,
    b: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let set: BTreeSet<&str> = a.into_iter().chain(b).collect();
    set.into_iter().map(str::to_owned).collect()
}

fn unknown_name<'a>(
    kind: &'static str,
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> UnknownName {
    UnknownName {
        kind,
        name: name.to_owned(),
        suggestion: suggest::closest(name, candidates).map(str::to_owned),
        note: Some("it is in neither document".to_owned()),
    }
}
