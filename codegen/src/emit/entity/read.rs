//! The read model's hand-written `Deserialize` impl.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::docs::ident;
use crate::emit::names::Scope;

/// How a read-model field is filled from its JSON member.
pub(super) enum Read {
    /// Must be present (keys and non-nullable properties).
    Required,
    /// `Option`: absent or `null` is `None`.
    Nullable,
    /// A collection: absent is empty.
    Defaulted,
}

/// The parts of a read model's hand-written `Deserialize` impl, one field at a time.
pub(super) struct Reader {
    rt: TokenStream,
    locals: TokenStream,
    arms: TokenStream,
    inits: TokenStream,
    /// Names of the locals, one per field, kept clear of the visitor's own bindings.
    local_names: Scope,
}

impl Reader {
    pub(super) fn new(rt: TokenStream) -> Self {
        Reader {
            rt,
            locals: TokenStream::new(),
            arms: TokenStream::new(),
            inits: TokenStream::new(),
            local_names: Scope::new(&["map", "key", "deserializer", "f"]),
        }
    }

    pub(super) fn add(&mut self, field: &proc_macro2::Ident, wire: &str, read: Read) {
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
    pub(super) fn deserialize_impl(
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
        let serde = crate::emit::serde_path(rt);
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
