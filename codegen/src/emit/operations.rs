//! Actions and functions as typed async functions over the runtime's operation API.
//!
//! | binding | generated as | calls |
//! |---|---|---|
//! | unbound (an import) | `operations::name(&client, …)` | `Client::action` / `Client::function` |
//! | bound to an entity set | `Entity::name(&client, …)` | `Client::collection_action` / `collection_function` |
//! | bound to one entity | `Entity::name(&client.entity(&key), …)` | `EntityRef::action` / `EntityRef::function` |

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{described, doc, ident};
use super::names::{Scope, snake};
use super::{At, Ctx, ServiceProfile};
use crate::csdl::{Operation, OperationKind, terms};

/// `Core.OptionalParameter`: the parameter may be left out (it is then an `Option` argument).
const OPTIONAL_PARAMETER: &str = "Org.OData.Core.V1.OptionalParameter";

enum Receiver {
    Unbound { import: String },
    Collection { entity: String },
    Single { entity: String },
}

pub(crate) fn emit(ctx: &mut Ctx<'_, '_>) -> TokenStream {
    let mut unbound = TokenStream::new();
    let mut unbound_scope = Scope::new(&[]);
    let mut impls: Vec<(String, TokenStream)> = Vec::new();
    let mut scopes: HashMap<String, Scope> = HashMap::new();
    let closure = ctx.closure;
    for op in &closure.operations {
        let Some(receiver) = receiver(ctx, op) else {
            continue;
        };
        let Some(body) = method(ctx, op, &receiver) else {
            continue;
        };
        let scope = match &receiver {
            Receiver::Unbound { .. } => &mut unbound_scope,
            Receiver::Collection { entity } | Receiver::Single { entity } => scopes
                .entry(entity.clone())
                .or_insert_with(|| Scope::new(&["key", "new"])),
        };
        let fn_name = ident(&scope.unique(&snake(&op.name)));
        let tokens = body(fn_name);
        match receiver {
            Receiver::Unbound { .. } => unbound.extend(tokens),
            Receiver::Collection { entity } | Receiver::Single { entity } => {
                match impls.iter_mut().find(|(e, _)| *e == entity) {
                    Some((_, t)) => t.extend(tokens),
                    None => impls.push((entity, tokens)),
                }
            }
        }
    }
    let mut out = TokenStream::new();
    for (entity, methods) in impls {
        let entity = ident(&entity);
        out.extend(quote!(impl #entity { #methods }));
    }
    if !unbound.is_empty() {
        let module = ident(&ctx.plan.operations_module);
        out.extend(quote! {
            /// Unbound actions and functions (the service's action and function imports).
            pub mod #module {
                #unbound
            }
        });
    }
    out
}

fn receiver(ctx: &mut Ctx<'_, '_>, op: &Operation) -> Option<Receiver> {
    if let Some(binding) = op.binding_parameter() {
        let Some(ty) = ctx.doc.entity_type(&binding.ty.name) else {
            ctx.warnings.push(format!(
                "{}: bound to `{}`, which is not an entity type; not generated",
                op.qualified_name, binding.ty
            ));
            return None;
        };
        let names = ctx.plan.entities.get(&*ty.qualified_name)?;
        if ctx.plan.set_of(ty).is_none() {
            ctx.warnings.push(format!(
                "{}: bound to `{}`, which has no selected entity set; not generated",
                op.qualified_name, binding.ty
            ));
            return None;
        }
        let entity = names.ty.clone();
        return Some(if binding.ty.collection {
            Receiver::Collection { entity }
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

type Body = Box<dyn FnOnce(proc_macro2::Ident) -> TokenStream>;

fn method(ctx: &mut Ctx<'_, '_>, op: &Operation, receiver: &Receiver) -> Option<Body> {
    let rt = ctx.rt().clone();
    let at = match receiver {
        Receiver::Unbound { .. } => At::Module,
        _ => At::Top,
    };
    let function = op.kind == OperationKind::Function;
    let skip = usize::from(op.is_bound);
    let mut args = TokenStream::new();
    let mut steps = TokenStream::new();
    let mut arg_names = Scope::new(&["client", "entity", "request"]);
    let mut arg_count = 0usize;
    let mut param_docs = Vec::new();
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
        let arg = ident(&arg_names.unique(&snake(&p.name)));
        let wire = &*p.name;
        arg_count += 1;
        let string = ctx.is_string(&p.ty);
        let (arg_ty, pass) = if string {
            (quote!(&str), quote!(#arg))
        } else if p.ty.collection {
            let item = ctx.item_type(&p.ty, at)?;
            (quote!(&[#item]), quote!(#arg))
        } else {
            (value.clone(), quote!(&#arg))
        };
        let optional = parameter_targets(op, &p.name).iter().any(|target| {
            ctx.doc
                .annotation(&p.annotations, target, OPTIONAL_PARAMETER)
                .is_some()
        });
        param_docs.push(format!(
            "- `{}`: `{}`{}",
            arg,
            p.ty,
            if optional { " (optional)" } else { "" }
        ));
        if optional {
            let inner = if string {
                quote!(Option<&str>)
            } else {
                quote!(Option<#arg_ty>)
            };
            args.extend(quote!(#arg: #inner,));
            let pass_some = if string || p.ty.collection {
                quote!(value)
            } else {
                quote!(&value)
            };
            steps.extend(quote! {
                let request = match #arg {
                    Some(value) => request.parameter(#wire, #pass_some),
                    None => request,
                };
            });
        } else {
            args.extend(quote!(#arg: #arg_ty,));
            steps.extend(quote!(let request = request.parameter(#wire, #pass);));
        }
    }
    let (ret, finish) = match &op.return_type {
        None => (quote!(()), quote!(request.send().await)),
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
                quote!(object)
            } else if ctx.options.profile == ServiceProfile::Fno && !r.ty.collection {
                quote!(value_or_nested)
            } else {
                quote!(value)
            };
            (value.clone(), quote!(request.#read::<#value>().await))
        }
    };
    let qualified = op.qualified_name.to_string();
    let (receiver_arg, start, what) = match (receiver, function) {
        (Receiver::Unbound { import }, false) => (
            quote!(client: &#rt::Client,),
            quote!(client.action(#import)),
            format!("Unbound action `{import}` (`POST {import}`)"),
        ),
        (Receiver::Unbound { import }, true) => (
            quote!(client: &#rt::Client,),
            quote!(client.function(#import)),
            format!("Unbound function `{import}` (`GET {import}(…)`)"),
        ),
        (Receiver::Collection { .. }, false) => (
            quote!(client: &#rt::Client,),
            quote!(client.collection_action::<Self>(#qualified)),
            format!("Action `{qualified}` bound to the entity set"),
        ),
        (Receiver::Collection { .. }, true) => (
            quote!(client: &#rt::Client,),
            quote!(client.collection_function::<Self>(#qualified)),
            format!("Function `{qualified}` bound to the entity set"),
        ),
        (Receiver::Single { .. }, false) => (
            quote!(entity: &#rt::EntityRef<Self>,),
            quote!(entity.action(#qualified)),
            format!(
                "Action `{qualified}` bound to one entity (`client.entity(&key)`, add \
                 `.cross_company()` there for another company)"
            ),
        ),
        (Receiver::Single { .. }, true) => (
            quote!(entity: &#rt::EntityRef<Self>,),
            quote!(entity.function(#qualified)),
            format!(
                "Function `{qualified}` bound to one entity (`client.entity(&key)`, add \
                 `.cross_company()` there for another company)"
            ),
        ),
    };
    let description = ctx
        .doc
        .annotation(&op.annotations, &qualified, terms::core::DESCRIPTION)
        .and_then(|a| a.as_str());
    let mut text = format!("{what}.");
    if let Some(d) = described(description, None) {
        text.push(' ');
        text.push_str(&d);
    }
    if !param_docs.is_empty() {
        text.push_str("\n\nParameters:\n");
        text.push_str(&param_docs.join("\n"));
    }
    text.push_str(
        "\n\n# Errors\nThe service's refusal or a transport failure, as the runtime's `Error`.",
    );
    let attrs = doc(&text);
    let many = (arg_count + 1 > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    Some(Box::new(move |name| {
        quote! {
            #attrs
            #many
            pub async fn #name(#receiver_arg #args) -> #rt::Result<#ret> {
                let request = #start;
                #steps
                #finish
            }
        }
    }))
}
