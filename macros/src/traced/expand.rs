//! Code generation for `#[traced]`.
//!
//! The function's attributes, visibility and signature are re-emitted as they came, so lints,
//! docs and IDE hints still point at the user's code; only the body is wrapped. Generated
//! locals use mixed-site hygiene, so they can neither shadow nor be shadowed by the user's.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::{AttributeConversion, Parent, Traced};
use crate::attributes::value_tokens;
use crate::body::{self, Hooks};

/// The local names generated code uses.
struct Locals {
    span: Ident,
    ret: Ident,
    attached: Ident,
    error: Ident,
}

impl Locals {
    fn new() -> Self {
        let ident = body::local;
        Self {
            span: ident("__signalry_span"),
            ret: ident("__signalry_ret"),
            attached: ident("__signalry_attached"),
            error: ident("__signalry_error"),
        }
    }
}

pub(crate) fn generate(traced: &Traced) -> TokenStream {
    let locals = Locals::new();
    let Locals { span, attached, .. } = &locals;
    let krate = &traced.krate;
    let site = site(traced);
    let start = start(traced);
    // The autoref dispatch in `start` borrows values that are references already, which
    // clippy would flag in a user's crate that lints macro output.
    let after = after(traced, &locals);
    // A leaf span holds its record itself: what is recorded after the body changes it.
    let (kind, binding, enter_sync) = if traced.leaf {
        let binding = if after.is_some() {
            quote!(mut #span)
        } else {
            quote!(#span)
        };
        (quote!(LeafSpan), binding, TokenStream::new())
    } else {
        let enter = quote!(let #attached = #span.attach(););
        (quote!(ActiveSpan), quote!(#span), enter)
    };
    let prologue = quote! {
        #site
        #[allow(clippy::needless_borrow)]
        let #binding = #krate::__private::#kind::start(&__SIGNALRY_SITE, || #start);
    };
    let wrapper = span.clone();
    let hooks = Hooks {
        enter_sync,
        wrap_future: Box::new(move |future| quote!(#wrapper.wrap(#future))),
        after,
        catch_returns: true,
    };
    body::wrap(
        &traced.function,
        &traced.body,
        prologue,
        &locals.ret,
        &hooks,
    )
}

/// The `static` describing the span: everything known at compile time.
fn site(traced: &Traced) -> TokenStream {
    let krate = &traced.krate;
    let name = match &traced.name {
        Some(name) => quote!(::core::option::Option::Some(#name)),
        None => quote!(::core::option::Option::None),
    };
    let kind = Ident::new(traced.kind.variant(), Span::call_site());
    // `line!()` spanned at the function's name reports the line of the `fn`, not of the
    // attribute.
    let ident = &traced.function.sig.ident;
    let line = quote_spanned!(ident.span()=> line!());
    quote! {
        // Its type's name is the function's path, with the `impl` type for methods.
        fn __signalry_locator() {}
        static __SIGNALRY_SITE: #krate::__private::SpanSite = #krate::__private::SpanSite::new(
            #name,
            module_path!(),
            || ::core::any::type_name_of_val(&__signalry_locator),
            file!(),
            #line,
            #krate::__private::SpanKind::#kind,
        );
    }
}

/// The closure body that describes how this call's span starts; it runs only when telemetry
/// is on.
fn start(traced: &Traced) -> TokenStream {
    let krate = &traced.krate;
    let parent = match &traced.parent {
        Parent::Current => quote!(#krate::__private::Parent::Current),
        Parent::Root => quote!(#krate::__private::Parent::Root),
        Parent::Explicit(expr) => {
            let span_context = quote_spanned! {expr.span()=>
                #krate::__private::IntoSpanContext::span_context(&(#expr))
            };
            quote!(#krate::__private::Parent::Explicit(#span_context))
        }
    };
    let link = traced.link.as_ref().map(|expr| {
        let span_context = quote_spanned! {expr.span()=>
            #krate::__private::IntoSpanContext::span_context(&(#expr))
        };
        quote!(.link(#span_context))
    });
    let attributes = traced.attributes.iter().map(|attribute| {
        let key = &attribute.key;
        let expr = &attribute.value;
        let value = match attribute.conversion {
            AttributeConversion::NativeIfPossible => {
                quote!((&#krate::__private::Recorded(&#expr)).value())
            }
            AttributeConversion::Field(conversion) => value_tokens(krate, expr, conversion),
        };
        quote!(.attribute(#key, #value))
    });
    let imports = traced
        .attributes
        .iter()
        .any(|a| a.conversion == AttributeConversion::NativeIfPossible)
        .then(|| {
            quote! {
                #[allow(unused_imports)]
                use #krate::__private::{Native as _, NotNative as _};
            }
        });
    quote! {{
        #imports
        #krate::__private::SpanStart::new(#parent)
            #link
            #(#attributes)*
    }}
}

/// What is recorded from the produced value, bound to `ret`: the result's error, the
/// returned value.
fn after(traced: &Traced, locals: &Locals) -> Option<TokenStream> {
    if !traced.records_result && !traced.records_return {
        return None;
    }
    let krate = &traced.krate;
    let Locals {
        span, ret, error, ..
    } = locals;
    // `err` on a type that is not a `Result` is a type error at the return type.
    let check = traced
        .body
        .nameable_value()
        .filter(|_| traced.err_requested)
        .map(|ty| quote_spanned!(ty.span()=> #krate::__private::expect_result::<#ty>();));
    let result = traced.records_result.then(|| {
        quote! {
            #check
            #span.record_result(&#ret, |#error| {
                #[allow(unused_imports)]
                use #krate::__private::{DescribeDebug as _, DescribeDisplay as _, DescribeName as _};
                (&&&#krate::__private::Described(#error)).describe()
            });
        }
    });
    let returned = traced.records_return.then(|| {
        let value = if traced.records_result {
            quote!(#krate::__private::TracedResult::traced_ok(&#ret))
        } else {
            quote!(::core::option::Option::Some(&#ret))
        };
        quote! {
            #[allow(clippy::needless_borrow)]
            #span.record_return(|| {
                #[allow(unused_imports)]
                use #krate::__private::{ReturnDebug as _, ReturnNative as _, ReturnNothing as _};
                #value.and_then(|#ret| (&&&#krate::__private::Recorded(#ret)).return_value())
            });
        }
    });
    Some(quote! {
        #result
        #returned
    })
}
