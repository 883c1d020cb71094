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

mod analyse;
mod items;
mod request;

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;

use self::analyse::{Receiver, analyse, receiver};
use self::items::items;
use super::Ctx;
use super::docs::{doc, ident};
use super::names::{Scope, snake};

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
    let sealed = ident(&ctx.plan.sealed_module);
    for (entity, group) in bound {
        let entity_ident = ident(&entity);
        out.extend(group.types);
        if group.single_names.is_some() {
            let name = types.unique(&format!("{entity}Operations"));
            let trait_ident = ident(&name);
            let text = format!(
                "Operations bound to one [`{entity}`], as methods of its `EntityRef`: \
                 `client.entity::<{entity}>(&key).operation(…)`, with this trait in scope \
                 (`use …::{prelude}::*;`). Sealed: only `EntityRef<{entity}>` implements it, so \
                 new operations of the service add methods without breaking your code.",
                prelude = ctx.plan.prelude_module
            );
            let attrs = doc(&text);
            let decls = group.single_decls;
            let impls = group.single_impls;
            out.extend(quote! {
                #attrs
                pub trait #trait_ident: #sealed::Sealed {
                    #decls
                }
                impl #sealed::Sealed for #rt::EntityRef<#entity_ident> {}
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
            /// Seals the operation traits: a public trait in a private module, which code outside
            /// the module these bindings are generated into can neither name nor implement.
            mod #sealed {
                /// Implemented by the entity references that have operation traits.
                pub trait Sealed {}
            }
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
