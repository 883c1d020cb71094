//! One entity type: its read struct, key, field and navigation handles, `Entity` impl and
//! write models.

mod handles;
mod read;
mod write;

use proc_macro2::TokenStream;
use quote::quote;

use self::handles::{Handle, entity_impl, extra_set, handle_module};
use self::read::{Read, Reader};
use self::write::{new_model, patch_model};
use super::docs::{described, doc, ident};
use super::names::{Scope, shouty, snake};
use super::write_rules::{WriteRules, entity_is_read_only};
use super::{At, Ctx};
use crate::csdl::terms::{EntitySetCapabilities, PropertyTraits};
use crate::csdl::{EntityType, Property};

/// A structural property with its Rust names and type.
struct Prop<'a> {
    p: &'a Property,
    traits: PropertyTraits<'a>,
    field: String,
    /// Item type at the top level.
    item: TokenStream,
    /// Item type inside the handle module.
    item_in_module: TokenStream,
    key: bool,
    write: WriteRules,
}

impl Prop<'_> {
    fn optional(&self) -> bool {
        self.p.nullable && !self.key
    }

    fn value(&self) -> TokenStream {
        let item = &self.item;
        if self.p.ty.collection {
            quote!(Vec<#item>)
        } else {
            item.clone()
        }
    }

    fn doc_line(&self) -> String {
        let mut line = format!("`{}` (`{}`", self.p.name, self.p.ty);
        if self.key {
            line.push_str(", key");
        }
        line.push_str(").");
        if let Some(d) = described(self.traits.description, self.traits.label_id) {
            line.push(' ');
            line.push_str(&d);
        }
        line
    }
}

pub(crate) fn emit(ctx: &mut Ctx<'_, '_>, ty: &EntityType) -> TokenStream {
    let doc_ref = ctx.doc;
    let Some(names) = ctx.plan.entities.get(&*ty.qualified_name).cloned() else {
        return TokenStream::new();
    };
    let rt = ctx.rt().clone();
    let key_names: Vec<&str> = doc_ref
        .effective_key(ty)
        .map(|k| {
            k.properties
                .iter()
                .map(|r| r.name.split('/').next().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();

    let mut fields = Scope::new(&["etag"]);
    let mut props: Vec<Prop<'_>> = Vec::new();
    for p in doc_ref.all_properties(ty) {
        let (Some(item), Some(item_in_module)) = (
            ctx.item_type(&p.ty, At::Top),
            ctx.item_type(&p.ty, At::Module),
        ) else {
            ctx.warnings.push(format!(
                "{}/{}: type `{}` has no Rust form here; property omitted",
                ty.qualified_name, p.name, p.ty
            ));
            continue;
        };
        let traits = PropertyTraits::of(doc_ref, ty, p);
        let key = key_names.contains(&&*p.name);
        let write = WriteRules::of(ctx.options.profile, p, &traits, key);
        props.push(Prop {
            p,
            traits,
            field: fields.unique(&snake(&p.name)),
            item,
            item_in_module,
            key,
            write,
        });
    }

    let set = ctx.plan.set_of(ty);
    let name = ident(&names.ty);
    let mut out = TokenStream::new();

    // Read struct.
    let mut defs = TokenStream::new();
    let mut reader = Reader::new(rt.clone());
    for prop in &props {
        let field = ident(&prop.field);
        let wire = &*prop.p.name;
        let attrs = doc(&prop.doc_line());
        let value = prop.value();
        if prop.p.ty.collection {
            defs.extend(quote!(#attrs pub #field: #value,));
            reader.add(&field, wire, Read::Defaulted);
        } else if prop.optional() {
            defs.extend(quote!(#attrs pub #field: Option<#value>,));
            reader.add(&field, wire, Read::Nullable);
        } else {
            defs.extend(quote!(#attrs pub #field: #value,));
            reader.add(&field, wire, Read::Required);
        }
    }
    let mut handles: Vec<Handle<'_>> = Vec::new();
    let mut consts = Scope::new(&[]);
    let mut omitted = Vec::new();
    for nav in doc_ref.all_navigation_properties(ty) {
        let Some(target) = ctx.plan.entities.get(&*nav.ty.name) else {
            omitted.push(format!("`{}` (`{}`)", nav.name, nav.ty));
            continue;
        };
        let target = ident(&target.ty);
        let field = ident(&fields.unique(&snake(&nav.name)));
        let wire = &*nav.name;
        let handle = ident(&consts.unique(&shouty(&nav.name)));
        // Type-erased (see the runtime's `Related`): a field of type `Option<Vec<Target>>` would make the
        // trait solver prove `Target: Send` structurally through the whole navigation graph,
        // which overflows its recursion limit on dense graphs (E0275).
        let (value, cardinality, what) = if nav.ty.collection {
            (
                quote!(#rt::Related<Vec<#target>>),
                quote!(#rt::Many),
                "related entities",
            )
        } else {
            (
                quote!(#rt::Related<#target>),
                quote!(#rt::One),
                "related entity",
            )
        };
        let attrs = doc(&format!(
            "Navigation `{wire}` (`{}`): the {what}, present when the query expands it.",
            nav.ty
        ));
        defs.extend(quote!(#attrs pub #field: Option<#value>,));
        reader.add(&field, wire, Read::Nullable);
        let handle_doc = doc(&format!(
            "Navigation `{wire}` to [`{}`](super::{}), for `$expand`.",
            target, target
        ));
        handles.push(Handle {
            docs: handle_doc,
            name: handle,
            kind: quote!(#rt::Navigation),
            types: quote!(super::#target, #cardinality),
            wire,
        });
    }
    let etag_field = quote! {
        /// The entity's version (`@odata.etag`), sent back in `If-Match` by updates and deletes.
        pub etag: Option<#rt::ETag>,
    };
    reader.add(&ident("etag"), "@odata.etag", Read::Nullable);
    let description = doc_ref
        .annotation(
            &ty.annotations,
            &ty.qualified_name,
            crate::csdl::terms::core::DESCRIPTION,
        )
        .and_then(|a| a.as_str());
    let label = doc_ref
        .annotation(
            &ty.annotations,
            &ty.qualified_name,
            crate::csdl::terms::fno::LABEL_ID,
        )
        .and_then(|a| a.as_str());
    let mut type_doc = format!("Entity type `{}`", ty.qualified_name);
    match set {
        Some(set) => type_doc.push_str(&format!(", read from the entity set `{}`.", set.name)),
        None => type_doc.push('.'),
    }
    if let Some(d) = described(description, label) {
        type_doc.push(' ');
        type_doc.push_str(&d);
    }
    type_doc.push_str(&format!(
        "\n\nField handles for queries are in [`{}`].",
        names.module
    ));
    if entity_is_read_only(doc_ref, ty) {
        type_doc.push_str(
            "\n\nRead-only (`IsReadOnly`): the service accepts no creates or updates of this \
             entity type, so it has no create or update model.",
        );
    }
    if !omitted.is_empty() {
        type_doc.push_str(&format!(
            "\n\nNavigation properties to entity types outside the selection are omitted: {}.",
            omitted.join(", ")
        ));
    }
    let type_doc = doc(&type_doc);
    out.extend(quote! {
        #type_doc
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #defs
            #etag_field
        }
    });
    out.extend(reader.deserialize_impl(&name, &rt, &ty.qualified_name));

    // Key.
    let key_props: Vec<&Prop<'_>> = key_names
        .iter()
        .filter_map(|k| props.iter().find(|p| &*p.p.name == *k))
        .collect();
    let has_key = !key_props.is_empty() && key_props.len() == key_names.len();
    if has_key {
        let key = ident(&names.key);
        let mut key_fields = TokenStream::new();
        let mut args = TokenStream::new();
        let mut inits = TokenStream::new();
        let mut parts = TokenStream::new();
        let mut from_row = TokenStream::new();
        for prop in &key_props {
            let field = ident(&prop.field);
            let value = prop.value();
            let wire = &*prop.p.name;
            let attrs = doc(&prop.doc_line());
            key_fields.extend(quote!(#attrs pub #field: #value,));
            if ctx.is_string(&prop.p.ty) {
                args.extend(quote!(#field: impl Into<String>,));
                inits.extend(quote!(#field: #field.into(),));
            } else {
                args.extend(quote!(#field: #value,));
                inits.extend(quote!(#field,));
            }
            parts.extend(quote!((#wire, &self.#field),));
            if ctx.is_copy(&prop.p.ty) {
                from_row.extend(quote!(#field: self.#field,));
            } else {
                from_row.extend(quote!(#field: self.#field.clone(),));
            }
        }
        let many = (key_props.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        let key_doc = doc(&format!(
            "Key of [`{}`]: addresses one entity (`{}({})`).",
            names.ty,
            set.map_or(&*ty.name, |s| &*s.name),
            key_names
                .iter()
                .map(|k| format!("{k}=…"))
                .collect::<Vec<_>>()
                .join(",")
        ));
        out.extend(quote! {
            #key_doc
            #[derive(Debug, Clone, PartialEq)]
            pub struct #key {
                #key_fields
            }

            impl #key {
                /// A key from its parts, in key order.
                #many
                pub fn new(#args) -> Self {
                    Self { #inits }
                }
            }

            impl #rt::EntityKey for #key {
                fn write_predicate(&self, out: &mut String) {
                    out.push_str(&#rt::edm::key_predicate(&[#parts]));
                }
            }

            impl #name {
                /// This entity's key.
                pub fn key(&self) -> #key {
                    #key { #from_row }
                }
            }
        });
        if let Some(set) = set {
            out.extend(entity_impl(ctx, &name, set, ty, &key, quote!(self.etag)));
        }
    } else if set.is_some() {
        ctx.warnings.push(format!(
            "{}: no usable key; no `Entity` implementation generated",
            ty.qualified_name
        ));
    }

    // Field handles. Collection- and complex-typed ones have no literal form: they serve
    // `$select`, and a comparison with them does not compile.
    for prop in &props {
        let handle = ident(&consts.unique(&shouty(&prop.p.name)));
        let item = &prop.item_in_module;
        let types = if prop.p.ty.collection {
            quote!(Vec<#item>)
        } else {
            item.clone()
        };
        handles.push(Handle {
            docs: doc(&prop.doc_line()),
            name: handle,
            kind: quote!(#rt::Field),
            types,
            wire: &prop.p.name,
        });
    }
    out.extend(handle_module(&name, &names.ty, &names.module, &handles));

    // Every further selected entity set of this type: a row type of its own.
    if has_key {
        for (extra, extra_names) in ctx.plan.extra_sets_of(ty) {
            out.extend(extra_set(
                ctx,
                ty,
                &names,
                set.map_or("", |s| &*s.name),
                extra,
                extra_names,
                &handles,
            ));
        }
    }

    // Write models.
    let read_only = entity_is_read_only(doc_ref, ty);
    if let (Some(set), true, true, false) = (set, has_key, ctx.options.write_models, read_only) {
        let caps = EntitySetCapabilities::of(doc_ref, set);
        if caps.insertable != Some(false) {
            out.extend(new_model(ctx, &names.new, &names.ty, &set.name, &props));
        }
        if caps.updatable != Some(false) {
            out.extend(patch_model(&rt, &names.patch, &names.ty, &set.name, &props));
        }
    }
    out
}
