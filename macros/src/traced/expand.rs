//! Code generation for `#[traced]`.
//!
//! The function's attributes, visibility and signature are re-emitted as they came, so lints,
//! docs and IDE hints still point at the user's code; only the body is wrapped. Generated
//! locals use mixed-site hygiene, so they can neither shadow nor be shadowed by the user's.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Block, Expr, Stmt};

use super::model::{AttributeConversion, Parent, Shape, Traced};
use crate::attributes::value_tokens;

/// The local names generated code uses.
struct Locals {
    span: Ident,
    ret: Ident,
    attached: Ident,
    error: Ident,
}

impl Locals {
    fn new() -> Self {
        let ident = |name: &str| Ident::new(name, Span::mixed_site());
        Self {
            span: ident("__signalry_span"),
            ret: ident("__signalry_ret"),
            attached: ident("__signalry_attached"),
            error: ident("__signalry_error"),
        }
    }
}

pub(crate) fn generate(traced: &Traced) -> TokenStream {
    let syn::ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = &traced.function;
    let locals = Locals::new();
    let site = site(traced);
    let span = &locals.span;
    let krate = &traced.krate;
    let start = start(traced);
    // The autoref dispatch in `start` borrows values that are references already, which
    // clippy would flag in a user's crate that lints macro output.
    let start = quote! {
        #[allow(clippy::needless_borrow)]
        let #span = #krate::__private::ActiveSpan::start(&__SIGNALRY_SITE, || #start);
    };
    let body = match traced.shape {
        Shape::Sync => sync_body(traced, block, &locals),
        Shape::Async => {
            let wrapped = quote!(#span.wrap(async move #block).await);
            recorded(traced, &wrapped, &locals)
        }
        Shape::ReturnsAsyncBlock | Shape::ReturnsBoxedAsyncBlock => {
            returned_future_body(traced, block, &locals)
        }
    };
    // The braces keep the user's spans, so that lints about the function itself
    // (`missing_errors_doc`, `must_use_candidate`) still see user code, not macro output.
    let mut braces = Group::new(
        Delimiter::Brace,
        quote! {
            #site
            #start
            #body
        },
    );
    braces.set_span(block.brace_token.span.join());
    quote! {
        #(#attrs)*
        #vis #sig #braces
    }
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
    let count = traced.attributes.len();
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
        #krate::__private::SpanStart::new(#parent, #count)
            #link
            #(#attributes)*
    }}
}

/// A sync body: the span is attached for its duration. When the result is recorded, the body
/// runs in a closure, so that `return` and `?` in it still pass through the recording.
fn sync_body(traced: &Traced, block: &Block, locals: &Locals) -> TokenStream {
    let Locals { span, attached, .. } = locals;
    let attach = quote!(let #attached = #span.attach(););
    if !traced.records_result && !traced.records_return {
        return quote! {
            #attach
            #block
        };
    }
    let call = match &traced.return_type {
        Some(ty) => quote!((move || -> #ty #block)()),
        None => quote!((move || #block)()),
    };
    let recorded = recorded(traced, &call, locals);
    quote! {
        #attach
        #[allow(clippy::redundant_closure_call)]
        #recorded
    }
}

/// `value` (an expression producing the function's value), then what is recorded from it.
fn recorded(traced: &Traced, value: &TokenStream, locals: &Locals) -> TokenStream {
    if !traced.records_result && !traced.records_return {
        return value.clone();
    }
    let krate = &traced.krate;
    let Locals {
        span, ret, error, ..
    } = locals;
    let annotated = match &traced.return_type {
        Some(ty) => quote!(let #ret: #ty = #value;),
        None => quote!(let #ret = #value;),
    };
    // `err` on a type that is not a `Result` is a type error at the return type.
    let check = traced
        .return_type
        .as_ref()
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
    quote! {
        #annotated
        #result
        #returned
        #ret
    }
}

/// A function returning a future it builds from a trailing `async` block (plain, or in
/// `Box::pin` as `#[async_trait]` writes): the span starts at the call, and the block is
/// wrapped so the span is current on each poll and ends with the future.
fn returned_future_body(traced: &Traced, block: &Block, locals: &Locals) -> TokenStream {
    let span = &locals.span;
    let mut stmts = block.stmts.clone();
    let Some(Stmt::Expr(tail, None)) = stmts.pop() else {
        // The model only chooses this shape for a block with such a tail.
        return quote!(#block);
    };
    let wrap = |future: &Expr| {
        let awaited = quote!(#span.wrap(#future).await);
        let recorded = recorded(traced, &awaited, locals);
        quote!(async move { #recorded })
    };
    let tail = match &tail {
        Expr::Call(call) => {
            let func = &call.func;
            match call.args.first() {
                Some(future) => {
                    let wrapped = wrap(future);
                    quote!(#func(#wrapped))
                }
                None => quote!(#tail),
            }
        }
        future => wrap(future),
    };
    quote! {
        #(#stmts)*
        #tail
    }
}
