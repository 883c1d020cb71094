//! Enumerations (with an `Unknown` arm and flags sets), complex types and type definitions.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{described, doc, ident};
use super::names::{Scope, snake, type_name};
use super::{At, Ctx, ServiceProfile};
use crate::csdl::{AnnotationsExt, ComplexType, EnumType, TypeDefinition, terms};

/// An enumeration: a Rust enum with one variant per member and `Unknown(String)` for members
/// added to the service later; serialized as member names, written in URLs as
/// `Namespace.Enum'Member'`.
pub(crate) fn enumeration(ctx: &Ctx<'_, '_>, ty: &EnumType) -> TokenStream {
    let rt = ctx.rt();
    let serde = ctx.serde();
    let Some(names) = ctx.plan.enums.get(&*ty.qualified_name) else {
        return TokenStream::new();
    };
    let name = ident(&names.ty);
    let qualified = &*ty.qualified_name;
    let mut variants = Scope::new(&["Unknown"]);
    let mut defs = TokenStream::new();
    let mut to_str = TokenStream::new();
    let mut from_str = TokenStream::new();
    for member in &ty.members {
        let wanted = type_name(&member.name);
        let variant_name = if variants.is_free(&wanted) {
            wanted
        } else {
            format!("{wanted}Member")
        };
        let variant = ident(&variants.unique(&variant_name));
        let text = &*member.name;
        let label = member
            .annotations
            .annotation(terms::fno::LABEL_ID)
            .and_then(|a| a.as_str());
        let description = member
            .annotations
            .annotation(terms::core::DESCRIPTION)
            .and_then(|a| a.as_str());
        let mut line = format!("`{text}` (value {}).", member.value);
        if let Some(d) = described(description, label) {
            line = format!("{line} {d}");
        }
        let attrs = doc(&line);
        defs.extend(quote!(#attrs #variant,));
        to_str.extend(quote!(Self::#variant => #text,));
        from_str.extend(quote!(#text => Self::#variant,));
    }
    let type_doc = doc(&format!(
        "Enumeration `{qualified}`.{}\n\nSerialized as member names; `Unknown` holds a member \
         these bindings do not know. Non-exhaustive: a `match` needs a `_` arm, so members the \
         service adds later never break a build.",
        described(ty_description(ctx, ty), ty_label(ty))
            .map(|d| format!(" {d}"))
            .unwrap_or_default()
    ));
    let ordered = match ctx.options.profile {
        ServiceProfile::Generic => {
            quote!(impl #rt::Ordered<#rt::profile::GenericOData> for #name {})
        }
        ServiceProfile::Fno => quote!(),
    };
    let mut out = quote! {
        #type_doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[allow(clippy::enum_variant_names)]
        #[non_exhaustive]
        pub enum #name {
            #defs
            /// A member these bindings do not know, by name.
            Unknown(String),
        }

        impl #name {
            /// The qualified enumeration type name.
            pub const TYPE_NAME: &'static str = #qualified;

            /// The member name, as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #to_str
                    Self::Unknown(name) => name,
                }
            }

            /// The member with this name (`Unknown` for a name these bindings do not know).
            pub fn from_name(name: &str) -> Self {
                match name {
                    #from_str
                    _ => Self::Unknown(name.to_owned()),
                }
            }
        }

        impl #serde::Serialize for #name {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> #serde::Deserialize<'de> for #name {
            fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let name = <String as #serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from_name(&name))
            }
        }

        impl #rt::edm::ODataLiteral for #name {
            fn write_literal(&self, out: &mut String) {
                #rt::edm::ODataLiteral::write_literal(
                    &#rt::edm::EnumLiteral::new(Self::TYPE_NAME, self.as_str()),
                    out,
                );
            }
        }

        #ordered
    };
    if let Some(flags) = &names.flags {
        let flags = ident(flags);
        let flags_doc = doc(&format!(
            "A combination of [`{}`] members (`{qualified}` is a flags enumeration), written \
             as comma-separated member names.",
            names.ty
        ));
        out.extend(quote! {
            #flags_doc
            #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
            pub struct #flags(pub Vec<#name>);

            impl #flags {
                fn joined(&self) -> String {
                    let names: Vec<&str> = self.0.iter().map(#name::as_str).collect();
                    names.join(",")
                }
            }

            impl #serde::Serialize for #flags {
                fn serialize<S: #serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(&self.joined())
                }
            }

            impl<'de> #serde::Deserialize<'de> for #flags {
                fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let text = <String as #serde::Deserialize>::deserialize(deserializer)?;
                    Ok(Self(
                        text.split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(#name::from_name)
                            .collect(),
                    ))
                }
            }

            impl #rt::edm::ODataLiteral for #flags {
                fn write_literal(&self, out: &mut String) {
                    #rt::edm::ODataLiteral::write_literal(
                        &#rt::edm::EnumLiteral::new(#name::TYPE_NAME, &self.joined()),
                        out,
                    );
                }
            }
        });
    }
    out
}

fn ty_label(ty: &EnumType) -> Option<&str> {
    ty.annotations
        .annotation(terms::fno::LABEL_ID)
        .and_then(|a| a.as_str())
}

fn ty_description<'d>(ctx: &'d Ctx<'_, '_>, ty: &'d EnumType) -> Option<&'d str> {
    ctx.doc
        .annotation(
            &ty.annotations,
            &ty.qualified_name,
            terms::core::DESCRIPTION,
        )
        .and_then(|a| a.as_str())
}

/// A complex type: a struct that reads and writes (only set optional fields are sent).
pub(crate) fn complex(ctx: &mut Ctx<'_, '_>, ty: &ComplexType) -> TokenStream {
    let Some(name) = ctx.plan.others.get(&*ty.qualified_name).cloned() else {
        return TokenStream::new();
    };
    let name_ident = ident(&name);
    let mut fields = Scope::new(&[]);
    let mut defs = TokenStream::new();
    let mut all_optional = true;
    for p in ctx.doc.all_complex_properties(ty) {
        let Some(value) = ctx.value_type(&p.ty, At::Top) else {
            ctx.warnings.push(format!(
                "{}/{}: type `{}` has no Rust form here; property omitted",
                ty.qualified_name, p.name, p.ty
            ));
            continue;
        };
        let field = ident(&fields.unique(&snake(&p.name)));
        let wire = &*p.name;
        let target = format!("{}/{}", ty.qualified_name, p.name);
        let description = ctx
            .doc
            .annotation(&p.annotations, &target, terms::core::DESCRIPTION)
            .and_then(|a| a.as_str());
        let attrs = doc(&format!(
            "`{wire}` (`{}`).{}",
            p.ty,
            described(description, None)
                .map(|d| format!(" {d}"))
                .unwrap_or_default()
        ));
        if p.ty.collection {
            defs.extend(quote!(#attrs #[serde(rename = #wire, default)] pub #field: #value,));
        } else if p.nullable {
            defs.extend(quote!(
                #attrs
                #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
                pub #field: Option<#value>,
            ));
        } else {
            all_optional = false;
            defs.extend(quote!(#attrs #[serde(rename = #wire)] pub #field: #value,));
        }
    }
    let description = ctx
        .doc
        .annotation(
            &ty.annotations,
            &ty.qualified_name,
            terms::core::DESCRIPTION,
        )
        .and_then(|a| a.as_str());
    let type_doc = doc(&format!(
        "Complex type `{}`.{}",
        ty.qualified_name,
        described(description, None)
            .map(|d| format!(" {d}"))
            .unwrap_or_default()
    ));
    let default = all_optional.then(|| quote!(Default,));
    let serde = ctx.serde();
    // The derives name serde by this path, not by a `serde` crate of the user's.
    let serde_crate = serde.to_string().replace(' ', "");
    quote! {
        #type_doc
        #[derive(Debug, Clone, PartialEq, #default #serde::Serialize, #serde::Deserialize)]
        #[serde(crate = #serde_crate)]
        pub struct #name_ident {
            #defs
        }
    }
}

/// A type definition: an alias of its underlying primitive type.
pub(crate) fn definition(ctx: &Ctx<'_, '_>, ty: &TypeDefinition) -> TokenStream {
    let Some(name) = ctx.plan.others.get(&*ty.qualified_name) else {
        return TokenStream::new();
    };
    let underlying = crate::csdl::TypeRef {
        name: ty.underlying_type.clone(),
        collection: false,
    };
    let Some(target) = ctx.item_type(&underlying, At::Top) else {
        return TokenStream::new();
    };
    let name = ident(name);
    let attrs = doc(&format!(
        "Type definition `{}` (`{}`).",
        ty.qualified_name, ty.underlying_type
    ));
    quote!(#attrs pub type #name = #target;)
}
