//! The items of one operation: its parameter struct, the function or method with its docs,
//! and the statements that build its request.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::MAX_POSITIONAL;
use super::analyse::{Op, Param, Receiver};
use super::request::request_type;
use crate::emit::Ctx;
use crate::emit::docs::{doc, ident};
use crate::emit::names::{Scope, type_name};

/// The generated items of one operation.
pub(super) struct Items {
    /// Parameter struct and request type, when the operation has them.
    pub(super) types: TokenStream,
    /// The trait method's signature with its docs (entity-bound operations).
    pub(super) declaration: TokenStream,
    /// The function or method with its body.
    pub(super) method: TokenStream,
}

pub(super) fn items(ctx: &Ctx<'_, '_>, op: &Op, name: &Ident, types: &mut Scope) -> Items {
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

/// `text` with its first letter in lower case (`Action …` → `action …`).
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
