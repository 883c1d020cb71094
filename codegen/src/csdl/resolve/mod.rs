//! After reading: resolve aliases, build the lookup indexes and check the references between
//! elements (keys, base types, property types, entity set types, duplicate names).

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationValue};
use super::error::RawError;
use super::model::{Document, Index, NameMap, Schema};
use super::names::AliasResolver;
use super::reader::Parsed;
use super::types::{NavigationProperty, Property, TypeRef};
use super::vocabularies;
use super::warning::{WarningKind, WarningSink};

mod check;
mod index;

use check::{Checker, validate};
use index::build_index;

/// Turns what the reader produced into a checked, indexed [`Document`], adding the warnings
/// of this step to the reader's. Schemas loaded from referenced documents (those with a
/// `reference`) were resolved and checked when their own document was read.
pub(crate) fn finish(
    parsed: Parsed,
    source_name: String,
    strict: bool,
) -> Result<(Document, WarningSink), RawError> {
    let Parsed {
        version,
        mut references,
        mut schemas,
        mut interner,
        mut warnings,
    } = parsed;

    let mut index = Index::default();
    for reference in &references {
        for include in &reference.includes {
            index
                .namespaces
                .entry(include.namespace.clone())
                .or_insert(false);
            if let Some(alias) = &include.alias {
                index
                    .aliases
                    .insert(alias.clone(), include.namespace.clone());
            }
        }
    }
    for schema in &schemas {
        index.namespaces.insert(schema.namespace.clone(), true);
        if let Some(alias) = &schema.alias {
            if schema.reference.is_none() {
                index
                    .aliases
                    .insert(alias.clone(), schema.namespace.clone());
            } else {
                index
                    .aliases
                    .entry(alias.clone())
                    .or_insert_with(|| schema.namespace.clone());
            }
        }
    }

    // Microsoft's readers know the standard vocabularies without a reference; so does this
    // one, unless strict. Their customary aliases apply where the document does not use the
    // name itself.
    let mut implicit: NameMap<Arc<str>> = NameMap::default();
    if !strict {
        for vocabulary in vocabularies::STANDARD {
            if !index.aliases.contains_key(vocabulary.alias)
                && !index.namespaces.contains_key(vocabulary.alias)
            {
                implicit.insert(Arc::from(vocabulary.alias), Arc::from(vocabulary.namespace));
            }
        }
    }
    // Namespaces reached through an implicit alias: already warned about.
    let mut implicit_namespaces: HashSet<Arc<str>> = HashSet::new();
    let mut all_aliases = index.aliases.clone();
    all_aliases.extend(implicit.iter().map(|(k, v)| (k.clone(), v.clone())));

    if !all_aliases.is_empty() {
        let mut resolver = AliasResolver::new(&all_aliases, &implicit, &mut interner);
        for reference in &mut references {
            resolver.at(reference.offset);
            for a in &mut reference.annotations {
                resolve_annotation(&mut resolver, a);
            }
        }
        for schema in schemas.iter_mut().filter(|s| s.reference.is_none()) {
            resolve_schema(&mut resolver, schema);
        }
        for (alias, offset) in std::mem::take(&mut resolver.implicit_uses) {
            if let Some(namespace) = implicit.get(&alias) {
                implicit_namespaces.insert(namespace.clone());
            }
            let namespace = implicit.get(&alias).map(ToString::to_string);
            warnings.push(
                offset,
                String::new(),
                WarningKind::ImplicitVocabulary {
                    used_as: alias.to_string(),
                    namespace: namespace.unwrap_or_default(),
                },
            );
        }
    }

    build_index(&schemas, &mut index, strict, &mut warnings)?;
    let document = Document {
        source_name,
        version,
        references,
        schemas,
        index,
        warnings: Vec::new(),
    };
    let checker = Checker {
        doc: &document,
        strict,
        implicit_namespaces,
        notes: RefCell::new(Vec::new()),
    };
    validate(&checker)?;
    for (offset, path, kind) in checker.notes.into_inner() {
        warnings.push(offset, path, kind);
    }
    Ok((document, warnings))
}

// ----- alias resolution -------------------------------------------------------------------------

fn resolve_annotations(resolver: &mut AliasResolver<'_>, annotations: &mut [Annotation]) {
    for a in annotations {
        resolve_annotation(resolver, a);
    }
}

fn resolve_annotation(resolver: &mut AliasResolver<'_>, annotation: &mut Annotation) {
    resolver.at(annotation.offset);
    resolver.name(&mut annotation.term);
    resolve_value(resolver, &mut annotation.value);
    resolve_annotations(resolver, &mut annotation.annotations);
}

fn resolve_value(resolver: &mut AliasResolver<'_>, value: &mut AnnotationValue) {
    match value {
        AnnotationValue::EnumMember(members) => resolver.path(members),
        AnnotationValue::Collection(items) => {
            for item in items {
                resolve_value(resolver, item);
            }
        }
        AnnotationValue::Record(record) => {
            resolver.opt(&mut record.type_name);
            for p in &mut record.properties {
                resolve_value(resolver, &mut p.value);
            }
            resolve_annotations(resolver, &mut record.annotations);
        }
        AnnotationValue::Expression(expression) => {
            for (key, value) in &mut expression.attributes {
                if matches!(&**key, "Type" | "Function") {
                    resolver.name(value);
                }
            }
            for child in &mut expression.children {
                resolve_value(resolver, child);
            }
        }
        _ => {}
    }
}

fn resolve_type(resolver: &mut AliasResolver<'_>, ty: &mut TypeRef) {
    resolver.name(&mut ty.name);
}

fn resolve_properties(
    resolver: &mut AliasResolver<'_>,
    properties: &mut [Property],
    navigation: &mut [NavigationProperty],
) {
    for p in properties {
        resolver.at(p.offset);
        resolve_type(resolver, &mut p.ty);
        resolve_annotations(resolver, &mut p.annotations);
    }
    for n in navigation {
        resolver.at(n.offset);
        resolve_type(resolver, &mut n.ty);
        resolve_annotations(resolver, &mut n.annotations);
    }
}

fn resolve_schema(resolver: &mut AliasResolver<'_>, schema: &mut Schema) {
    resolve_annotations(resolver, &mut schema.annotations);
    for t in &mut schema.entity_types {
        resolver.at(t.offset);
        resolver.opt(&mut t.base_type);
        resolve_properties(resolver, &mut t.properties, &mut t.navigation_properties);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.complex_types {
        resolver.at(t.offset);
        resolver.opt(&mut t.base_type);
        resolve_properties(resolver, &mut t.properties, &mut t.navigation_properties);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.enum_types {
        resolver.at(t.offset);
        resolver.name(&mut t.underlying_type);
        resolve_annotations(resolver, &mut t.annotations);
        for m in &mut t.members {
            resolve_annotations(resolver, &mut m.annotations);
        }
    }
    for t in &mut schema.type_definitions {
        resolver.at(t.offset);
        resolver.name(&mut t.underlying_type);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for t in &mut schema.terms {
        resolver.at(t.offset);
        resolve_type(resolver, &mut t.ty);
        resolver.opt(&mut t.base_term);
        resolve_annotations(resolver, &mut t.annotations);
    }
    for op in &mut schema.operations {
        resolver.at(op.offset);
        for p in &mut op.parameters {
            resolve_type(resolver, &mut p.ty);
            resolve_annotations(resolver, &mut p.annotations);
        }
        if let Some(r) = &mut op.return_type {
            resolve_type(resolver, &mut r.ty);
            resolve_annotations(resolver, &mut r.annotations);
        }
        resolve_annotations(resolver, &mut op.annotations);
    }
    if let Some(c) = &mut schema.entity_container {
        resolver.at(c.offset);
        resolver.opt(&mut c.extends);
        resolve_annotations(resolver, &mut c.annotations);
        for s in &mut c.entity_sets {
            resolver.at(s.offset);
            resolver.name(&mut s.entity_type);
            for b in &mut s.navigation_bindings {
                resolver.path(&mut b.path);
                resolver.path(&mut b.target);
            }
            resolve_annotations(resolver, &mut s.annotations);
        }
        for s in &mut c.singletons {
            resolver.at(s.offset);
            resolver.name(&mut s.entity_type);
            for b in &mut s.navigation_bindings {
                resolver.path(&mut b.path);
                resolver.path(&mut b.target);
            }
            resolve_annotations(resolver, &mut s.annotations);
        }
        for i in c
            .action_imports
            .iter_mut()
            .chain(c.function_imports.iter_mut())
        {
            resolver.name(&mut i.operation);
            resolver.opt(&mut i.entity_set);
            resolve_annotations(resolver, &mut i.annotations);
        }
    }
    for block in &mut schema.annotation_blocks {
        resolver.at(block.offset);
        resolver.path(&mut block.target);
        resolve_annotations(resolver, &mut block.annotations);
    }
}
