//! The request type an operation with optional parameters returns.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::analyse::Op;
use crate::emit::Ctx;
use crate::emit::docs::{doc, ident};
use crate::emit::names::Scope;

/// The request an operation with optional parameters returns: one setter per optional
/// parameter, `send`, and `IntoFuture` so that it can be awaited directly.
pub(super) fn request_type(ctx: &Ctx<'_, '_>, op: &Op, request: &Ident) -> TokenStream {
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
