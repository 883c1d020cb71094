//! What can stop a selection: names that match nothing, types the document lacks, renames that
//! cannot be applied.

use std::fmt;

use crate::csdl::{Document, split_qualified};

/// A selected name that matches nothing in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What was looked for (`entity set`, `singleton`, `operation`).
    pub kind: &'static str,
    /// The name given.
    pub name: String,
    /// The closest existing name, if one is close.
    pub suggestion: Option<String>,
    /// Extra guidance (an entity type name given where a set name was expected).
    pub note: Option<String>,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`", self.kind, self.name)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        if let Some(note) = &self.note {
            write!(f, "; {note}")?;
        }
        Ok(())
    }
}

/// A type the selection needs that the document does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingType {
    /// The type's qualified name.
    pub name: String,
    /// The `Uri` of the `edmx:Reference` that includes its namespace, if one does.
    pub reference: Option<String>,
}

impl fmt::Display for MissingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let namespace = split_qualified(&self.name).0;
        match &self.reference {
            Some(uri) => write!(
                f,
                "type `{}` is needed, but its namespace `{namespace}` comes from the referenced \
                 document `{uri}`, which was not loaded (put it next to the metadata or give its \
                 folder with --reference-dir)",
                self.name
            ),
            None if namespace.starts_with("Org.OData.") => write!(
                f,
                "type `{}` is needed, but the standard vocabulary `{namespace}` is not loaded \
                 (give the folder holding `{namespace}.xml` with --reference-dir)",
                self.name
            ),
            None => write!(
                f,
                "type `{}` is needed, but the document does not declare it",
                self.name
            ),
        }
    }
}

pub(super) fn missing_type(doc: &Document, name: &str) -> MissingType {
    let namespace = split_qualified(name).0;
    let reference = doc
        .references()
        .iter()
        .find(|r| r.includes.iter().any(|i| &*i.namespace == namespace))
        .map(|r| r.uri.to_string());
    MissingType {
        name: name.to_owned(),
        reference,
    }
}

/// A `rename_type` / `--rename` / `[renames]` entry that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RenameProblem {
    /// The new name is not a Rust type name (an ASCII identifier that is not a keyword).
    NotATypeName {
        /// The type renamed.
        from: String,
        /// The name given.
        to: String,
    },
    /// No type of the document has this name.
    UnknownType {
        /// The name given.
        from: String,
        /// The closest type name, if one is close.
        suggestion: Option<String>,
    },
    /// The simple name names types in several namespaces.
    Ambiguous {
        /// The name given.
        from: String,
        /// The qualified names it matches.
        candidates: Vec<String>,
    },
    /// The new name is taken by another generated type (compared ignoring case, as the
    /// generator compares type names).
    Collision {
        /// The type renamed.
        from: String,
        /// The name given.
        to: String,
        /// The other type (qualified) that has or gets this name.
        other: String,
    },
}

impl fmt::Display for RenameProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameProblem::NotATypeName { from, to } => write!(
                f,
                "rename `{from}` = `{to}`: `{to}` is not a Rust type name (use ASCII letters, \
                 digits and `_`, not starting with a digit, and not a keyword)"
            ),
            RenameProblem::UnknownType { from, suggestion } => {
                write!(f, "rename `{from}`: no type of the document has this name")?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean `{s}`?)")?;
                }
                Ok(())
            }
            RenameProblem::Ambiguous { from, candidates } => write!(
                f,
                "rename `{from}`: the name is ambiguous (`{}`); use the qualified name",
                candidates.join("`, `")
            ),
            RenameProblem::Collision { from, to, other } => write!(
                f,
                "rename `{from}` = `{to}`: the name collides with the type generated for \
                 `{other}`"
            ),
        }
    }
}

/// Why a selection could not be resolved. `Debug` prints the same message as `Display` (every
/// name with its suggestion), so a build script returning it shows the message.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum SelectError {
    /// Names that match nothing (all of them, not just the first).
    #[error("{}", join(.0))]
    UnknownNames(Vec<UnknownName>),
    /// Types the selection needs that the document does not hold (all of them).
    #[error("{}", join(.0))]
    MissingTypes(Vec<MissingType>),
    /// Renames that cannot be applied (all of them).
    #[error("{}", join(.0))]
    InvalidRenames(Vec<RenameProblem>),
}

impl fmt::Debug for SelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
