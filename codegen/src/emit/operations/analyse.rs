//! What an operation takes and returns: its receiver, parameters (required or optional, and
//! how each is passed), return type and docs, read from the CSDL before any item is named.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::OPTIONAL_PARAMETER;
use crate::csdl::{Operation, OperationKind, terms};
use crate::emit::docs::{described, ident};
use crate::emit::names::{Scope, snake};
use crate::emit::{At, Ctx, ServiceProfile};

pub(super) enum Receiver {
    Unbound { import: String },
    Collection { entity: String, set: String },
    Single { entity: String },
}

/// How a parameter value is taken.
pub(super) enum Shape {
    /// `&str` (strings and type definitions over them).
    Str,
    /// `&[T]` (collections).
    Slice(TokenStream),
    /// `T`, passed on by reference.
    Value(TokenStream),
}

pub(super) struct Param {
    pub(super) arg: Ident,
    pub(super) wire: String,
    /// The OData type, for the docs.
    pub(super) odata: String,
    pub(super) shape: Shape,
}

impl Param {
    /// The Rust type taken, with `lifetime` on a borrow (`'a` in a struct, none in a signature).
    pub(super) fn ty(&self, lifetime: &TokenStream) -> TokenStream {
        match &self.shape {
            Shape::Str => quote!(&#lifetime str),
            Shape::Slice(item) => quote!(&#lifetime [#item]),
            Shape::Value(ty) => ty.clone(),
        }
    }

    pub(super) fn borrowed(&self) -> bool {
        !matches!(self.shape, Shape::Value(_))
    }

    /// `request.parameter(wire, …)` for the value at `access`.
    pub(super) fn step(&self, access: &TokenStream) -> TokenStream {
        let wire = &self.wire;
        match self.shape {
            Shape::Str | Shape::Slice(_) => {
                quote!(let request = request.parameter(#wire, #access);)
            }
            Shape::Value(_) => quote!(let request = request.parameter(#wire, &#access);),
        }
    }
}

/// Everything known about one operation before its items are named.
pub(super) struct Op {
    pub(super) receiver: Receiver,
    pub(super) function: bool,
    /// The OData name the method is named after.
    pub(super) name: String,
    /// The namespace-qualified name bound operations are invoked by.
    pub(super) qualified: String,
    pub(super) required: Vec<Param>,
    pub(super) optional: Vec<Param>,
    /// What the operation is, one sentence for the docs.
    pub(super) what: String,
    pub(super) description: Option<String>,
    pub(super) ret: TokenStream,
    /// `value::<T>` / `value_or_nested::<T>` / `object::<T>`.
    pub(super) read: TokenStream,
}

pub(super) fn receiver(ctx: &mut Ctx<'_, '_>, op: &Operation) -> Option<Receiver> {
    if let Some(binding) = op.binding_parameter() {
        let Some(ty) = ctx.doc.entity_type(&binding.ty.name) else {
            ctx.warnings.push(format!(
                "{}: bound to `{}`, which is not an entity type; not generated",
                op.qualified_name, binding.ty
            ));
            return None;
        };
        let names = ctx.plan.entities.get(&*ty.qualified_name)?;
        let Some(set) = ctx.plan.set_of(ty) else {
            ctx.warnings.push(format!(
                "{}: bound to `{}`, which has no selected entity set; not generated",
                op.qualified_name, binding.ty
            ));
            return None;
        };
        let entity = names.ty.clone();
        return Some(if binding.ty.collection {
            Receiver::Collection {
                entity,
                set: set.name.to_string(),
            }
        } else {
            Receiver::Single { entity }
        });
    }
    let import = ctx
        .closure
        .operation_imports
        .iter()
        .copied()
        .chain(
            ctx.doc
                .entity_containers()
                .flat_map(|c| c.action_imports.iter().chain(&c.function_imports)),
        )
        .find(|i| *i.operation == *op.qualified_name);
    match import {
        Some(i) => Some(Receiver::Unbound {
            import: i.name.to_string(),
        }),
        None => {
            ctx.warnings.push(format!(
                "{}: unbound and not imported by the entity container; not generated",
                op.qualified_name
            ));
            None
        }
    }
}

/// Annotation targets of a parameter: `Ns.Op/p` and with the overload signature,
/// `Ns.Op(T1,T2)/p` (functions: every parameter type; actions: the binding parameter's type).
fn parameter_targets(op: &Operation, parameter: &str) -> [String; 2] {
    let types: Vec<String> = match op.kind {
        OperationKind::Function => op.parameters.iter().map(|p| p.ty.to_string()).collect(),
        OperationKind::Action => op
            .binding_parameter()
            .map(|p| p.ty.to_string())
            .into_iter()
            .collect(),
    };
    [
        format!("{}/{parameter}", op.qualified_name),
        format!("{}({})/{parameter}", op.qualified_name, types.join(",")),
    ]
}

/// The parameters, return type and docs of `op`, or `None` (with a warning) when it cannot be
/// generated.
pub(super) fn analyse(ctx: &mut Ctx<'_, '_>, op: &Operation, receiver: Receiver) -> Option<Op> {
    let at = match receiver {
        Receiver::Unbound { .. } => At::Module,
        _ => At::Top,
    };
    let function = op.kind == OperationKind::Function;
    let skip = usize::from(op.is_bound);
    let mut arg_names = Scope::new(&["client", "params", "request", "value"]);
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for p in op.parameters.iter().skip(skip) {
        if function && !ctx.has_literal(&p.ty) {
            ctx.warnings.push(format!(
                "{}: parameter `{}` of type `{}` cannot be written as a URL literal; function not generated",
                op.qualified_name, p.name, p.ty
            ));
            return None;
        }
        let Some(value) = ctx.value_type(&p.ty, at) else {
            ctx.warnings.push(format!(
                "{}: parameter `{}` has type `{}`, which has no Rust form here; not generated",
                op.qualified_name, p.name, p.ty
            ));
            return None;
        };
        if !function && ctx.doc.entity_type(&p.ty.name).is_some() {
            ctx.warnings.push(format!(
                "{}: parameter `{}` is an entity (`{}`), which read models do not serialize; not generated",
                op.qualified_name, p.name, p.ty
            ));
            return None;
        }
        let shape = if ctx.is_string(&p.ty) {
            Shape::Str
        } else if p.ty.collection {
            Shape::Slice(ctx.item_type(&p.ty, at)?)
        } else {
            Shape::Value(value)
        };
        let param = Param {
            arg: ident(&arg_names.unique(&snake(&p.name))),
            wire: p.name.to_string(),
            odata: p.ty.to_string(),
            shape,
        };
        let is_optional = parameter_targets(op, &p.name).iter().any(|target| {
            ctx.doc
                .annotation(&p.annotations, target, OPTIONAL_PARAMETER)
                .is_some()
        });
        if is_optional {
            optional.push(param);
        } else {
            required.push(param);
        }
    }
    let (ret, read) = match &op.return_type {
        None => (quote!(()), quote!(send)),
        Some(r) => {
            let Some(value) = ctx.value_type(&r.ty, at) else {
                ctx.warnings.push(format!(
                    "{}: return type `{}` has no Rust form here; not generated",
                    op.qualified_name, r.ty
                ));
                return None;
            };
            let value = if r.nullable && !r.ty.collection {
                quote!(Option<#value>)
            } else {
                value
            };
            let read = if !ctx.is_value_shaped(&r.ty) {
                quote!(object::<#value>)
            } else if ctx.options.profile == ServiceProfile::Fno && !r.ty.collection {
                quote!(value_or_nested::<#value>)
            } else {
                quote!(value::<#value>)
            };
            (value, read)
        }
    };
    let qualified = op.qualified_name.to_string();
    let what = match (&receiver, function) {
        (Receiver::Unbound { import }, false) => {
            format!("Unbound action `{import}` (`POST {import}`)")
        }
        (Receiver::Unbound { import }, true) => {
            format!("Unbound function `{import}` (`GET {import}(…)`)")
        }
        (Receiver::Collection { set, .. }, false) => {
            format!("Action `{qualified}` bound to the entity set `{set}`")
        }
        (Receiver::Collection { set, .. }, true) => {
            format!("Function `{qualified}` bound to the entity set `{set}`")
        }
        (Receiver::Single { .. }, false) => format!(
            "Action `{qualified}` bound to one entity (add `.cross_company()` to the entity \
             reference for another company)"
        ),
        (Receiver::Single { .. }, true) => format!(
            "Function `{qualified}` bound to one entity (add `.cross_company()` to the entity \
             reference for another company)"
        ),
    };
    let description = ctx
        .doc
        .annotation(&op.annotations, &qualified, terms::core::DESCRIPTION)
        .and_then(|a| a.as_str())
        .and_then(|d| described(Some(d), None));
    Some(Op {
        receiver,
        function,
        name: op.name.to_string(),
        qualified,
        required,
        optional,
        what,
        description,
        ret,
        read,
    })
}
