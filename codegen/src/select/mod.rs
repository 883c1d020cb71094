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

mod closure;
mod problems;
mod renames;

use std::collections::{HashSet, VecDeque};

use serde::Deserialize;

pub use closure::{Closure, NavigationLink, NavigationTarget, Warning};
pub use problems::{MissingType, RenameProblem, SelectError, UnknownName};
pub use renames::{check_renames, is_type_name};

use crate::csdl::{
    BindingTarget, ComplexType, Document, EntityType, EnumType, Operation, SchemaType,
    TypeDefinition, TypeRef,
};
use crate::suggest;

/// What to generate bindings for, and what `diff` compares: entity sets, singletons and
/// operations by name (case-sensitive, as in F&O URLs), or every entity set.
///
/// The one selection type of the code generator: the [`Generator`](crate::Generator) takes it
/// ([`Generator::selection`](crate::Generator::selection)), [`diff`](crate::diff::diff)
/// compares over it, and the configuration file's `[select]` section is one (keys
/// `entity_sets`, `singletons`, `operations`, `all_entity_sets`, `include_bound_operations`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Selection {
    entity_sets: Vec<String>,
    singletons: Vec<String>,
    operations: Vec<String>,
    all_entity_sets: bool,
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
            all_entity_sets: false,
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

    /// Selects every entity set of the document (F&O: thousands; compile times grow
    /// accordingly), in document order, before the named ones.
    pub fn all_entity_sets(mut self) -> Self {
        self.all_entity_sets = true;
        self
    }

    /// Whether operations bound to selected entity types are selected too (default `true`).
    pub fn include_bound_operations(mut self, include: bool) -> Self {
        self.include_bound_operations = include;
        self
    }

    /// Adds what `more` selects: its names after these, in order; every entity set when either
    /// selects every one; bound operations only when both include them.
    pub fn extend(&mut self, more: Selection) {
        self.entity_sets.extend(more.entity_sets);
        self.singletons.extend(more.singletons);
        self.operations.extend(more.operations);
        self.all_entity_sets |= more.all_entity_sets;
        self.include_bound_operations &= more.include_bound_operations;
    }

    /// The entity set names, in the order given.
    pub fn entity_set_names(&self) -> &[String] {
        &self.entity_sets
    }

    /// The singleton names, in the order given.
    pub fn singleton_names(&self) -> &[String] {
        &self.singletons
    }

    /// The operation names, in the order given.
    pub fn operation_names(&self) -> &[String] {
        &self.operations
    }

    /// Whether every entity set of the document is selected.
    pub fn selects_all_entity_sets(&self) -> bool {
        self.all_entity_sets
    }

    /// Whether operations bound to selected entity types are selected too.
    pub fn includes_bound_operations(&self) -> bool {
        self.include_bound_operations
    }

    /// `true` when nothing is selected: no name, and not every entity set.
    pub fn is_empty(&self) -> bool {
        self.names_nothing() && !self.all_entity_sets
    }

    /// `true` when no name was given (whether or not every entity set is selected).
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

        if self.all_entity_sets {
            for set in doc.entity_sets() {
                push_unique(&mut closure.entity_sets, set);
            }
        }
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
                missing
                    .into_iter()
                    .map(|n| problems::missing_type(doc, n))
                    .collect(),
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
