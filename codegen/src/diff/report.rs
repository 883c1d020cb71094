//! What a comparison found: one [`Change`] per difference of the generated code, and the
//! [`DiffReport`] that lists them.

use std::fmt;

/// What kind of element a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Subject {
    /// An entity set.
    EntitySet,
    /// A singleton.
    Singleton,
    /// An entity type (its read, key, create and update models and field handles).
    EntityType,
    /// A complex type.
    ComplexType,
    /// An enumeration type.
    EnumType,
    /// A type definition.
    TypeDefinition,
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
            Subject::TypeDefinition => "type definition",
            Subject::Operation => "operation",
        })
    }
}

/// The part of the generated code a change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// The read model (`CustomerV3`) or a field of it.
    ReadModel,
    /// A navigation field of the read model.
    Navigation,
    /// The key (`CustomerV3Key`), its fields or `new`.
    Key,
    /// The create model (`NewCustomerV3`) or a field of it.
    CreateModel,
    /// `New…::new`: its arguments are the properties required on create.
    CreateConstructor,
    /// The update model (`CustomerV3Patch`) or a field of it.
    UpdateModel,
    /// The field handle module (`customer_v3`) or a handle in it.
    Handles,
    /// The row type of a further entity set of an entity type.
    SetRow,
    /// An enumeration (or its flags set) or a member of it.
    Enum,
    /// A complex type or a field of it.
    Complex,
    /// A type definition.
    Definition,
    /// A generated function of an action or function.
    Operation,
    /// Anything else of the generated code (trait implementations, other functions).
    Other,
}

/// What changed about one generated item.
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
    /// A generated item appeared.
    Added {
        /// Its path (`CustomerV3.email`, `NewCustomerV3::new`, `CustomerType::Blocked`).
        item: String,
        /// Its signature (a field's type, a function's `fn name(args) -> ret`), or empty.
        signature: String,
    },
    /// A generated item disappeared.
    Removed {
        /// Its path.
        item: String,
        /// Its old signature, or empty.
        signature: String,
    },
    /// A generated item's signature changed (a field's type, a function's arguments or result,
    /// a constant's value).
    Changed {
        /// Its path.
        item: String,
        /// The old signature.
        old: String,
        /// The new signature.
        new: String,
    },
}

/// One difference between the bindings generated from the two documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What kind of element changed.
    pub subject: Subject,
    /// Its OData name: the set name, or the type's or operation's qualified name.
    pub name: String,
    /// The part of the generated code that changed.
    pub role: Role,
    /// The OData name of the member (property, navigation property, enum member, parameter
    /// holder) the changed item stands for, when it stands for one.
    pub member: Option<String>,
    /// What changed.
    pub kind: ChangeKind,
    /// Whether code written against the old bindings can stop compiling, or change meaning,
    /// against the new ones.
    pub breaking: bool,
}

impl Change {
    /// Whether code written against the old bindings can stop compiling, or change meaning,
    /// against the new ones.
    pub fn is_breaking(&self) -> bool {
        self.breaking
    }

    /// A property's field that lost or gained `Option`: `Some(true)` when the value may now be
    /// null, `Some(false)` when it no longer may.
    fn nullability(&self) -> Option<bool> {
        let ChangeKind::Changed { old, new, .. } = &self.kind else {
            return None;
        };
        let strip = |s: &str| {
            s.strip_prefix("Option<")
                .and_then(|s| s.strip_suffix('>'))
                .map(str::to_owned)
        };
        if strip(new).as_deref() == Some(old.as_str()) {
            Some(true)
        } else if strip(old).as_deref() == Some(new.as_str()) {
            Some(false)
        } else {
            None
        }
    }

    fn what(&self) -> String {
        let member = self.member.as_deref().unwrap_or("?");
        match self.role {
            Role::ReadModel | Role::Complex => format!("property `{member}`"),
            Role::Navigation => format!("navigation property `{member}`"),
            Role::Key => format!("key part `{member}`"),
            Role::CreateModel => format!("create field `{member}`"),
            Role::UpdateModel => format!("update field `{member}`"),
            Role::Handles => format!("field handle of `{member}`"),
            Role::Enum => format!("member `{member}`"),
            _ => format!("`{member}`"),
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // F&O puts every type in one namespace: the simple name reads better.
        let name = match self.subject {
            Subject::EntitySet | Subject::Singleton => &self.name,
            _ => crate::csdl::split_qualified(&self.name).1,
        };
        write!(f, "{} {name}: ", self.subject)?;
        let is_member = self.member.is_some();
        match &self.kind {
            ChangeKind::SetAdded => f.write_str("added"),
            ChangeKind::SetRemoved => f.write_str("removed"),
            ChangeKind::SetTypeChanged { old, new } => {
                write!(f, "entity type changed from `{old}` to `{new}`")
            }
            ChangeKind::Added { item, signature } => {
                let sig = sig_suffix(signature);
                match self.role {
                    Role::CreateConstructor => write!(
                        f,
                        "`{item}` added: the create model now has required properties \
                         (`{signature}`)"
                    ),
                    Role::Enum if is_member => write!(
                        f,
                        "{} added (`{item}`; the enum is `#[non_exhaustive]`, so a `match` \
                         outside the bindings' crate already has a `_` arm)",
                        self.what()
                    ),
                    _ if is_member => write!(f, "{} added (`{item}`{sig})", self.what()),
                    _ => write!(f, "`{item}` added{}", paren(signature)),
                }
            }
            ChangeKind::Removed { item, signature } => {
                let sig = sig_suffix(signature);
                match self.role {
                    Role::CreateConstructor => write!(
                        f,
                        "`{item}` removed: the create model has no required property left \
                         (was `{signature}`)"
                    ),
                    Role::CreateModel if is_member => write!(
                        f,
                        "{} can no longer be set on create (`{item}`{sig} removed)",
                        self.what()
                    ),
                    Role::UpdateModel if is_member => write!(
                        f,
                        "{} can no longer be changed by an update (`{item}`{sig} removed)",
                        self.what()
                    ),
                    _ if is_member => write!(f, "{} removed (`{item}`{sig})", self.what()),
                    _ => write!(f, "`{item}` removed{}", paren(signature)),
                }
            }
            ChangeKind::Changed { item, old, new } => match (self.role, self.nullability()) {
                (Role::CreateConstructor, _) => write!(
                    f,
                    "the properties required on create changed: `{old}` became `{new}`"
                ),
                (_, Some(true)) if is_member => write!(
                    f,
                    "{} may now be null (`{item}`: `{old}` became `{new}`)",
                    self.what()
                ),
                (_, Some(false)) if is_member => write!(
                    f,
                    "{} can no longer be null (`{item}`: `{old}` became `{new}`)",
                    self.what()
                ),
                _ if is_member => write!(
                    f,
                    "{} changed (`{item}`: `{old}` became `{new}`)",
                    self.what()
                ),
                _ => write!(f, "`{item}` changed: `{old}` became `{new}`"),
            },
        }
    }
}

fn sig_suffix(signature: &str) -> String {
    if signature.is_empty() || signature.starts_with("fn ") || signature.starts_with("async ") {
        String::new()
    } else {
        format!(": {signature}")
    }
}

fn paren(signature: &str) -> String {
    if signature.is_empty() {
        String::new()
    } else {
        format!(" (`{signature}`)")
    }
}

/// How much was compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compared {
    /// Entity sets and singletons.
    pub sets: usize,
    /// Generated types (read, key and write models, enums, complex types, type definitions).
    pub types: usize,
    /// Generated operation functions.
    pub operations: usize,
}

/// The differences between the bindings of two documents over a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffReport {
    /// The old document's name.
    pub old: String,
    /// The new document's name.
    pub new: String,
    /// Every difference found, breaking ones first, then by subject and name.
    pub changes: Vec<Change>,
    /// How much was compared (in the old bindings).
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
            "  {} entity sets/singletons, {} generated types, {} operation functions compared",
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
