//! Comparing two versions of a metadata document over a selection: what changed in the entity
//! sets, types, enums and operations the bindings use, and which changes break them.
//!
//! A change is **breaking** when bindings generated from the old document can fail against a
//! service that serves the new one: a removed entity set, property, navigation property, enum
//! member or operation; a changed key, property type or navigation target; a property that was
//! never null and now may be. Additions, and a property that may be null becoming one that is
//! not, are not breaking.
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

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use crate::csdl::{
    ComplexType, Document, EntityType, EnumType, NavigationProperty, Operation, OperationKind,
    Property,
};
use crate::select::{SelectError, Selection, UnknownName};
use crate::suggest;

/// What changed about one element.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeKind {
    /// An entity set or singleton appeared.
    SetAdded,
    /// An entity set or singleton disappeared.
    SetRemoved,
    /// An entity set or singleton now exposes another entity type.
    SetTypeChanged {
        /// Old entity type (qualified).
        old: String,
        /// New entity type (qualified).
        new: String,
    },
    /// A type used by the selection disappeared.
    TypeRemoved,
    /// The key's parts changed (names or order).
    KeyChanged {
        /// Old key parts.
        old: Vec<String>,
        /// New key parts.
        new: Vec<String>,
    },
    /// The base type changed.
    BaseTypeChanged {
        /// Old base type.
        old: Option<String>,
        /// New base type.
        new: Option<String>,
    },
    /// A structural property appeared.
    PropertyAdded {
        /// Property name.
        name: String,
        /// Its type.
        ty: String,
        /// Whether it may be null.
        nullable: bool,
    },
    /// A structural property disappeared.
    PropertyRemoved {
        /// Property name.
        name: String,
        /// Its old type.
        ty: String,
    },
    /// A structural property's type changed.
    PropertyTypeChanged {
        /// Property name.
        name: String,
        /// Old type.
        old: String,
        /// New type.
        new: String,
    },
    /// A structural property's `Nullable` changed.
    NullabilityChanged {
        /// Property name.
        name: String,
        /// Whether it may now be null.
        nullable: bool,
    },
    /// A navigation property appeared.
    NavigationAdded {
        /// Property name.
        name: String,
        /// Its target type.
        ty: String,
    },
    /// A navigation property disappeared.
    NavigationRemoved {
        /// Property name.
        name: String,
    },
    /// A navigation property leads to another type (or changed between single and collection).
    NavigationTargetChanged {
        /// Property name.
        name: String,
        /// Old target.
        old: String,
        /// New target.
        new: String,
    },
    /// An enumeration member appeared.
    EnumMemberAdded {
        /// Member name.
        name: String,
        /// Its value.
        value: i64,
    },
    /// An enumeration member disappeared.
    EnumMemberRemoved {
        /// Member name.
        name: String,
    },
    /// An enumeration member's numeric value changed (OData JSON sends member names).
    EnumMemberValueChanged {
        /// Member name.
        name: String,
        /// Old value.
        old: i64,
        /// New value.
        new: i64,
    },
    /// `IsFlags` changed.
    EnumFlagsChanged {
        /// The new `IsFlags`.
        is_flags: bool,
    },
    /// An operation (all its overloads) appeared.
    OperationAdded,
    /// An operation (all its overloads) disappeared.
    OperationRemoved,
    /// An overload with this signature appeared.
    OverloadAdded {
        /// The signature (`(Param: Type, ...) -> Type`).
        signature: String,
    },
    /// An overload with this signature disappeared (or its parameters or return type changed).
    OverloadRemoved {
        /// The signature.
        signature: String,
    },
}

impl ChangeKind {
    /// Whether bindings generated from the old document can fail against the new service.
    pub fn is_breaking(&self) -> bool {
        match self {
            ChangeKind::SetAdded
            | ChangeKind::BaseTypeChanged { .. }
            | ChangeKind::PropertyAdded { .. }
            | ChangeKind::NavigationAdded { .. }
            | ChangeKind::EnumMemberAdded { .. }
            | ChangeKind::EnumMemberValueChanged { .. }
            | ChangeKind::OperationAdded
            | ChangeKind::OverloadAdded { .. } => false,
            ChangeKind::NullabilityChanged { nullable, .. } => *nullable,
            ChangeKind::SetRemoved
            | ChangeKind::SetTypeChanged { .. }
            | ChangeKind::TypeRemoved
            | ChangeKind::KeyChanged { .. }
            | ChangeKind::PropertyRemoved { .. }
            | ChangeKind::PropertyTypeChanged { .. }
            | ChangeKind::NavigationRemoved { .. }
            | ChangeKind::NavigationTargetChanged { .. }
            | ChangeKind::EnumMemberRemoved { .. }
            | ChangeKind::EnumFlagsChanged { .. }
            | ChangeKind::OperationRemoved
            | ChangeKind::OverloadRemoved { .. } => true,
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeKind::SetAdded => f.write_str("added"),
            ChangeKind::SetRemoved => f.write_str("removed"),
            ChangeKind::SetTypeChanged { old, new } => {
                write!(f, "entity type changed from `{old}` to `{new}`")
            }
            ChangeKind::TypeRemoved => f.write_str("removed"),
            ChangeKind::KeyChanged { old, new } => write!(
                f,
                "key changed from ({}) to ({})",
                old.join(", "),
                new.join(", ")
            ),
            ChangeKind::BaseTypeChanged { old, new } => write!(
                f,
                "base type changed from {} to {}",
                old.as_deref().map_or("none".into(), |t| format!("`{t}`")),
                new.as_deref().map_or("none".into(), |t| format!("`{t}`"))
            ),
            ChangeKind::PropertyAdded { name, ty, nullable } => {
                write!(f, "property `{name}` added ({ty}, ")?;
                if *nullable {
                    f.write_str("nullable)")
                } else {
                    f.write_str("not nullable; creates that leave it unset may be refused)")
                }
            }
            ChangeKind::PropertyRemoved { name, ty } => {
                write!(f, "property `{name}` removed (was {ty})")
            }
            ChangeKind::PropertyTypeChanged { name, old, new } => {
                write!(f, "property `{name}` changed type from {old} to {new}")
            }
            ChangeKind::NullabilityChanged { name, nullable } => {
                if *nullable {
                    write!(
                        f,
                        "property `{name}` is now nullable (bindings expect a value; the service may send null)"
                    )
                } else {
                    write!(f, "property `{name}` is no longer nullable")
                }
            }
            ChangeKind::NavigationAdded { name, ty } => {
                write!(f, "navigation property `{name}` added ({ty})")
            }
            ChangeKind::NavigationRemoved { name } => {
                write!(f, "navigation property `{name}` removed")
            }
            ChangeKind::NavigationTargetChanged { name, old, new } => {
                write!(
                    f,
                    "navigation property `{name}` changed target from {old} to {new}"
                )
            }
            ChangeKind::EnumMemberAdded { name, value } => {
                write!(f, "member `{name}` = {value} added")
            }
            ChangeKind::EnumMemberRemoved { name } => write!(f, "member `{name}` removed"),
            ChangeKind::EnumMemberValueChanged { name, old, new } => {
                write!(f, "member `{name}` changed value from {old} to {new}")
            }
            ChangeKind::EnumFlagsChanged { is_flags } => {
                if *is_flags {
                    f.write_str("became a flags enumeration")
                } else {
                    f.write_str("is no longer a flags enumeration")
                }
            }
            ChangeKind::OperationAdded => f.write_str("added"),
            ChangeKind::OperationRemoved => f.write_str("removed"),
            ChangeKind::OverloadAdded { signature } => {
                write!(f, "overload {signature} added")
            }
            ChangeKind::OverloadRemoved { signature } => {
                write!(f, "overload {signature} removed or changed")
            }
        }
    }
}

/// What kind of element a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// An entity set.
    EntitySet,
    /// A singleton.
    Singleton,
    /// An entity type.
    EntityType,
    /// A complex type.
    ComplexType,
    /// An enumeration type.
    EnumType,
    /// An action or function.
    Operation,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Subject::EntitySet => "entity set",
            Subject::Singleton => "singleton",
            Subject::EntityType => "entity type",
            Subject::ComplexType => "complex type",
            Subject::EnumType => "enum type",
            Subject::Operation => "operation",
        })
    }
}

/// One difference between the documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What kind of element changed.
    pub subject: Subject,
    /// Its name: the set name, or the type's or operation's qualified name.
    pub name: String,
    /// What changed.
    pub kind: ChangeKind,
}

impl Change {
    /// Whether bindings generated from the old document can fail against the new service.
    pub fn is_breaking(&self) -> bool {
        self.kind.is_breaking()
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // F&O puts every type in one namespace: the simple name reads better.
        let name = match self.subject {
            Subject::EntitySet | Subject::Singleton => &self.name,
            _ => crate::csdl::split_qualified(&self.name).1,
        };
        write!(f, "{} {name}: {}", self.subject, self.kind)
    }
}

/// How much was compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compared {
    /// Entity sets and singletons.
    pub sets: usize,
    /// Entity, complex and enumeration types.
    pub types: usize,
    /// Operations (by qualified name).
    pub operations: usize,
}

/// The differences between two documents over a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffReport {
    /// The old document's name.
    pub old: String,
    /// The new document's name.
    pub new: String,
    /// Every difference found, breaking ones first, then by subject and name.
    pub changes: Vec<Change>,
    /// How much was compared.
    pub compared: Compared,
}

impl DiffReport {
    /// `true` when at least one change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(Change::is_breaking)
    }

    /// The breaking changes.
    pub fn breaking(&self) -> impl Iterator<Item = &Change> + '_ {
        self.changes.iter().filter(|c| c.is_breaking())
    }

    /// The changes that are not breaking.
    pub fn non_breaking(&self) -> impl Iterator<Item = &Change> + '_ {
        self.changes.iter().filter(|c| !c.is_breaking())
    }
}

/// A readable report: a summary line, then breaking and other changes, one per line.
impl fmt::Display for DiffReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Comparing {} -> {}", self.old, self.new)?;
        writeln!(
            f,
            "  {} entity sets/singletons, {} types, {} operations compared",
            self.compared.sets, self.compared.types, self.compared.operations
        )?;
        let breaking: Vec<&Change> = self.breaking().collect();
        let other: Vec<&Change> = self.non_breaking().collect();
        if !breaking.is_empty() {
            writeln!(f, "\nBreaking changes ({}):", breaking.len())?;
            for change in &breaking {
                writeln!(f, "  BREAKING  {change}")?;
            }
        }
        if !other.is_empty() {
            writeln!(f, "\nOther changes ({}):", other.len())?;
            for change in &other {
                writeln!(f, "  change    {change}")?;
            }
        }
        writeln!(f)?;
        match (breaking.len(), other.len()) {
            (0, 0) => writeln!(f, "No changes."),
            (0, n) => writeln!(f, "No breaking changes ({n} other)."),
            (b, n) => writeln!(f, "{b} breaking change(s), {n} other."),
        }
    }
}

/// Why two documents could not be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiffError {
    /// Names in the scope that neither document has.
    #[error("{0}")]
    Select(#[from] SelectError),
}

/// Compares `old` and `new` over `scope`: the entity sets, singletons and operations it names,
/// or every entity set and singleton when it names nothing or selects every entity set.
///
/// Entity sets, singletons and operations named in the scope may be missing from one of the
/// documents (they are then reported as added or removed), not from both.
///
/// # Errors
/// [`DiffError::Select`] listing every name found in neither document, with the closest name.
pub fn diff(old: &Document, new: &Document, scope: &Selection) -> Result<DiffReport, DiffError> {
    let mut differ = Differ {
        old,
        new,
        changes: Vec::new(),
        compared_types: HashSet::new(),
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
    let mut type_pairs: Vec<(String, String)> = Vec::new();
    for name in &set_names {
        let (o, n) = (old.entity_set(name), new.entity_set(name));
        match (o, n) {
            (None, None) => unknown.push(unknown_name(
                "entity set",
                name,
                old.entity_sets().chain(new.entity_sets()).map(|s| &*s.name),
            )),
            (Some(_), None) => differ.push(Subject::EntitySet, name, ChangeKind::SetRemoved),
            (None, Some(_)) => differ.push(Subject::EntitySet, name, ChangeKind::SetAdded),
            (Some(o), Some(n)) => {
                if o.entity_type != n.entity_type {
                    differ.push(
                        Subject::EntitySet,
                        name,
                        ChangeKind::SetTypeChanged {
                            old: o.entity_type.to_string(),
                            new: n.entity_type.to_string(),
                        },
                    );
                    type_pairs.push((o.entity_type.to_string(), n.entity_type.to_string()));
                }
            }
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
            (Some(_), None) => differ.push(Subject::Singleton, name, ChangeKind::SetRemoved),
            (None, Some(_)) => differ.push(Subject::Singleton, name, ChangeKind::SetAdded),
            (Some(o), Some(n)) => {
                if o.entity_type != n.entity_type {
                    differ.push(
                        Subject::Singleton,
                        name,
                        ChangeKind::SetTypeChanged {
                            old: o.entity_type.to_string(),
                            new: n.entity_type.to_string(),
                        },
                    );
                    type_pairs.push((o.entity_type.to_string(), n.entity_type.to_string()));
                }
            }
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
                }
                if in_new.is_ok() {
                    new_selection = new_selection.operations([name.as_str()]);
                }
            }
        }
    }
    if !unknown.is_empty() {
        return Err(DiffError::Select(SelectError::UnknownNames(unknown)));
    }

    let old_closure = old_selection.resolve(old)?;
    let new_closure = new_selection.resolve(new)?;

    for (o, n) in &type_pairs {
        if let (Some(o), Some(n)) = (old.entity_type(o), new.entity_type(n)) {
            differ.entity_types(o, n);
        }
    }
    for ty in &old_closure.entity_types {
        match new.entity_type(&ty.qualified_name) {
            Some(n) => differ.entity_types(ty, n),
            None => differ.removed(Subject::EntityType, &ty.qualified_name),
        }
    }
    for ty in &old_closure.complex_types {
        match new.complex_type(&ty.qualified_name) {
            Some(n) => differ.complex_types(ty, n),
            None => differ.removed(Subject::ComplexType, &ty.qualified_name),
        }
    }
    for ty in &old_closure.enum_types {
        match new.enum_type(&ty.qualified_name) {
            Some(n) => differ.enum_types(ty, n),
            None => differ.removed(Subject::EnumType, &ty.qualified_name),
        }
    }
    let operations = differ.operations(&old_closure.operations, &new_closure.operations);

    let mut changes = differ.changes;
    changes.sort_by(|a, b| {
        (!a.is_breaking(), a.subject, &a.name).cmp(&(!b.is_breaking(), b.subject, &b.name))
    });
    Ok(DiffReport {
        old: old.source_name().to_owned(),
        new: new.source_name().to_owned(),
        changes,
        compared: Compared {
            sets: set_names.len() + singleton_names.len(),
            types: differ.compared_types.len(),
            operations,
        },
    })
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

struct Differ<'a> {
    old: &'a Document,
    new: &'a Document,
    changes: Vec<Change>,
    /// Qualified names of types already compared (old side).
    compared_types: HashSet<String>,
}

impl Differ<'_> {
    fn push(&mut self, subject: Subject, name: &str, kind: ChangeKind) {
        self.changes.push(Change {
            subject,
            name: name.to_owned(),
            kind,
        });
    }

    fn removed(&mut self, subject: Subject, name: &str) {
        if self.compared_types.insert(name.to_owned()) {
            self.push(subject, name, ChangeKind::TypeRemoved);
        }
    }

    fn entity_types(&mut self, old: &EntityType, new: &EntityType) {
        if !self.compared_types.insert(old.qualified_name.to_string()) {
            return;
        }
        let subject = Subject::EntityType;
        let name = &old.qualified_name;
        let key = |doc: &Document, t: &EntityType| -> Vec<String> {
            doc.effective_key(t)
                .map(|k| k.properties.iter().map(|p| p.name.to_string()).collect())
                .unwrap_or_default()
        };
        let (old_key, new_key) = (key(self.old, old), key(self.new, new));
        if old_key != new_key {
            self.push(
                subject,
                name,
                ChangeKind::KeyChanged {
                    old: old_key,
                    new: new_key,
                },
            );
        }
        if old.base_type != new.base_type {
            self.push(
                subject,
                name,
                ChangeKind::BaseTypeChanged {
                    old: old.base_type.as_deref().map(str::to_owned),
                    new: new.base_type.as_deref().map(str::to_owned),
                },
            );
        }
        let properties = (self.old.all_properties(old), self.new.all_properties(new));
        self.properties(subject, name, &properties.0, &properties.1);
        let navigation = (
            self.old.all_navigation_properties(old),
            self.new.all_navigation_properties(new),
        );
        self.navigation(subject, name, &navigation.0, &navigation.1);
    }

    fn complex_types(&mut self, old: &ComplexType, new: &ComplexType) {
        if !self.compared_types.insert(old.qualified_name.to_string()) {
            return;
        }
        let subject = Subject::ComplexType;
        let name = &old.qualified_name;
        if old.base_type != new.base_type {
            self.push(
                subject,
                name,
                ChangeKind::BaseTypeChanged {
                    old: old.base_type.as_deref().map(str::to_owned),
                    new: new.base_type.as_deref().map(str::to_owned),
                },
            );
        }
        let properties = (
            self.old.all_complex_properties(old),
            self.new.all_complex_properties(new),
        );
        self.properties(subject, name, &properties.0, &properties.1);
        let old_nav: Vec<&NavigationProperty> = old.navigation_properties.iter().collect();
        let new_nav: Vec<&NavigationProperty> = new.navigation_properties.iter().collect();
        self.navigation(subject, name, &old_nav, &new_nav);
    }

    fn properties(&mut self, subject: Subject, owner: &str, old: &[&Property], new: &[&Property]) {
        fn find<'p>(list: &[&'p Property], name: &str) -> Option<&'p Property> {
            list.iter().find(|p| *p.name == *name).copied()
        }
        for o in old {
            let Some(n) = find(new, &o.name) else {
                self.push(
                    subject,
                    owner,
                    ChangeKind::PropertyRemoved {
                        name: o.name.to_string(),
                        ty: o.ty.to_string(),
                    },
                );
                continue;
            };
            if o.ty != n.ty {
                self.push(
                    subject,
                    owner,
                    ChangeKind::PropertyTypeChanged {
                        name: o.name.to_string(),
                        old: o.ty.to_string(),
                        new: n.ty.to_string(),
                    },
                );
            }
            if o.nullable != n.nullable {
                self.push(
                    subject,
                    owner,
                    ChangeKind::NullabilityChanged {
                        name: o.name.to_string(),
                        nullable: n.nullable,
                    },
                );
            }
        }
        for n in new {
            if find(old, &n.name).is_none() {
                self.push(
                    subject,
                    owner,
                    ChangeKind::PropertyAdded {
                        name: n.name.to_string(),
                        ty: n.ty.to_string(),
                        nullable: n.nullable,
                    },
                );
            }
        }
    }

    fn navigation(
        &mut self,
        subject: Subject,
        owner: &str,
        old: &[&NavigationProperty],
        new: &[&NavigationProperty],
    ) {
        fn find<'p>(list: &[&'p NavigationProperty], name: &str) -> Option<&'p NavigationProperty> {
            list.iter().find(|p| *p.name == *name).copied()
        }
        for o in old {
            match find(new, &o.name) {
                None => self.push(
                    subject,
                    owner,
                    ChangeKind::NavigationRemoved {
                        name: o.name.to_string(),
                    },
                ),
                Some(n) if n.ty != o.ty => self.push(
                    subject,
                    owner,
                    ChangeKind::NavigationTargetChanged {
                        name: o.name.to_string(),
                        old: o.ty.to_string(),
                        new: n.ty.to_string(),
                    },
                ),
                Some(_) => {}
            }
        }
        for n in new {
            if find(old, &n.name).is_none() {
                self.push(
                    subject,
                    owner,
                    ChangeKind::NavigationAdded {
                        name: n.name.to_string(),
                        ty: n.ty.to_string(),
                    },
                );
            }
        }
    }

    fn enum_types(&mut self, old: &EnumType, new: &EnumType) {
        if !self.compared_types.insert(old.qualified_name.to_string()) {
            return;
        }
        let subject = Subject::EnumType;
        let name = &old.qualified_name;
        if old.is_flags != new.is_flags {
            self.push(
                subject,
                name,
                ChangeKind::EnumFlagsChanged {
                    is_flags: new.is_flags,
                },
            );
        }
        for o in &old.members {
            match new.member(&o.name) {
                None => self.push(
                    subject,
                    name,
                    ChangeKind::EnumMemberRemoved {
                        name: o.name.to_string(),
                    },
                ),
                Some(n) if n.value != o.value => self.push(
                    subject,
                    name,
                    ChangeKind::EnumMemberValueChanged {
                        name: o.name.to_string(),
                        old: o.value,
                        new: n.value,
                    },
                ),
                Some(_) => {}
            }
        }
        for n in &new.members {
            if old.member(&n.name).is_none() {
                self.push(
                    subject,
                    name,
                    ChangeKind::EnumMemberAdded {
                        name: n.name.to_string(),
                        value: n.value,
                    },
                );
            }
        }
    }

    /// Compares operations by qualified name and overload signature; returns how many names
    /// were compared.
    fn operations(&mut self, old: &[&Operation], new: &[&Operation]) -> usize {
        let group = |ops: &[&Operation]| -> BTreeMap<String, BTreeSet<String>> {
            let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for op in ops {
                map.entry(op.qualified_name.to_string())
                    .or_default()
                    .insert(signature(op));
            }
            map
        };
        let (old, mut new) = (group(old), group(new));
        // Operations only the new closure reached, or only the old one, are looked up in the
        // other document directly (a selection may reach an operation through a type that
        // changed).
        let mut compared = 0;
        for (name, old_signatures) in &old {
            compared += 1;
            let new_signatures = new.remove(name).unwrap_or_else(|| {
                self.new
                    .operations(name)
                    .map(signature)
                    .collect::<BTreeSet<_>>()
            });
            if new_signatures.is_empty() {
                self.push(Subject::Operation, name, ChangeKind::OperationRemoved);
                continue;
            }
            for s in old_signatures.difference(&new_signatures) {
                self.push(
                    Subject::Operation,
                    name,
                    ChangeKind::OverloadRemoved {
                        signature: s.clone(),
                    },
                );
            }
            for s in new_signatures.difference(old_signatures) {
                self.push(
                    Subject::Operation,
                    name,
                    ChangeKind::OverloadAdded {
                        signature: s.clone(),
                    },
                );
            }
        }
        for name in new.keys() {
            compared += 1;
            if self.old.operations(name).next().is_none() {
                self.push(Subject::Operation, name, ChangeKind::OperationAdded);
            }
        }
        compared
    }
}

/// `action (param: Type, other: Type?) -> Type`: kind, parameters (`?` marks nullable ones) and
/// return type.
fn signature(op: &Operation) -> String {
    let kind = match op.kind {
        OperationKind::Action => "action",
        OperationKind::Function => "function",
    };
    let parameters: Vec<String> = op
        .parameters
        .iter()
        .map(|p| format!("{}: {}{}", p.name, p.ty, if p.nullable { "?" } else { "" }))
        .collect();
    let returns = op
        .return_type
        .as_ref()
        .map(|r| format!(" -> {}", r.ty))
        .unwrap_or_default();
    format!("{kind} ({}){returns}", parameters.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(properties: &str, members: &str) -> Document {
        let xml = format!(
            r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Ns" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EnumType Name="Kind">{members}</EnumType>
      <EntityType Name="T">
        <Key><PropertyRef Name="Id"/></Key>
        <Property Name="Id" Type="Edm.String" Nullable="false"/>
        <Property Name="K" Type="Ns.Kind"/>
        {properties}
      </EntityType>
      <EntityContainer Name="C"><EntitySet Name="Ts" EntityType="Ns.T"/></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#
        );
        Document::parse(xml.as_bytes(), "doc.xml").unwrap()
    }

    #[test]
    fn a_value_that_may_now_be_null_breaks_bindings_the_reverse_does_not() {
        let required = doc(
            r#"<Property Name="P" Type="Edm.Int32" Nullable="false"/>"#,
            "",
        );
        let optional = doc(r#"<Property Name="P" Type="Edm.Int32"/>"#, "");
        let loosened = diff(&required, &optional, &Selection::new()).unwrap();
        assert!(loosened.is_breaking(), "{loosened}");
        let tightened = diff(&optional, &required, &Selection::new()).unwrap();
        assert!(!tightened.is_breaking(), "{tightened}");
        assert_eq!(tightened.changes.len(), 1);
    }

    #[test]
    fn enum_member_value_changes_are_reported_but_not_breaking() {
        let old = doc(
            "",
            r#"<Member Name="A" Value="0"/><Member Name="B" Value="1"/>"#,
        );
        let new = doc(
            "",
            r#"<Member Name="A" Value="0"/><Member Name="B" Value="5"/>"#,
        );
        let report = diff(&old, &new, &Selection::new()).unwrap();
        assert!(!report.is_breaking(), "{report}");
        assert_eq!(
            report.changes[0].to_string(),
            "enum type Kind: member `B` changed value from 1 to 5"
        );
    }

    #[test]
    fn a_removed_entity_set_is_breaking_and_an_added_one_is_not() {
        let old = doc("", "");
        let xml = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices><Schema Namespace="Ns" xmlns="http://docs.oasis-open.org/odata/ns/edm">
    <EntityContainer Name="C"/></Schema></edmx:DataServices></edmx:Edmx>"#;
        let empty = Document::parse(xml.as_bytes(), "empty.xml").unwrap();
        let removed = diff(&old, &empty, &Selection::new().entity_sets(["Ts"])).unwrap();
        assert!(removed.is_breaking(), "{removed}");
        assert!(
            removed.to_string().contains("entity set Ts: removed"),
            "{removed}"
        );
        let added = diff(&empty, &old, &Selection::new().entity_sets(["Ts"])).unwrap();
        assert!(!added.is_breaking(), "{added}");
    }
}
