//! Field and navigation handle modules, the `Entity` impl, and the row types of further entity
//! sets of one entity type.

use proc_macro2::TokenStream;
use quote::quote;

use crate::csdl::EntityType;
use crate::emit::docs::{doc, ident};
use crate::emit::{Ctx, ServiceProfile};

/// A field or navigation handle: `pub const NAME: Kind<super::Entity, types> = Kind::new(wire);`.
pub(super) struct Handle<'a> {
    pub(super) docs: TokenStream,
    pub(super) name: proc_macro2::Ident,
    pub(super) kind: TokenStream,
    pub(super) types: TokenStream,
    pub(super) wire: &'a str,
}

/// The handle module of the entity type (or extra-set row type) `entity`.
pub(super) fn handle_module(
    entity: &proc_macro2::Ident,
    entity_name: &str,
    module: &str,
    handles: &[Handle<'_>],
) -> TokenStream {
    let mut items = TokenStream::new();
    for Handle {
        docs,
        name,
        kind,
        types,
        wire,
    } in handles
    {
        items.extend(quote! {
            #docs
            pub const #name: #kind<super::#entity, #types> = #kind::new(#wire);
        });
    }
    let module = ident(module);
    // An outer doc comment on a module resolves links in the module's parent, where the entity
    // type is a sibling, so the link is written without `super::`.
    let module_doc = doc(&format!(
        "Field and navigation handles of [`{entity_name}`] for `$filter`, `$select`, `$orderby` \
         and `$expand`."
    ));
    quote! {
        #module_doc
        pub mod #module {
            #items
        }
    }
}

/// The row type of a further entity set exposing an entity type whose `Entity` impl names its
/// first set: a newtype over the read model (dereferencing to it) with its own `Entity` impl
/// and handle module, so that typed queries, reads and deletes address this set.
pub(super) fn extra_set(
    ctx: &Ctx<'_, '_>,
    ty: &EntityType,
    names: &crate::emit::plan::EntityNames,
    first: &str,
    set: &crate::csdl::EntitySet,
    row: &crate::emit::plan::SetRowNames,
    handles: &[Handle<'_>],
) -> TokenStream {
    let serde = ctx.serde();
    let inner = ident(&names.ty);
    let key = ident(&names.key);
    let name = ident(&row.ty);
    let set_name = &*set.name;
    let type_name = &*ty.qualified_name;
    let attrs = doc(&format!(
        "Rows of the entity set `{set_name}`: entity type `{type_name}` ([`{}`], whose own \
         `Entity` impl reads `{first}`). Dereferences to the row; field handles for queries over \
         this set are in [`{}`].",
        names.ty, row.module
    ));
    let mut out = quote! {
        #attrs
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name(pub #inner);

        impl ::std::ops::Deref for #name {
            type Target = #inner;

            fn deref(&self) -> &#inner {
                &self.0
            }
        }

        impl<'de> #serde::Deserialize<'de> for #name {
            fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <#inner as #serde::Deserialize<'de>>::deserialize(deserializer).map(Self)
            }
        }

    };
    out.extend(entity_impl(ctx, &name, set, ty, &key, quote!(self.0.etag)));
    out.extend(handle_module(&name, &row.ty, &row.module, handles));
    out
}

/// `impl Entity for name`, reading `set`; `etag` is the expression of the `@odata.etag` field.
pub(super) fn entity_impl(
    ctx: &Ctx<'_, '_>,
    name: &proc_macro2::Ident,
    set: &crate::csdl::EntitySet,
    ty: &EntityType,
    key: &proc_macro2::Ident,
    etag: TokenStream,
) -> TokenStream {
    let rt = ctx.rt();
    let set_name = &*set.name;
    let type_name = &*ty.qualified_name;
    let profile = profile(ctx);
    quote! {
        impl #rt::Entity for #name {
            const ENTITY_SET: &'static str = #set_name;
            const TYPE_NAME: &'static str = #type_name;
            type Key = #key;
            type Profile = #profile;

            fn etag(&self) -> Option<&#rt::ETag> {
                #etag.as_ref()
            }

            fn row_key(&self) -> Option<Self::Key> {
                Some(self.key())
            }
        }
    }
}

/// The service profile type the `Entity` impls name.
fn profile(ctx: &Ctx<'_, '_>) -> TokenStream {
    let rt = ctx.rt();
    match ctx.options.profile {
        ServiceProfile::Fno => quote!(#rt::profile::Fno),
        ServiceProfile::Generic => quote!(#rt::profile::GenericOData),
    }
}
