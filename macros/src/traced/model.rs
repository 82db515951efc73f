//! What one `#[traced]` function means: the span it opens and how its body is wrapped.

use syn::{parse_quote, Ident, ItemFn, Path, ReturnType, Type};

use super::attr::{Options, SpanKind};
use crate::diagnostics::Diagnostics;

/// A validated `#[traced]` function.
pub(crate) struct Traced {
    /// The user's function; its attributes and signature are re-emitted unchanged.
    pub(crate) function: ItemFn,
    /// The span name.
    pub(crate) span_name: String,
    /// The span kind.
    pub(crate) kind: SpanKind,
    /// Path to the runtime crate (`::signalry` unless `crate = ...`).
    pub(crate) krate: Path,
    /// How the body runs.
    pub(crate) body: BodyKind,
    /// How the function's outcome is recorded.
    pub(crate) outcome: Outcome,
}

/// How the body is wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// `fn`: the span is attached to the thread for the body's duration.
    Sync,
    /// `async fn`: the span is attached on every poll of the body's future.
    Async,
}

/// What is recorded from the returned value.
pub(crate) enum Outcome {
    /// Nothing beyond panics.
    Nothing,
    /// A `Result`: `Err` sets status Error. Holds the declared return type.
    Result(Box<Type>),
}

impl Traced {
    pub(crate) fn new(options: Options, function: ItemFn) -> syn::Result<Self> {
        let mut diagnostics = Diagnostics::default();
        let sig = &function.sig;
        if let Some(constness) = &sig.constness {
            diagnostics.error_at(
                constness,
                "#[traced] cannot instrument a `const fn`: a span needs run-time code; remove \
                 `const` or the attribute",
            );
        }
        diagnostics.finish()?;

        let body = if sig.asyncness.is_some() {
            BodyKind::Async
        } else {
            BodyKind::Sync
        };
        let outcome = match &sig.output {
            ReturnType::Type(_, ty) if is_result(ty) => Outcome::Result(ty.clone()),
            _ => Outcome::Nothing,
        };
        Ok(Self {
            span_name: options
                .name
                .map_or_else(|| sig.ident.to_string(), |lit| lit.value()),
            kind: options.kind.unwrap_or(SpanKind::Internal),
            krate: options.krate.unwrap_or_else(|| parse_quote!(::signalry)),
            body,
            outcome,
            function,
        })
    }

    /// The function's name.
    pub(crate) fn ident(&self) -> &Ident {
        &self.function.sig.ident
    }
}

/// Whether the declared return type is a `Result` (including aliases such as `io::Result<T>`
/// whose last segment is `Result`).
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
