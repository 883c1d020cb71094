//! Turning a selection closure into Rust tokens.
//!
//! [`emit`] names every generated item first ([`plan`]), then writes entity types
//! ([`entity`]), enumerations, complex types and type definitions ([`types`]) and operations
//! ([`operations`]). Everything the generated code needs at run time lives in the runtime crate;
//! the emitted code is declarations plus small `impl` blocks, to keep its compile time low.

mod docs;
mod entity;
mod names;
mod operations;
mod plan;
mod print;
mod types;
mod write_rules;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::csdl::{Document, Primitive, SchemaType, TypeRef};
use crate::select::Closure;

pub(crate) use docs::visible_controls;
pub(crate) use plan::Plan;

/// The service profile the generated entities name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServiceProfile {
    Fno,
    Generic,
}

/// What [`emit`] needs besides the document and the closure.
pub(crate) struct Options<'o> {
    pub(crate) profile: ServiceProfile,
    /// The runtime crate path (`::d365fo_odata`), already checked to parse as a path.
    pub(crate) runtime: String,
    /// User renames: qualified or simple OData type name → Rust type name.
    pub(crate) renames: &'o BTreeMap<String, String>,
    /// Whether to emit create/update write models.
    pub(crate) write_models: bool,
}

/// Everything emission produces.
pub(crate) struct Emitted {
    /// Formatted code, one item group per entry, in output order.
    pub(crate) chunks: Vec<String>,
    pub(crate) warnings: Vec<String>,
}

/// Shared state of one emission.
pub(crate) struct Ctx<'a, 'o> {
    pub(crate) doc: &'a Document,
    pub(crate) closure: &'a Closure<'a>,
    pub(crate) options: &'o Options<'o>,
    pub(crate) plan: &'o Plan<'a>,
    pub(crate) warnings: Vec<String>,
    runtime: TokenStream,
}

/// Formatted chunks and warnings of one worker.
type Formatted = (Vec<String>, Vec<String>);

impl<'a, 'o> Ctx<'a, 'o> {
    fn new(
        doc: &'a Document,
        closure: &'a Closure<'a>,
        options: &'o Options<'o>,
        plan: &'o Plan<'a>,
    ) -> Self {
        let runtime = options.runtime.parse().unwrap_or_default();
        Ctx {
            doc,
            closure,
            options,
            plan,
            warnings: Vec::new(),
            runtime,
        }
    }
}

/// Emits and formats the bindings for `closure`. Entity types, the bulk of the output, are
/// emitted and formatted on several threads; the result does not depend on their number.
pub(crate) fn emit<'a>(
    doc: &'a Document,
    closure: &'a Closure<'a>,
    options: &Options<'_>,
) -> Emitted {
    let plan = Plan::new(closure, options);
    let mut warnings: Vec<String> = closure.warnings.iter().map(ToString::to_string).collect();
    for (from, to, why) in &plan.renames {
        warnings.push(format!("`{from}` is generated as `{to}` ({why})"));
    }
    let entities = &closure.entity_types;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(entities.len() / 16 + 1);
    let per_thread = entities.len().div_ceil(threads.max(1)).max(1);
    let results: Vec<Formatted> = std::thread::scope(|s| {
        let workers: Vec<_> = entities
            .chunks(per_thread)
            .map(|slice| {
                let plan = &plan;
                s.spawn(move || {
                    let mut ctx = Ctx::new(doc, closure, options, plan);
                    let mut chunks = Vec::with_capacity(slice.len());
                    for ty in slice {
                        let tokens = entity::emit(&mut ctx, ty);
                        chunks.push(print::print(tokens));
                    }
                    (chunks, ctx.warnings)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut chunks = Vec::new();
    for (c, w) in results {
        chunks.extend(c);
        warnings.extend(w);
    }

    let mut ctx = Ctx::new(doc, closure, options, &plan);
    for ty in &closure.complex_types {
        let tokens = types::complex(&mut ctx, ty);
        chunks.push(print::print(tokens));
    }
    for ty in &closure.enum_types {
        chunks.push(print::print(types::enumeration(&ctx, ty)));
    }
    let mut definitions = TokenStream::new();
    for ty in &closure.type_definitions {
        definitions.extend(types::definition(&ctx, ty));
    }
    if !definitions.is_empty() {
        chunks.push(print::print(definitions));
    }
    let operations = operations::emit(&mut ctx);
    if !operations.is_empty() {
        chunks.push(print::print(operations));
    }
    warnings.extend(ctx.warnings);
    warnings.sort();
    warnings.dedup();
    Emitted { chunks, warnings }
}

/// Where a type is referred to from: the top level of the file or a module inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    Top,
    Module,
}

impl Ctx<'_, '_> {
    pub(crate) fn rt(&self) -> &TokenStream {
        &self.runtime
    }

    /// The path generated code names `serde` by: the runtime's hidden re-export, so that a crate
    /// using the bindings needs no `serde` dependency of its own.
    pub(crate) fn serde(&self) -> TokenStream {
        serde_path(&self.runtime)
    }

    /// The Rust type of one item of `ty` (collections not unwrapped), or `None` when the type
    /// has no Rust form here (streams, geography, untyped, types outside the selection).
    pub(crate) fn item_type(&self, ty: &TypeRef, at: At) -> Option<TokenStream> {
        let rt = self.rt();
        if let Some(p) = ty.primitive() {
            return Some(match p {
                Primitive::Binary => quote!(#rt::edm::Binary),
                Primitive::Boolean => quote!(bool),
                Primitive::Byte => quote!(u8),
                Primitive::SByte => quote!(i8),
                Primitive::Int16 => quote!(i16),
                Primitive::Int32 => quote!(i32),
                Primitive::Int64 => quote!(i64),
                Primitive::Single => quote!(f32),
                Primitive::Double => quote!(f64),
                Primitive::Decimal => quote!(#rt::edm::Decimal),
                Primitive::String => quote!(String),
                Primitive::Date => quote!(#rt::edm::Date),
                Primitive::DateTimeOffset => quote!(#rt::edm::DateTimeOffset),
                Primitive::TimeOfDay => quote!(#rt::edm::TimeOfDay),
                Primitive::Duration => quote!(#rt::edm::Duration),
                Primitive::Guid => quote!(#rt::edm::Guid),
                _ => return None,
            });
        }
        let name = self.plan.value_type_name(&ty.name)?;
        let ident = docs::ident(&name);
        Some(match at {
            At::Top => quote!(#ident),
            At::Module => quote!(super::#ident),
        })
    }

    /// The Rust type of `ty` with collections as `Vec`.
    pub(crate) fn value_type(&self, ty: &TypeRef, at: At) -> Option<TokenStream> {
        let item = self.item_type(ty, at)?;
        Some(if ty.collection {
            quote!(Vec<#item>)
        } else {
            item
        })
    }

    /// Whether values of `ty` can be written as URL literals (function parameters).
    pub(crate) fn has_literal(&self, ty: &TypeRef) -> bool {
        if ty.collection {
            return false;
        }
        if let Some(p) = ty.primitive() {
            return !matches!(
                p,
                Primitive::Stream
                    | Primitive::Geography
                    | Primitive::Geometry
                    | Primitive::Untyped
                    | Primitive::Abstract
            );
        }
        match self.doc.find_type(&ty.name) {
            Some(SchemaType::Enum(_)) => true,
            Some(SchemaType::TypeDefinition(t)) => {
                Primitive::from_qualified_name(&t.underlying_type).is_some_and(|_| {
                    self.has_literal(&TypeRef {
                        name: t.underlying_type.clone(),
                        collection: false,
                    })
                })
            }
            _ => false,
        }
    }

    /// Whether `ty` is a string (directly or through a type definition): such parameters and
    /// key parts are taken as `&str` / `impl Into<String>`.
    pub(crate) fn is_string(&self, ty: &TypeRef) -> bool {
        !ty.collection && self.underlying(ty) == Some(Primitive::String)
    }

    /// Whether the Rust type of `ty` is `Copy` (numbers, `bool`, dates, times, decimals, GUIDs,
    /// directly or through a type definition): such values are copied, never `.clone()`d, so
    /// generated code stays clean under clippy's `clone_on_copy`.
    pub(crate) fn is_copy(&self, ty: &TypeRef) -> bool {
        !ty.collection
            && matches!(
                self.underlying(ty),
                Some(
                    Primitive::Boolean
                        | Primitive::Byte
                        | Primitive::SByte
                        | Primitive::Int16
                        | Primitive::Int32
                        | Primitive::Int64
                        | Primitive::Single
                        | Primitive::Double
                        | Primitive::Decimal
                        | Primitive::Date
                        | Primitive::DateTimeOffset
                        | Primitive::TimeOfDay
                        | Primitive::Duration
                        | Primitive::Guid
                )
            )
    }

    fn underlying(&self, ty: &TypeRef) -> Option<Primitive> {
        if let Some(p) = ty.primitive() {
            return Some(p);
        }
        match self.doc.find_type(&ty.name)? {
            SchemaType::TypeDefinition(t) => Primitive::from_qualified_name(&t.underlying_type),
            _ => None,
        }
    }

    /// Whether values of `ty` are read from `{"value": …}` (primitives, enums, collections)
    /// rather than being the response body (complex types, entities).
    pub(crate) fn is_value_shaped(&self, ty: &TypeRef) -> bool {
        ty.collection
            || ty.primitive().is_some()
            || matches!(
                self.doc.find_type(&ty.name),
                Some(SchemaType::Enum(_) | SchemaType::TypeDefinition(_))
            )
    }
}

/// `serde` as re-exported by the runtime crate at `rt` (`::d365fo_odata::__private::serde`).
pub(crate) fn serde_path(rt: &TokenStream) -> TokenStream {
    quote!(#rt::__private::serde)
}
