//! Selection: from the entity sets, singletons and operations a user names, compute everything
//! the generated code needs (entity types and their base types, complex types, enums, type
//! definitions, operation parameter and return types) and report what is left out.
//!
//! ```no_run
//! use d365fo_odata_codegen::{csdl::Document, select::Selection};
//!
//! let doc = Document::from_path("metadata/fno.xml")?;
//! let closure = Selection::new()
//!     .entity_sets(["CustomersV3", "SalesOrderHeadersV2"])
//!     .resolve(&doc)?;
//! for ty in &closure.entity_types {
//!     println!("{}", ty.qualified_name);
//! }
//! for link in closure.unselected_navigation() {
//!     println!("{}.{} leads outside the selection", link.source.name, link.property.name);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::fmt;

use crate::csdl::{
    BindingTarget, ComplexType, Document, EntitySet, EntityType, EnumType, NavigationProperty,
    Operation, OperationImport, SchemaType, Singleton, TypeDefinition, TypeRef, split_qualified,
};
use crate::suggest;

/// What to generate bindings for. Names are case-sensitive, as in F&O URLs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    entity_sets: Vec<String>,
    singletons: Vec<String>,
    operations: Vec<String>,
    include_bound_operations: bool,
}

impl Default for Selection {
    fn default() -> Self {
        Selection::new()
    }
}

impl Selection {
    /// An empty selection that includes the operations bound to selected entity types.
    pub fn new() -> Self {
        Selection {
            entity_sets: Vec::new(),
            singletons: Vec::new(),
            operations: Vec::new(),
            include_bound_operations: true,
        }
    }

    /// Adds entity sets by name (`CustomersV3`, not the entity type `CustomerV3`).
    pub fn entity_sets<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.entity_sets.extend(names.into_iter().map(Into::into));
        self
    }

    /// Adds singletons by name.
    pub fn singletons<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.singletons.extend(names.into_iter().map(Into::into));
        self
    }

    /// Adds operations: an action/function import name (`ResetDataSource`), a qualified
    /// operation name (`Ns.ShareTrip`) or an unambiguous simple operation name.
    pub fn operations<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.operations.extend(names.into_iter().map(Into::into));
        self
    }

    /// Whether operations bound to selected entity types are selected too (default `true`).
    pub fn include_bound_operations(mut self, include: bool) -> Self {
        self.include_bound_operations = include;
        self
    }

    /// This selection followed by the names of `more`, in order.
    pub(crate) fn and(mut self, more: &Selection) -> Self {
        self.entity_sets.extend_from_slice(&more.entity_sets);
        self.singletons.extend_from_slice(&more.singletons);
        self.operations.extend_from_slice(&more.operations);
        self
    }

    /// The entity set names, in the order given.
    pub(crate) fn entity_set_names(&self) -> &[String] {
        &self.entity_sets
    }

    /// The singleton names, in the order given.
    pub(crate) fn singleton_names(&self) -> &[String] {
        &self.singletons
    }

    /// The operation names, in the order given.
    pub(crate) fn operation_names(&self) -> &[String] {
        &self.operations
    }

    /// `true` when no name was given.
    pub(crate) fn names_nothing(&self) -> bool {
        self.entity_sets.is_empty() && self.singletons.is_empty() && self.operations.is_empty()
    }

    /// Computes the closure of the selection over `doc`.
    ///
    /// # Errors
    /// [`SelectError::UnknownNames`] listing every name that matches nothing, each with the
    /// closest existing name when one is close; [`SelectError::MissingTypes`] when the
    /// selection needs types the document does not hold (those of a referenced document that
    /// was not found), naming each type and the reference.
    pub fn resolve<'a>(&self, doc: &'a Document) -> Result<Closure<'a>, SelectError> {
        let mut unknown = Vec::new();
        let mut closure = Closure::default();

        for name in &self.entity_sets {
            match doc.entity_set(name) {
                Some(set) => push_unique(&mut closure.entity_sets, set),
                None => unknown.push(unknown_entity_set(doc, name)),
            }
        }
        for name in &self.singletons {
            match doc.singleton(name) {
                Some(s) => push_unique(&mut closure.singletons, s),
                None => unknown.push(UnknownName {
                    kind: "singleton",
                    name: name.clone(),
                    suggestion: suggest::closest(
                        name,
                        doc.entity_containers()
                            .flat_map(|c| c.singletons.iter().map(|s| &*s.name)),
                    )
                    .map(str::to_owned),
                    note: None,
                }),
            }
        }
        for name in &self.operations {
            if !select_operation(doc, name, &mut closure) {
                unknown.push(unknown_operation(doc, name));
            }
        }
        if !unknown.is_empty() {
            return Err(SelectError::UnknownNames(unknown));
        }

        let mut walker = Walker::new(doc);
        for set in &closure.entity_sets {
            walker.add(&set.entity_type);
        }
        for s in &closure.singletons {
            walker.add(&s.entity_type);
        }
        let mut operations: Vec<&'a Operation> = closure.operations.clone();
        let mut seen_ops: HashSet<*const Operation> =
            operations.iter().map(|o| *o as *const Operation).collect();
        let mut next_op = 0;
        loop {
            while next_op < operations.len() {
                let op = operations[next_op];
                next_op += 1;
                for p in &op.parameters {
                    walker.add_type(&p.ty);
                }
                if let Some(r) = &op.return_type {
                    walker.add_type(&r.ty);
                }
            }
            walker.drain();
            if !self.include_bound_operations {
                break;
            }
            let before = operations.len();
            for ty in &walker.entities {
                for op in doc.bound_operations(&ty.qualified_name) {
                    if seen_ops.insert(op as *const Operation) {
                        operations.push(op);
                    }
                }
            }
            if operations.len() == before {
                break;
            }
        }
        closure.operations = operations;

        let Walker {
            entities,
            complex,
            enums,
            definitions,
            missing,
            ..
        } = walker;
        if !missing.is_empty() {
            return Err(SelectError::MissingTypes(
                missing.into_iter().map(|n| missing_type(doc, n)).collect(),
            ));
        }
        closure.entity_types =
            in_document_order(doc.entity_types(), &entities, |t| t as *const EntityType);
        closure.complex_types =
            in_document_order(doc.complex_types(), &complex, |t| t as *const ComplexType);
        closure.enum_types = in_document_order(doc.enum_types(), &enums, |t| t as *const EnumType);
        closure.type_definitions = in_document_order(
            doc.schemas().iter().flat_map(|s| s.type_definitions.iter()),
            &definitions,
            |t| t as *const TypeDefinition,
        );

        let selected: HashSet<&str> = closure
            .entity_types
            .iter()
            .map(|t| &*t.qualified_name)
            .collect();
        for ty in &closure.entity_types {
            for property in &ty.navigation_properties {
                let target = if selected.contains(&*property.ty.name) {
                    NavigationTarget::Selected
                } else {
                    NavigationTarget::UnselectedTarget
                };
                closure.navigation.push(NavigationLink {
                    source: ty,
                    property,
                    target,
                });
            }
        }
        let sources = closure
            .entity_sets
            .iter()
            .map(|s| (&*s.name, &s.navigation_bindings))
            .chain(
                closure
                    .singletons
                    .iter()
                    .map(|s| (&*s.name, &s.navigation_bindings)),
            );
        for (source, bindings) in sources {
            for binding in bindings.iter() {
                if let BindingTarget::Dangling(target) = doc.resolve_binding_target(&binding.target)
                {
                    closure.warnings.push(Warning::DanglingBinding {
                        source: source.to_owned(),
                        path: binding.path.to_string(),
                        target: target.to_owned(),
                    });
                }
            }
        }
        Ok(closure)
    }
}

fn push_unique<'a, T>(list: &mut Vec<&'a T>, item: &'a T) {
    if !list.iter().any(|x| std::ptr::eq(*x, item)) {
        list.push(item);
    }
}

fn in_document_order<'a, T: 'a>(
    all: impl Iterator<Item = &'a T>,
    chosen: &[&'a T],
    key: impl Fn(&T) -> *const T,
) -> Vec<&'a T> {
    let wanted: HashSet<*const T> = chosen.iter().map(|t| key(t)).collect();
    all.filter(|t| wanted.contains(&key(t))).collect()
}

fn select_operation<'a>(doc: &'a Document, name: &str, closure: &mut Closure<'a>) -> bool {
    let imports = doc
        .entity_containers()
        .flat_map(|c| c.action_imports.iter().chain(&c.function_imports));
    let mut found = false;
    for import in imports.filter(|i| &*i.name == name) {
        push_unique(&mut closure.operation_imports, import);
        for op in doc.operations(&import.operation) {
            push_unique(&mut closure.operations, op);
        }
        found = true;
    }
    if found {
        return true;
    }
    let mut overloads = doc.operations(name).peekable();
    if overloads.peek().is_some() {
        for op in overloads {
            push_unique(&mut closure.operations, op);
        }
        return true;
    }
    let by_simple: Vec<&Operation> = doc.all_operations().filter(|o| &*o.name == name).collect();
    let namespaces: HashSet<&str> = by_simple.iter().map(|o| &*o.qualified_name).collect();
    if namespaces.len() == 1 {
        for op in by_simple {
            push_unique(&mut closure.operations, op);
        }
        return true;
    }
    false
}

fn unknown_entity_set(doc: &Document, name: &str) -> UnknownName {
    let suggestion = suggest::closest(name, doc.entity_sets().map(|s| &*s.name)).map(str::to_owned);
    let sets_of_type: Vec<&str> = doc
        .entity_sets()
        .filter(|s| crate::csdl::split_qualified(&s.entity_type).1 == name)
        .map(|s| &*s.name)
        .collect();
    let note = (!sets_of_type.is_empty()).then(|| {
        format!(
            "`{name}` is an entity type; its entity set is `{}`",
            sets_of_type.join("`, `")
        )
    });
    UnknownName {
        kind: "entity set",
        name: name.to_owned(),
        suggestion: suggestion.or_else(|| sets_of_type.first().map(|s| (*s).to_owned())),
        note,
    }
}

fn unknown_operation(doc: &Document, name: &str) -> UnknownName {
    let imports = doc
        .entity_containers()
        .flat_map(|c| c.action_imports.iter().chain(&c.function_imports))
        .map(|i| &*i.name);
    let operations = doc
        .all_operations()
        .flat_map(|o| [&*o.name, &*o.qualified_name]);
    let ambiguous = doc.all_operations().filter(|o| &*o.name == name).count() > 0;
    UnknownName {
        kind: "operation",
        name: name.to_owned(),
        suggestion: suggest::closest(name, imports.chain(operations)).map(str::to_owned),
        note: ambiguous.then(|| "the simple name exists in several namespaces; qualify it".into()),
    }
}

/// Breadth-first walk over the types a selection needs.
struct Walker<'a> {
    doc: &'a Document,
    queue: VecDeque<&'a str>,
    seen: HashSet<&'a str>,
    entities: Vec<&'a EntityType>,
    complex: Vec<&'a ComplexType>,
    enums: Vec<&'a EnumType>,
    definitions: Vec<&'a TypeDefinition>,
    /// Names needed but not declared (types of referenced documents that were not loaded).
    missing: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    fn new(doc: &'a Document) -> Self {
        Walker {
            doc,
            queue: VecDeque::new(),
            seen: HashSet::new(),
            entities: Vec::new(),
            complex: Vec::new(),
            enums: Vec::new(),
            definitions: Vec::new(),
            missing: Vec::new(),
        }
    }

    fn add(&mut self, name: &'a str) {
        if name.starts_with("Edm.") {
            return;
        }
        if self.seen.insert(name) {
            self.queue.push_back(name);
        }
    }

    fn add_type(&mut self, ty: &'a TypeRef) {
        if !ty.is_edm() {
            self.add(&ty.name);
        }
    }

    fn drain(&mut self) {
        while let Some(name) = self.queue.pop_front() {
            match self.doc.find_type(name) {
                Some(SchemaType::Entity(t)) => {
                    self.entities.push(t);
                    if let Some(base) = &t.base_type {
                        self.add(base);
                    }
                    for p in &t.properties {
                        self.add_type(&p.ty);
                    }
                }
                Some(SchemaType::Complex(t)) => {
                    self.complex.push(t);
                    if let Some(base) = &t.base_type {
                        self.add(base);
                    }
                    for p in &t.properties {
                        self.add_type(&p.ty);
                    }
                }
                Some(SchemaType::Enum(t)) => self.enums.push(t),
                Some(SchemaType::TypeDefinition(t)) => self.definitions.push(t),
                // Bindings for it could only be empty or wrong: refuse (see `missing_type`).
                None => self.missing.push(name),
            }
        }
    }
}

/// Everything a selection needs, in document order.
#[derive(Debug, Clone, Default)]
pub struct Closure<'a> {
    /// The selected entity sets.
    pub entity_sets: Vec<&'a EntitySet>,
    /// The selected singletons.
    pub singletons: Vec<&'a Singleton>,
    /// The selected action/function imports.
    pub operation_imports: Vec<&'a OperationImport>,
    /// Selected operations: named ones, those behind selected imports and (unless disabled)
    /// those bound to selected entity types.
    pub operations: Vec<&'a Operation>,
    /// Entity types: those of the selected sets/singletons, their base types, and entity types
    /// used by selected operations.
    pub entity_types: Vec<&'a EntityType>,
    /// Complex types used by selected types and operations (with their base types).
    pub complex_types: Vec<&'a ComplexType>,
    /// Enumeration types used by selected types and operations.
    pub enum_types: Vec<&'a EnumType>,
    /// Type definitions used by selected types and operations.
    pub type_definitions: Vec<&'a TypeDefinition>,
    /// Every navigation property declared on a selected entity type, with whether its target
    /// type is selected.
    pub navigation: Vec<NavigationLink<'a>>,
    /// Problems that do not stop generation (dangling navigation bindings).
    pub warnings: Vec<Warning>,
}

impl<'a> Closure<'a> {
    /// Navigation properties whose target entity type is outside the selection; the emitter
    /// decides whether to omit them or expose them untyped.
    pub fn unselected_navigation(&self) -> impl Iterator<Item = &NavigationLink<'a>> + '_ {
        self.navigation
            .iter()
            .filter(|l| l.target == NavigationTarget::UnselectedTarget)
    }

    /// Whether the entity type with this qualified name is in the closure.
    pub fn contains_entity_type(&self, qualified_name: &str) -> bool {
        self.entity_types
            .iter()
            .any(|t| &*t.qualified_name == qualified_name)
    }
}

/// A navigation property of a selected entity type.
#[derive(Debug, Clone, Copy)]
pub struct NavigationLink<'a> {
    /// The declaring entity type.
    pub source: &'a EntityType,
    /// The navigation property.
    pub property: &'a NavigationProperty,
    /// Whether its target type is selected.
    pub target: NavigationTarget,
}

/// Whether a navigation property's target type is part of the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavigationTarget {
    /// The target entity type is selected.
    Selected,
    /// The target entity type is not selected.
    UnselectedTarget,
}

/// A problem that does not stop generation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A navigation binding of a selected set names a target set absent from the document
    /// (F&O metadata trimmed to a subset has many).
    DanglingBinding {
        /// The entity set or singleton holding the binding.
        source: String,
        /// The navigation property path.
        path: String,
        /// The missing target.
        target: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::DanglingBinding {
                source,
                path,
                target,
            } => write!(
                f,
                "navigation `{source}/{path}` is bound to `{target}`, which the document does not declare"
            ),
        }
    }
}

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

fn missing_type(doc: &Document, name: &str) -> MissingType {
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

/// Why a selection could not be resolved.
#[derive(Debug, thiserror::Error)]
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

fn join<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

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
