//! The create and update (patch) models and their hand-written `Serialize` impls.

use proc_macro2::TokenStream;
use quote::quote;

use super::Prop;
use crate::emit::docs::{doc, ident};
use crate::emit::{Ctx, ServiceProfile};

pub(super) fn new_model(
    ctx: &Ctx<'_, '_>,
    new: &str,
    read: &str,
    set: &str,
    props: &[Prop<'_>],
) -> TokenStream {
    let new_ident = ident(new);
    let mut defs = TokenStream::new();
    let mut args = TokenStream::new();
    let mut inits = TokenStream::new();
    let mut entries = TokenStream::new();
    let mut required = 0usize;
    for prop in props.iter().filter(|p| p.write.on_create) {
        let field = ident(&prop.field);
        let wire = &*prop.p.name;
        let value = prop.value();
        let is_required = prop.write.required_on_create;
        let attrs = doc(&format!(
            "{}{}",
            prop.doc_line(),
            if is_required { " Required." } else { "" }
        ));
        if is_required {
            required += 1;
            defs.extend(quote!(#attrs pub #field: #value,));
            entries.extend(quote!(map.serialize_entry(#wire, &self.#field)?;));
            if ctx.is_string(&prop.p.ty) {
                args.extend(quote!(#field: impl Into<String>,));
                inits.extend(quote!(#field: #field.into(),));
            } else {
                args.extend(quote!(#field: #value,));
                inits.extend(quote!(#field,));
            }
        } else {
            defs.extend(quote!(#attrs pub #field: Option<#value>,));
            entries.extend(optional_entry(wire, &field));
            inits.extend(quote!(#field: None,));
        }
    }
    let rule = match ctx.options.profile {
        ServiceProfile::Fno => {
            "Required are the key parts without a default and the properties marked \
             `IsRequired`; every other field is optional, including non-nullable ones (the \
             service fills their defaults)."
        }
        ServiceProfile::Generic => {
            "Required are the key parts and the non-nullable properties without a \
             `DefaultValue`; every other field is optional."
        }
    };
    let head = format!(
        "The fields to create a [`{read}`] with (`POST {set}`): properties the service lets a \
         client set on create (not computed, not read-only, not `AllowEditOnCreate=false`). \
         {rule} Optional fields are sent only when set; properties that cannot be set on \
         create are not fields, so setting one does not compile. Which fields an update may \
         change is decided independently: see the `Patch` model."
    );
    let serialize = serialize_impl(ctx.rt(), &new_ident, &entries);
    if required == 0 {
        let attrs = doc(&head);
        quote! {
            #attrs
            #[derive(Debug, Clone, PartialEq, Default)]
            pub struct #new_ident {
                #defs
            }

            #serialize
        }
    } else {
        let attrs = doc(&format!(
            "{head} Required properties are arguments of [`{new}::new`]."
        ));
        let many = (required > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            #attrs
            #[derive(Debug, Clone, PartialEq)]
            pub struct #new_ident {
                #defs
            }

            #serialize

            impl #new_ident {
                /// The required properties; the optional ones start unset.
                #many
                pub fn new(#args) -> Self {
                    Self { #inits }
                }
            }
        }
    }
}

pub(super) fn patch_model(
    rt: &TokenStream,
    patch: &str,
    read: &str,
    set: &str,
    props: &[Prop<'_>],
) -> TokenStream {
    let patch_ident = ident(patch);
    let mut defs = TokenStream::new();
    let mut entries = TokenStream::new();
    for prop in props.iter().filter(|p| p.write.on_update) {
        let field = ident(&prop.field);
        let wire = &*prop.p.name;
        let value = prop.value();
        let attrs = doc(&prop.doc_line());
        defs.extend(quote!(#attrs pub #field: Option<#value>,));
        entries.extend(optional_entry(wire, &field));
    }
    let attrs = doc(&format!(
        "Changes to a [`{read}`] (`PATCH {set}(key)`): every field optional, only set fields \
         are sent. Keys and properties the service does not let a client change (computed, \
         read-only, immutable, `AllowEdit=false`) are not fields, so changing one does not \
         compile; a property settable only on create is in the create model alone."
    ));
    let serialize = serialize_impl(rt, &patch_ident, &entries);
    quote! {
        #attrs
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct #patch_ident {
            #defs
        }

        #serialize
    }
}

/// `map.serialize_entry(..)` for an optional field of a write model: sent only when set.
fn optional_entry(wire: &str, field: &proc_macro2::Ident) -> TokenStream {
    quote! {
        if let Some(value) = &self.#field {
            map.serialize_entry(#wire, value)?;
        }
    }
}

/// A write model's `Serialize`: a JSON object of its set fields. Written out rather than
/// derived: serde's derive expands to several times the code per field (a length count, a
/// skip call and a field call), which dominates the build time of large bindings.
fn serialize_impl(
    rt: &TokenStream,
    name: &proc_macro2::Ident,
    entries: &TokenStream,
) -> TokenStream {
    let serde = crate::emit::serde_path(rt);
    let map = if entries.is_empty() {
        quote!(map)
    } else {
        quote!(mut map)
    };
    quote! {
        impl #serde::Serialize for #name {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use #serde::ser::SerializeMap as _;
                let #map = serializer.serialize_map(None)?;
                #entries
                map.end()
            }
        }
    }
}
