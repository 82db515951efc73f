//! Code generation for `#[traced]`.
//!
//! The function's attributes, visibility and signature are re-emitted as they came, so lints,
//! docs and IDE hints still point at the user's code; only the body is wrapped.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use super::model::{BodyKind, Outcome, Traced};

pub(crate) fn generate(traced: &Traced) -> TokenStream {
    let syn::ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = &traced.function;
    let site = site(traced);
    let krate = &traced.krate;
    let span = Ident::new("__signalry_span", Span::mixed_site());
    let ret = Ident::new("__signalry_ret", Span::mixed_site());
    let attached = Ident::new("__signalry_attached", Span::mixed_site());

    let body = match (traced.body, &traced.outcome) {
        (BodyKind::Sync, Outcome::Nothing) => quote! {
            let #attached = #span.attach();
            #block
        },
        (BodyKind::Sync, Outcome::Result(ty)) => quote! {
            let #attached = #span.attach();
            // A closure, so that `return` and `?` in the body still pass through here.
            #[allow(clippy::redundant_closure_call)]
            let #ret: #ty = (move || -> #ty #block)();
            #span.record_result(&#ret);
            #ret
        },
        (BodyKind::Async, Outcome::Nothing) => quote! {
            #span.wrap(async move #block).await
        },
        (BodyKind::Async, Outcome::Result(ty)) => quote! {
            let #ret: #ty = #span.wrap(async move #block).await;
            #span.record_result(&#ret);
            #ret
        },
    };

    quote! {
        #(#attrs)*
        #vis #sig {
            #site
            let #span = #krate::__private::ActiveSpan::start(&__SIGNALRY_SITE);
            #body
        }
    }
}

/// The `static` describing the span: everything known at compile time.
fn site(traced: &Traced) -> TokenStream {
    let krate = &traced.krate;
    let name = &traced.span_name;
    let function = format!("::{}", traced.ident());
    let kind = Ident::new(traced.kind.variant(), Span::call_site());
    // `line!()` spanned at the function's name reports the line of the `fn`, not of the
    // attribute.
    let line = quote_spanned!(traced.ident().span()=> line!());
    quote! {
        static __SIGNALRY_SITE: #krate::__private::SpanSite = #krate::__private::SpanSite {
            name: #name,
            function: concat!(module_path!(), #function),
            file: file!(),
            line: #line,
            kind: #krate::__private::SpanKind::#kind,
        };
    }
}
