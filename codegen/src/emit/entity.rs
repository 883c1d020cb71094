//! One entity type: its read struct, key, field and navigation handles, `Entity` impl and
//! write models.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{described, doc, ident};
use super::names::{Scope, shouty, snake};
use super::write_rules::{WriteRules, entity_is_read_only};
use super::{At, Ctx, ServiceProfile};
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

/// A field or navigation handle: `pub const NAME: Kind<super::Entity, types> = Kind::new(wire);`.
struct Handle<'a> {
    docs: TokenStream,
    name: proc_macro2::Ident,
    kind: TokenStream,
    types: TokenStream,
    wire: &'a str,
}

/// The handle module of the entity type (or extra-set row type) `entity`.
fn handle_module(
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
fn extra_set(
    ctx: &Ctx<'_, '_>,
    ty: &EntityType,
    names: &super::plan::EntityNames,
    first: &str,
    set: &crate::csdl::EntitySet,
    row: &super::plan::SetRowNames,
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
fn entity_impl(
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

/// How a read-model field is filled from its JSON member.
enum Read {
    /// Must be present (keys and non-nullable properties).
    Required,
    /// `Option`: absent or `null` is `None`.
    Nullable,
    /// A collection: absent is empty.
    Defaulted,
}

/// The parts of a read model's hand-written `Deserialize` impl, one field at a time.
struct Reader {
    rt: TokenStream,
    locals: TokenStream,
    arms: TokenStream,
    inits: TokenStream,
    /// Names of the locals, one per field, kept clear of the visitor's own bindings.
    local_names: Scope,
}

impl Reader {
    fn new(rt: TokenStream) -> Self {
        Reader {
            rt,
            locals: TokenStream::new(),
            arms: TokenStream::new(),
            inits: TokenStream::new(),
            local_names: Scope::new(&["map", "key", "deserializer", "f"]),
        }
    }

    fn add(&mut self, field: &proc_macro2::Ident, wire: &str, read: Read) {
        let rt = &self.rt;
        let local = ident(&self.local_names.unique(&field.to_string()));
        self.locals.extend(quote!(let mut #local = None;));
        match read {
            Read::Required => {
                self.arms
                    .extend(quote!(#wire => #local = Some(map.next_value()?),));
                self.inits
                    .extend(quote!(#field: #rt::codec::required(#local, #wire)?,));
            }
            Read::Nullable => {
                self.arms
                    .extend(quote!(#wire => #local = map.next_value()?,));
                if local == *field {
                    self.inits.extend(quote!(#field,));
                } else {
                    self.inits.extend(quote!(#field: #local,));
                }
            }
            Read::Defaulted => {
                self.arms
                    .extend(quote!(#wire => #local = Some(map.next_value()?),));
                self.inits
                    .extend(quote!(#field: #local.unwrap_or_default(),));
            }
        }
    }

    /// `Deserialize` from a JSON object: members in any order, unknown ones (annotations such
    /// as `@odata.context`, properties newer than the bindings) skipped, a later duplicate
    /// winning. Written out rather than derived: serde's derive expands to several times the
    /// code per field, which dominates the build time of large bindings.
    fn deserialize_impl(
        &self,
        name: &proc_macro2::Ident,
        rt: &TokenStream,
        qualified: &str,
    ) -> TokenStream {
        let Reader {
            locals,
            arms,
            inits,
            ..
        } = self;
        let expecting = format!("an object of entity type `{qualified}`");
        let serde = super::serde_path(rt);
        quote! {
            impl<'de> #serde::Deserialize<'de> for #name {
                fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    struct __Visitor;

                    impl<'de> #serde::de::Visitor<'de> for __Visitor {
                        type Value = #name;

                        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(#expecting)
                        }

                        fn visit_map<A: #serde::de::MapAccess<'de>>(self, mut map: A) -> Result<#name, A::Error> {
                            #locals
                            while let Some(key) = map.next_key::<#rt::codec::Key<'de>>()? {
                                match key.as_str() {
                                    #arms
                                    _ => {
                                        map.next_value::<#serde::de::IgnoredAny>()?;
                                    }
                                }
                            }
                            Ok(#name { #inits })
                        }
                    }

                    deserializer.deserialize_map(__Visitor)
                }
            }
        }
    }
}

fn new_model(
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

fn patch_model(
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
    let serde = super::serde_path(rt);
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
