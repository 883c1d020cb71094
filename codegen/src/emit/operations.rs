//! Actions and functions as typed calls where the caller already stands.
//!
//! | binding | generated as | called as |
//! |---|---|---|
//! | unbound (an import) | function in `operations` | `operations::name(&client, …)` |
//! | bound to an entity set | method of a set handle `EntitySet` | `Entity::set(&client).name(…)` |
//! | bound to one entity | method of the trait `EntityOperations`, implemented for `EntityRef<Entity>` and re-exported by `prelude` | `client.entity::<Entity>(&key).name(…)` |
//!
//! Up to three required parameters are positional; with more, they are the named fields of a
//! `NameParams` struct (all required, so the compiler checks that none is missing). Optional
//! parameters (`Core.OptionalParameter`) are never positional: the call then returns a
//! `NameRequest` with one setter per optional parameter, awaited directly or through `send`.
//!
//! Unbound operations stay free functions: they need nothing but the client, and a service
//! handle would be one more value to build for the same call.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::docs::{described, doc, ident};
use super::names::{Scope, snake, type_name};
use super::{At, Ctx, ServiceProfile};
use crate::csdl::{Operation, OperationKind, terms};

/// `Core.OptionalParameter`: the parameter may be left out (it is then set on the request).
const OPTIONAL_PARAMETER: &str = "Org.OData.Core.V1.OptionalParameter";

/// More required parameters than this go into a parameter struct.
const MAX_POSITIONAL: usize = 3;

/// Inherent methods of the runtime's `EntityRef`: a trait method of the same name could not be
/// called with method syntax, so operations bound to one entity avoid them.
const ENTITY_REF_METHODS: &[&str] = &[
    "action",
    "clone",
    "cross_company",
    "delete",
    "function",
    "get",
    "update",
    "url",
];

enum Receiver {
    Unbound { import: String },
    Collection { entity: String, set: String },
    Single { entity: String },
}

/// How a parameter value is taken.
enum Shape {
    /// `&str` (strings and type definitions over them).
    Str,
    /// `&[T]` (collections).
    Slice(TokenStream),
    /// `T`, passed on by reference.
    Value(TokenStream),
}

struct Param {
    arg: Ident,
    wire: String,
    /// The OData type, for the docs.
    odata: String,
    shape: Shape,
}

impl Param {
    /// The Rust type taken, with `lifetime` on a borrow (`'a` in a struct, none in a signature).
    fn ty(&self, lifetime: &TokenStream) -> TokenStream {
        match &self.shape {
            Shape::Str => quote!(&#lifetime str),
            Shape::Slice(item) => quote!(&#lifetime [#item]),
            Shape::Value(ty) => ty.clone(),
        }
    }

    fn borrowed(&self) -> bool {
        !matches!(self.shape, Shape::Value(_))
    }

    /// `request.parameter(wire, …)` for the value at `access`.
    fn step(&self, access: &TokenStream) -> TokenStream {
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
struct Op {
    receiver: Receiver,
    function: bool,
    /// The OData name the method is named after.
    name: String,
    /// The namespace-qualified name bound operations are invoked by.
    qualified: String,
    required: Vec<Param>,
    optional: Vec<Param>,
    /// What the operation is, one sentence for the docs.
    what: String,
    description: Option<String>,
    ret: TokenStream,
    /// `value::<T>` / `value_or_nested::<T>` / `object::<T>`.
    read: TokenStream,
}

/// The items of the operations bound to one entity type.
#[derive(Default)]
struct Bound {
    /// Signatures with docs, for the trait of entity-bound operations.
    single_decls: TokenStream,
    /// Their bodies, for the trait's impl on `EntityRef`.
    single_impls: TokenStream,
    /// Methods of the set handle.
    collection: TokenStream,
    /// Whether the set handle has actions, functions.
    set_kinds: (bool, bool),
    /// The entity set the set handle names.
    set: String,
    /// Parameter and request types.
    types: TokenStream,
    single_names: Option<Scope>,
    collection_names: Option<Scope>,
}

pub(crate) fn emit(ctx: &mut Ctx<'_, '_>) -> TokenStream {
    let mut types = ctx.plan.taken_types.clone();
    let mut unbound = TokenStream::new();
    let mut unbound_fns = Scope::new(&[]);
    let mut unbound_types = Scope::types();
    let mut bound: Vec<(String, Bound)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let closure = ctx.closure;
    for op in &closure.operations {
        let Some(receiver) = receiver(ctx, op) else {
            continue;
        };
        let Some(op) = analyse(ctx, op, receiver) else {
            continue;
        };
        match &op.receiver {
            Receiver::Unbound { .. } => {
                let name = ident(&unbound_fns.unique(&snake(&op.name)));
                let items = items(ctx, &op, &name, &mut unbound_types);
                unbound.extend(items.types);
                unbound.extend(items.method);
            }
            Receiver::Collection { entity, .. } | Receiver::Single { entity } => {
                let slot = *index.entry(entity.clone()).or_insert_with(|| {
                    bound.push((entity.clone(), Bound::default()));
                    bound.len() - 1
                });
                let group = &mut bound[slot].1;
                let single = matches!(op.receiver, Receiver::Single { .. });
                let names = if single {
                    group
                        .single_names
                        .get_or_insert_with(|| Scope::new(ENTITY_REF_METHODS))
                } else {
                    if let Receiver::Collection { set, .. } = &op.receiver {
                        group.set.clone_from(set);
                    }
                    group.collection_names.get_or_insert_with(|| {
                        Scope::new(&["action", "clone", "cross_company", "function"])
                    })
                };
                let name = ident(&names.unique(&snake(&op.name)));
                let items = items(ctx, &op, &name, &mut types);
                group.types.extend(items.types);
                if single {
                    group.single_decls.extend(items.declaration);
                    group.single_impls.extend(items.method);
                } else {
                    group.collection.extend(items.method);
                    if op.function {
                        group.set_kinds.1 = true;
                    } else {
                        group.set_kinds.0 = true;
                    }
                }
            }
        }
    }
    let rt = ctx.rt().clone();
    let mut out = TokenStream::new();
    let mut traits = Vec::new();
    for (entity, group) in bound {
        let entity_ident = ident(&entity);
        out.extend(group.types);
        if group.single_names.is_some() {
            let name = types.unique(&format!("{entity}Operations"));
            let trait_ident = ident(&name);
            let text = format!(
                "Operations bound to one [`{entity}`], as methods of its `EntityRef`: \
                 `client.entity::<{entity}>(&key).operation(…)`, with this trait in scope \
                 (`use …::{prelude}::*;`).",
                prelude = ctx.plan.prelude_module
            );
            let attrs = doc(&text);
            let decls = group.single_decls;
            let impls = group.single_impls;
            out.extend(quote! {
                #attrs
                pub trait #trait_ident {
                    #decls
                }
                impl #trait_ident for #rt::EntityRef<#entity_ident> {
                    #impls
                }
            });
            traits.push(trait_ident);
        }
        if group.collection_names.is_some() {
            let handle = ident(&types.unique(&format!("{entity}Set")));
            let set = &group.set;
            let handle_doc = doc(&format!(
                "The entity set `{set}` of [`{entity}`], to invoke the operations bound to it. \
                 Made by [`{entity}::set`]."
            ));
            let ctor_doc = doc(&format!(
                "The entity set `{set}`, to invoke the operations bound to it: \
                 `{entity}::set(&client).operation(…)`."
            ));
            let mut methods = TokenStream::new();
            let (actions, functions) = group.set_kinds;
            if actions {
                methods.extend(quote! {
                    /// The action `qualified_name` bound to this entity set.
                    fn action(&self, qualified_name: &str) -> #rt::ActionRequest {
                        let request = self.client.collection_action::<#entity_ident>(qualified_name);
                        if self.cross_company {
                            request.cross_company()
                        } else {
                            request
                        }
                    }
                });
            }
            if functions {
                methods.extend(quote! {
                    /// The function `qualified_name` bound to this entity set.
                    fn function(&self, qualified_name: &str) -> #rt::FunctionRequest {
                        let request = self.client.collection_function::<#entity_ident>(qualified_name);
                        if self.cross_company {
                            request.cross_company()
                        } else {
                            request
                        }
                    }
                });
            }
            methods.extend(group.collection);
            out.extend(quote! {
                #handle_doc
                #[derive(Debug, Clone)]
                pub struct #handle {
                    client: #rt::Client,
                    cross_company: bool,
                }
                impl #entity_ident {
                    #ctor_doc
                    pub fn set(client: &#rt::Client) -> #handle {
                        #handle {
                            client: client.clone(),
                            cross_company: false,
                        }
                    }
                }
                impl #handle {
                    /// Adds F&O's `cross-company=true` to every operation invoked through this
                    /// handle.
                    pub fn cross_company(mut self) -> Self {
                        self.cross_company = true;
                        self
                    }
                    #methods
                }
            });
        }
    }
    if !traits.is_empty() {
        let module = ident(&ctx.plan.prelude_module);
        out.extend(quote! {
            /// The traits that make operations bound to one entity methods of its `EntityRef`;
            /// bring them into scope with a glob import of this module.
            pub mod #module {
                #(pub use super::#traits;)*
            }
        });
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
fn analyse(ctx: &mut Ctx<'_, '_>, op: &Operation, receiver: Receiver) -> Option<Op> {
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

/// The generated items of one operation.
struct Items {
    /// Parameter struct and request type, when the operation has them.
    types: TokenStream,
    /// The trait method's signature with its docs (entity-bound operations).
    declaration: TokenStream,
    /// The function or method with its body.
    method: TokenStream,
}

fn items(ctx: &Ctx<'_, '_>, op: &Op, name: &Ident, types: &mut Scope) -> Items {
    let rt = ctx.rt().clone();
    let base = type_name(&op.name);
    let mut out = TokenStream::new();
    let mut text = format!("{}.", op.what);
    if let Some(d) = &op.description {
        text.push(' ');
        text.push_str(d);
    }

    // Required parameters: positional, or the fields of a parameter struct.
    let mut args = TokenStream::new();
    let mut steps = TokenStream::new();
    let none = TokenStream::new();
    if op.required.len() > MAX_POSITIONAL {
        let params = ident(&types.unique(&format!("{base}Params")));
        let borrowed = op.required.iter().any(Param::borrowed);
        let lifetime = if borrowed { quote!('a) } else { none.clone() };
        let generics = if borrowed { quote!(<'a>) } else { none.clone() };
        let mut fields = TokenStream::new();
        for p in &op.required {
            let field = &p.arg;
            let ty = p.ty(&lifetime);
            let field_doc = doc(&format!("`{}` (`{}`).", p.wire, p.odata));
            fields.extend(quote!(#field_doc pub #field: #ty,));
            steps.extend(p.step(&quote!(params.#field)));
        }
        let params_doc = doc(&format!(
            "The parameters of {}.",
            lower_first(op.what.split(" (").next().unwrap_or(&op.what))
        ));
        out.extend(quote! {
            #params_doc
            #[derive(Debug, Clone)]
            pub struct #params #generics {
                #fields
            }
        });
        let anonymous = if borrowed { quote!(<'_>) } else { none.clone() };
        args.extend(quote!(params: #params #anonymous,));
        text.push_str(&format!("\n\nParameters: the fields of [`{params}`]."));
    } else {
        let mut lines = Vec::new();
        for p in &op.required {
            let arg = &p.arg;
            let ty = p.ty(&none);
            args.extend(quote!(#arg: #ty,));
            steps.extend(p.step(&quote!(#arg)));
            lines.push(format!("- `{arg}`: `{}` (`{}`)", p.wire, p.odata));
        }
        if !lines.is_empty() {
            text.push_str("\n\nParameters:\n");
            text.push_str(&lines.join("\n"));
        }
    }

    let start = start(ctx, op);
    let read = &op.read;
    let ret = &op.ret;
    let single = matches!(op.receiver, Receiver::Single { .. });
    let receiver_arg = match op.receiver {
        Receiver::Unbound { .. } => quote!(client: &#rt::Client,),
        _ => quote!(&self,),
    };
    let errors =
        "\n\n# Errors\nThe service's refusal or a transport failure, as the runtime's `Error`.";

    let (signature, body) = if op.optional.is_empty() {
        text.push_str(errors);
        if single {
            (
                quote!(fn #name(#receiver_arg #args) -> impl ::std::future::Future<Output = #rt::Result<#ret>> + Send),
                quote!({
                    #start
                    #steps
                    request.#read()
                }),
            )
        } else {
            (
                quote!(async fn #name(#receiver_arg #args) -> #rt::Result<#ret>),
                quote!({
                    #start
                    #steps
                    request.#read().await
                }),
            )
        }
    } else {
        let request = ident(&types.unique(&format!("{base}Request")));
        out.extend(request_type(ctx, op, &request));
        text.push_str(&format!(
            "\n\nOptional parameters are set on the returned [`{request}`], which is then awaited."
        ));
        (
            quote!(fn #name(#receiver_arg #args) -> #request),
            quote!({
                #start
                #steps
                #request { request }
            }),
        )
    };
    let attrs = doc(&text);
    let (declaration, method) = if single {
        (quote!(#attrs #signature;), quote!(#signature #body))
    } else {
        (TokenStream::new(), quote!(#attrs pub #signature #body))
    };
    Items {
        types: out,
        declaration,
        method,
    }
}

/// The statements making `request` for `op`, before its parameters.
fn start(ctx: &Ctx<'_, '_>, op: &Op) -> TokenStream {
    let rt = ctx.rt();
    let kind = if op.function {
        quote!(function)
    } else {
        quote!(action)
    };
    match &op.receiver {
        Receiver::Unbound { import } => quote!(let request = client.#kind(#import);),
        Receiver::Collection { .. } => {
            let qualified = &op.qualified;
            quote!(let request = self.#kind(#qualified);)
        }
        Receiver::Single { .. } => {
            let qualified = &op.qualified;
            quote!(let request = #rt::EntityRef::#kind(self, #qualified);)
        }
    }
}

/// The request an operation with optional parameters returns: one setter per optional
/// parameter, `send`, and `IntoFuture` so that it can be awaited directly.
fn request_type(ctx: &Ctx<'_, '_>, op: &Op, request: &Ident) -> TokenStream {
    let rt = ctx.rt();
    let inner = if op.function {
        quote!(#rt::FunctionRequest)
    } else {
        quote!(#rt::ActionRequest)
    };
    let none = TokenStream::new();
    let mut setter_names = Scope::new(&["send", "into_future"]);
    let mut setters = TokenStream::new();
    for p in &op.optional {
        let setter = ident(&setter_names.unique(&p.arg.to_string()));
        let ty = p.ty(&none);
        let value = quote!(value);
        let step = p.step(&value);
        let setter_doc = doc(&format!(
            "Sets the optional parameter `{}` (`{}`).",
            p.wire, p.odata
        ));
        setters.extend(quote! {
            #setter_doc
            pub fn #setter(self, value: #ty) -> Self {
                let request = self.request;
                #step
                Self { request }
            }
        });
    }
    let ret = &op.ret;
    let read = &op.read;
    let type_doc = doc(&format!(
        "{}, ready to send: set optional parameters, then `.await` it (or call \
         [`send`](Self::send)).",
        op.what
    ));
    quote! {
        #type_doc
        #[derive(Debug)]
        #[must_use = "an operation does nothing until it is awaited"]
        pub struct #request {
            request: #inner,
        }
        impl #request {
            #setters
            /// Sends the request and reads its result.
            ///
            /// # Errors
            /// The service's refusal or a transport failure, as the runtime's `Error`.
            pub async fn send(self) -> #rt::Result<#ret> {
                self.request.#read().await
            }
        }
        impl ::std::future::IntoFuture for #request {
            type Output = #rt::Result<#ret>;
            type IntoFuture = ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Self::Output> + Send>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
}

/// `text` with its first letter in lower case (`Action …` → `action …`).
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
