//! Comparing the surfaces of two sets of bindings, item by item, and naming each difference
//! in OData terms through the emitter's plan.

use std::collections::HashMap;

use super::report::{Change, ChangeKind, Role, Subject};
use super::surface::{Entry, EntryKind, Surface};
use crate::emit::Plan;

/// What a top-level generated item (type or module) stands for.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    pub(crate) subject: Subject,
    /// The qualified OData name.
    pub(crate) name: String,
    pub(crate) role: Role,
}

/// Rust name of every top-level generated item → what it stands for.
#[derive(Debug, Default)]
pub(crate) struct Owners {
    by_rust: HashMap<String, Owner>,
    /// The items generated only to carry an entity type's bound operations (`<Type>Set`, the
    /// collection-bound ones' handle, and the `<Type>Operations` trait), owned by that type.
    carriers: HashMap<String, Owner>,
    /// The unbound operations' module.
    operations_module: String,
}

impl Owners {
    pub(crate) fn of(plan: &Plan<'_>) -> Owners {
        let mut by_rust = HashMap::new();
        let mut put = |rust: &str, subject: Subject, name: &str, role: Role| {
            by_rust.insert(
                rust.to_owned(),
                Owner {
                    subject,
                    name: name.to_owned(),
                    role,
                },
            );
        };
        for (qualified, names) in &plan.entities {
            put(&names.ty, Subject::EntityType, qualified, Role::ReadModel);
            put(&names.key, Subject::EntityType, qualified, Role::Key);
            put(
                &names.new,
                Subject::EntityType,
                qualified,
                Role::CreateModel,
            );
            put(
                &names.patch,
                Subject::EntityType,
                qualified,
                Role::UpdateModel,
            );
            put(&names.module, Subject::EntityType, qualified, Role::Handles);
        }
        let carriers = plan
            .entities
            .iter()
            .flat_map(|(qualified, names)| {
                ["Set", "Operations"].map(|suffix| {
                    let owner = Owner {
                        subject: Subject::EntityType,
                        name: qualified.to_string(),
                        role: Role::Operation,
                    };
                    (format!("{}{suffix}", names.ty), owner)
                })
            })
            .collect();
        for rows in plan.extra_sets.values() {
            for (set, row) in rows {
                put(&row.ty, Subject::EntitySet, &set.name, Role::SetRow);
                put(&row.module, Subject::EntitySet, &set.name, Role::Handles);
            }
        }
        for (qualified, names) in &plan.enums {
            put(&names.ty, Subject::EnumType, qualified, Role::Enum);
            if let Some(flags) = &names.flags {
                put(flags, Subject::EnumType, qualified, Role::Enum);
            }
        }
        for (qualified, name) in &plan.others {
            // Complex types and type definitions share this map; a definition is a type alias
            // or newtype without fields, told apart by the surface entry kind when read.
            put(name, Subject::ComplexType, qualified, Role::Complex);
        }
        Owners {
            by_rust,
            carriers,
            operations_module: plan.operations_module.clone(),
        }
    }

    /// How many generated types this plan names.
    pub(crate) fn type_count(&self) -> usize {
        self.by_rust
            .values()
            .filter(|o| o.role != Role::Handles)
            .count()
    }
}

/// The top-level item a surface path belongs to.
fn top(path: &str) -> &str {
    let path = path.strip_prefix('<').unwrap_or(path);
    let end = path.find(['.', ':', ' ']).unwrap_or(path.len());
    &path[..end]
}

/// Where a surface entry belongs: subject, OData name, role and member name.
fn classify(
    path: &str,
    entry: &Entry,
    owners: &Owners,
    surface: &Surface,
) -> (Subject, String, Role, Option<String>) {
    let top = top(path);
    let is_top = path == top;
    let member = if is_top { None } else { entry.odata.clone() };
    if entry.kind == EntryKind::Function && (top == owners.operations_module || is_operation(entry))
    {
        let name = entry.odata.clone().unwrap_or_else(|| entry.name.clone());
        return (Subject::Operation, name, Role::Operation, None);
    }
    let Some(owner) = owners.by_rust.get(top).or_else(|| owners.carriers.get(top)) else {
        return (Subject::EntityType, top.to_owned(), Role::Other, member);
    };
    let mut role = owner.role;
    let mut subject = owner.subject;
    if role == Role::Complex
        && surface
            .entries
            .get(top)
            .is_some_and(|e| e.doc.starts_with("Type definition"))
    {
        role = Role::Definition;
        subject = Subject::TypeDefinition;
    }
    match (role, entry.kind) {
        (Role::ReadModel, EntryKind::Field) if entry.doc.starts_with("Navigation") => {
            role = Role::Navigation;
        }
        (Role::ReadModel, EntryKind::Function) if entry.name == "key" => role = Role::Key,
        (Role::CreateModel, EntryKind::Function) if entry.name == "new" => {
            role = Role::CreateConstructor;
        }
        _ => {}
    }
    let member = match entry.kind {
        EntryKind::Field | EntryKind::Variant | EntryKind::Const => member,
        _ => None,
    };
    (subject, owner.name.clone(), role, member)
}

/// A function generated for an action or function (its doc names the operation first).
pub(crate) fn is_operation(entry: &Entry) -> bool {
    entry.doc.starts_with("Action `")
        || entry.doc.starts_with("Function `")
        || entry.doc.starts_with("Unbound ")
}

/// Whether `path` or an item it belongs to is missing from `other` (then the missing item is
/// reported alone, not each of its members).
fn ancestor_missing(entry: &Entry, this: &Surface, other: &Surface) -> bool {
    let mut parent = entry.parent.as_deref();
    let mut steps = 0;
    while let Some(p) = parent {
        if !other.entries.contains_key(p) {
            return true;
        }
        steps += 1;
        if steps > 16 {
            break;
        }
        parent = this.entries.get(p).and_then(|e| e.parent.as_deref());
    }
    false
}

/// Every difference between two surfaces.
pub(crate) fn compare(
    old: &Surface,
    old_owners: &Owners,
    new: &Surface,
    new_owners: &Owners,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for (path, o) in &old.entries {
        let (subject, name, role, member) = classify(path, o, old_owners, old);
        match new.entries.get(path) {
            None => {
                if ancestor_missing(o, old, new) && !is_operation(o) {
                    continue;
                }
                changes.push(Change {
                    subject,
                    name,
                    role,
                    member,
                    kind: ChangeKind::Removed {
                        item: path.clone(),
                        signature: o.signature.clone(),
                    },
                    breaking: true,
                });
            }
            Some(n) if n.signature != o.signature || n.kind != o.kind => {
                let (old_sig, new_sig) = if n.kind == o.kind {
                    (o.signature.clone(), n.signature.clone())
                } else {
                    (describe(o), describe(n))
                };
                changes.push(Change {
                    subject,
                    name,
                    role,
                    member,
                    kind: ChangeKind::Changed {
                        item: path.clone(),
                        old: old_sig,
                        new: new_sig,
                    },
                    breaking: true,
                });
            }
            Some(_) => {}
        }
    }
    for (path, n) in &new.entries {
        if old.entries.contains_key(path) || (ancestor_missing(n, new, old) && !is_operation(n)) {
            continue;
        }
        let (subject, name, role, member) = classify(path, n, new_owners, new);
        // A variant added to an enum that user code may match exhaustively breaks the match.
        let breaking = n.kind == EntryKind::Variant
            && n.parent
                .as_deref()
                .and_then(|p| new.entries.get(p))
                .is_some_and(|e| {
                    e.kind
                        == EntryKind::Enum {
                            non_exhaustive: false,
                        }
                });
        changes.push(Change {
            subject,
            name,
            role,
            member,
            kind: ChangeKind::Added {
                item: path.clone(),
                signature: n.signature.clone(),
            },
            breaking,
        });
    }
    changes
}

fn describe(entry: &Entry) -> String {
    let kind = match entry.kind {
        EntryKind::Struct => "struct",
        EntryKind::Enum {
            non_exhaustive: true,
        } => "non-exhaustive enum",
        EntryKind::Enum { .. } => "exhaustive enum",
        EntryKind::Module => "module",
        EntryKind::Trait => "trait",
        EntryKind::Field => "field",
        EntryKind::Variant => "variant",
        EntryKind::Function => "function",
        EntryKind::Const => "constant",
        EntryKind::TraitImpl => "trait implementation",
        EntryKind::Associated => "associated item",
    };
    if entry.signature.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} {}", entry.signature)
    }
}
