//! How an instrumented function's body runs, and how the attribute macros wrap it: shared by
//! `#[traced]` and `#[metric]`, which differ only in what they do before the body, around a
//! body future, and with the value produced.
//!
//! The signature is never touched. A sync body whose value is needed runs in a closure, so
//! that `return` and `?` in it still come back through the recording; an async body runs in
//! an `async move` block; a function returning a future built by a trailing `async` block
//! (plain, or in `Box::pin` as `#[async_trait]` writes) has that block wrapped.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream};
use quote::quote;
use syn::{Block, Expr, ItemFn, ReturnType, Stmt, Type};

/// How the body runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `fn`.
    Sync,
    /// `async fn`.
    Async,
    /// A `fn` whose body ends in an `async` block (returning `impl Future`): the wrapping
    /// starts at the call and follows the future.
    ReturnsAsyncBlock,
    /// A `fn` whose body ends in `Box::pin(async ...)`, as `#[async_trait]` writes methods.
    ReturnsBoxedAsyncBlock,
}

/// What the body of a function is and produces.
pub(crate) struct Body {
    pub(crate) shape: Shape,
    /// The declared return type.
    pub(crate) declared: Option<Type>,
    /// The type of the value the body produces: the declared type, or for a function
    /// returning a future the future's `Output`, when the signature spells it out.
    pub(crate) value: Option<Type>,
    /// Whether that value is a `Result` (including aliases such as `io::Result<T>`).
    pub(crate) returns_result: bool,
}

impl Body {
    pub(crate) fn of(function: &ItemFn) -> Self {
        let declared = match &function.sig.output {
            ReturnType::Type(_, ty) => Some((**ty).clone()),
            ReturnType::Default => None,
        };
        let shape = if function.sig.asyncness.is_some() {
            Shape::Async
        } else {
            match tail_async_block(&function.block) {
                Some(TailAsync::Plain) => Shape::ReturnsAsyncBlock,
                Some(TailAsync::Boxed) => Shape::ReturnsBoxedAsyncBlock,
                None => Shape::Sync,
            }
        };
        let value = match shape {
            Shape::ReturnsAsyncBlock | Shape::ReturnsBoxedAsyncBlock => {
                declared.as_ref().and_then(future_output)
            }
            Shape::Sync | Shape::Async => declared.clone(),
        };
        Self {
            shape,
            returns_result: value.as_ref().is_some_and(is_result),
            declared,
            value,
        }
    }

    /// The value's type when it can be written in a `let` (no `impl Trait`).
    pub(crate) fn nameable_value(&self) -> Option<&Type> {
        self.value.as_ref().filter(|ty| !contains_impl_trait(ty))
    }
}

/// What an attribute macro adds around a body.
pub(crate) struct Hooks {
    /// Statements before a sync body runs (e.g. making a span current).
    pub(crate) enter_sync: TokenStream,
    /// How a body future is awaited: receives the future, returns the expression to `.await`.
    pub(crate) wrap_future: Box<dyn Fn(TokenStream) -> TokenStream>,
    /// Statements run with the produced value bound to `ret`; `None` when the value is not
    /// needed (the body then runs as it is).
    pub(crate) after: Option<TokenStream>,
    /// Whether `after` needs the value of a `return` or `?` too: a sync body then runs in a
    /// closure that catches them. Otherwise the block itself is the value, and an early return
    /// leaves through the guards' `Drop` instead of `after`.
    pub(crate) catch_returns: bool,
}

/// The new body of `function`: `prologue` first, then the user's body wrapped per its shape.
/// The braces keep the user's spans, so that lints about the function itself
/// (`missing_errors_doc`, `must_use_candidate`) still see user code, not macro output.
pub(crate) fn wrap(
    function: &ItemFn,
    body: &Body,
    prologue: TokenStream,
    ret: &Ident,
    hooks: &Hooks,
) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let ty = body.nameable_value();
    let wrapped = match body.shape {
        Shape::Sync => {
            let enter = &hooks.enter_sync;
            match &hooks.after {
                None => quote! {
                    #enter
                    #block
                },
                Some(_) if hooks.catch_returns => {
                    let call = match ty {
                        Some(ty) => quote!((move || -> #ty #block)()),
                        None => quote!((move || #block)()),
                    };
                    let value = then(ty, &call, ret, hooks);
                    quote! {
                        #enter
                        #[allow(clippy::redundant_closure_call)]
                        #value
                    }
                }
                Some(after) => {
                    // `let x: ! = ...` is not stable Rust: a never-returning body's value is
                    // left to inference.
                    let ty = ty.filter(|ty| !matches!(ty, syn::Type::Never(_)));
                    let bound = match ty {
                        Some(ty) => quote!(let #ret: #ty = #block;),
                        None => quote!(let #ret = #block;),
                    };
                    // A body that never returns (`panic!`, a loop) makes the rest
                    // unreachable; that is its author's intent, not a mistake to report.
                    quote! {
                        #enter
                        #[allow(clippy::diverging_sub_expression)]
                        #bound
                        #[allow(unreachable_code)]
                        {
                            #after
                        }
                        #ret
                    }
                }
            }
        }
        Shape::Async => {
            let future = (hooks.wrap_future)(quote!(async move #block));
            then(ty, &quote!(#future.await), ret, hooks)
        }
        Shape::ReturnsAsyncBlock | Shape::ReturnsBoxedAsyncBlock => {
            returned_future(block, ty, ret, hooks)
        }
    };
    let mut braces = Group::new(
        Delimiter::Brace,
        quote! {
            #prologue
            #wrapped
        },
    );
    braces.set_span(block.brace_token.span.join());
    quote! {
        #(#attrs)*
        #vis #sig #braces
    }
}

/// `value`, then the hooks' statements on it, then the value again.
fn then(ty: Option<&Type>, value: &TokenStream, ret: &Ident, hooks: &Hooks) -> TokenStream {
    let Some(after) = &hooks.after else {
        return value.clone();
    };
    let bound = match ty {
        Some(ty) => quote!(let #ret: #ty = #value;),
        None => quote!(let #ret = #value;),
    };
    quote! {
        #bound
        #after
        #ret
    }
}

/// The trailing `async` block, wrapped: it runs after everything the hooks set up at the call.
fn returned_future(block: &Block, ty: Option<&Type>, ret: &Ident, hooks: &Hooks) -> TokenStream {
    let mut stmts = block.stmts.clone();
    let Some(Stmt::Expr(tail, None)) = stmts.pop() else {
        // `Body::of` only chooses this shape for a block with such a tail.
        return quote!(#block);
    };
    let wrap = |future: &Expr| {
        let awaited = (hooks.wrap_future)(quote!(#future));
        let value = then(ty, &quote!(#awaited.await), ret, hooks);
        quote!(async move { #value })
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

/// An identifier for generated code, invisible to the user's (mixed-site hygiene).
pub(crate) fn local(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

enum TailAsync {
    Plain,
    Boxed,
}

/// Whether the block ends in `async { ... }` or `Box::pin(async { ... })`.
fn tail_async_block(block: &Block) -> Option<TailAsync> {
    let Some(Stmt::Expr(tail, None)) = block.stmts.last() else {
        return None;
    };
    match tail {
        Expr::Async(_) => Some(TailAsync::Plain),
        Expr::Call(call) if call.args.len() == 1 && is_box_pin(&call.func) => {
            matches!(call.args.first(), Some(Expr::Async(_))).then_some(TailAsync::Boxed)
        }
        _ => None,
    }
}

fn is_box_pin(func: &Expr) -> bool {
    let Expr::Path(path) = func else { return false };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.ends_with(&["Box".to_owned(), "pin".to_owned()])
}

/// Whether the type is a `Result` (including aliases such as `io::Result<T>` whose last
/// segment is `Result`).
fn is_result(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "Result" && !s.arguments.is_none()),
        Type::Paren(inner) => is_result(&inner.elem),
        Type::Group(inner) => is_result(&inner.elem),
        _ => false,
    }
}

/// `T` in `impl Future<Output = T>`, `Pin<Box<dyn Future<Output = T> + Send>>` and the like.
fn future_output(ty: &Type) -> Option<Type> {
    struct Finder(Option<Type>);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_assoc_type(&mut self, assoc: &'ast syn::AssocType) {
            if self.0.is_none() && assoc.ident == "Output" {
                self.0 = Some(assoc.ty.clone());
            }
        }
    }
    let mut finder = Finder(None);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}
