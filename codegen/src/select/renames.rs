//! Renames (`Generator::rename_type`, `--rename`, `[renames]`): OData type name → Rust type
//! name, checked against the document and the types a selection generates.

use std::collections::{BTreeMap, HashSet};

use super::Closure;
use super::problems::{RenameProblem, SelectError};
use crate::csdl::{Document, SchemaType, split_qualified};
use crate::suggest;

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "union",
];

/// Whether `name` can name a generated Rust type: an ASCII identifier (letters, digits, `_`,
/// not starting with a digit, not `_` alone) that is not a Rust keyword.
pub fn is_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !RUST_KEYWORDS.contains(&name)
}

/// How the generator compares type names: ignoring ASCII case and `_` (so `Sales_Order` and
/// `SalesOrder` meet).
fn normal(name: &str) -> String {
    name.chars()
        .filter(|&c| c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The names a generated type claims: its own and those derived from it.
fn claimed(ty: SchemaType<'_>, name: &str) -> Vec<String> {
    match ty {
        SchemaType::Entity(_) => vec![
            normal(name),
            normal(&format!("{name}Key")),
            normal(&format!("New{name}")),
            normal(&format!("{name}Patch")),
        ],
        SchemaType::Enum(e) if e.is_flags => vec![normal(name), normal(&format!("{name}Flags"))],
        _ => vec![normal(name)],
    }
}

/// Checks renames (OData type name, qualified or simple → Rust type name) against the document
/// and the types a selection generates: each new name must be a Rust type name, each old name
/// must name exactly one type, and a renamed type must not collide with another generated type.
///
/// # Errors
/// [`SelectError::InvalidRenames`] listing every problem.
pub fn check_renames(
    doc: &Document,
    closure: &Closure<'_>,
    renames: &BTreeMap<String, String>,
) -> Result<(), SelectError> {
    let mut problems = Vec::new();
    let all_types = || {
        doc.entity_types()
            .map(SchemaType::Entity)
            .chain(doc.complex_types().map(SchemaType::Complex))
            .chain(doc.enum_types().map(SchemaType::Enum))
            .chain(
                doc.schemas()
                    .iter()
                    .flat_map(|s| &s.type_definitions)
                    .map(SchemaType::TypeDefinition),
            )
    };
    for (from, to) in renames {
        if !is_type_name(to) {
            problems.push(RenameProblem::NotATypeName {
                from: from.clone(),
                to: to.clone(),
            });
        }
        if doc.find_type(from).is_some() {
            continue;
        }
        let matches: Vec<&str> = all_types()
            .map(|t| t.qualified_name())
            .filter(|q| split_qualified(q).1 == from)
            .collect();
        match matches.len() {
            0 => problems.push(RenameProblem::UnknownType {
                from: from.clone(),
                suggestion: suggest::closest(
                    from,
                    all_types().flat_map(|t| {
                        let q = t.qualified_name();
                        [q, split_qualified(q).1]
                    }),
                )
                .map(str::to_owned),
            }),
            1 => {}
            _ => problems.push(RenameProblem::Ambiguous {
                from: from.clone(),
                candidates: matches.iter().map(|m| (*m).to_owned()).collect(),
            }),
        }
    }

    // The names each generated type gets, as the generator chooses them (a rename by
    // qualified name wins over one by simple name).
    let generated: Vec<(SchemaType<'_>, Option<&String>, String)> = closure
        .entity_types
        .iter()
        .map(|t| SchemaType::Entity(t))
        .chain(closure.complex_types.iter().map(|t| SchemaType::Complex(t)))
        .chain(closure.enum_types.iter().map(|t| SchemaType::Enum(t)))
        .chain(
            closure
                .type_definitions
                .iter()
                .map(|t| SchemaType::TypeDefinition(t)),
        )
        .map(|t| {
            let qualified = t.qualified_name();
            let key = renames
                .get_key_value(qualified)
                .or_else(|| renames.get_key_value(split_qualified(qualified).1));
            match key {
                Some((from, to)) => (t, Some(from), to.clone()),
                None => (t, None, split_qualified(qualified).1.to_owned()),
            }
        })
        .collect();
    let mut reported: HashSet<(&str, &str)> = HashSet::new();
    for (i, (ty, from, name)) in generated.iter().enumerate() {
        let Some(from) = from else { continue };
        if !is_type_name(name) {
            continue;
        }
        let mine = claimed(*ty, name);
        for (j, (other, _, other_name)) in generated.iter().enumerate() {
            if i == j {
                continue;
            }
            let theirs = claimed(*other, other_name);
            if mine.iter().any(|n| theirs.contains(n))
                && reported.insert((ty.qualified_name(), other.qualified_name()))
                && !reported.contains(&(other.qualified_name(), ty.qualified_name()))
            {
                problems.push(RenameProblem::Collision {
                    from: (*from).clone(),
                    to: name.clone(),
                    other: other.qualified_name().to_owned(),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SelectError::InvalidRenames(problems))
    }
}
