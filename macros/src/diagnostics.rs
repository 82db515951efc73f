//! Errors collected across a whole macro invocation and reported together.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::fmt::Display;

/// Collects every problem found in one macro invocation, so the user sees them all at once.
#[derive(Default)]
pub(crate) struct Diagnostics {
    errors: Option<syn::Error>,
}

impl Diagnostics {
    /// Records an error at `tokens`.
    pub(crate) fn error_at(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error as it is.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.errors {
            Some(errors) => errors.combine(error),
            None => self.errors = Some(error),
        }
    }

    /// Whether nothing was recorded so far.
    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_none()
    }

    /// `Ok` when nothing was recorded, else every error as one `syn::Error`.
    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        self.errors.map_or(Ok(()), Err)
    }

    /// Every error recorded, when the caller knows there is at least one.
    pub(crate) fn into_error(self) -> syn::Error {
        self.errors.unwrap_or_else(|| {
            syn::Error::new(
                proc_macro2::Span::call_site(),
                "internal error: no diagnostic",
            )
        })
    }
}

/// The user's item unchanged, followed by the errors: the crate still type-checks around it,
/// so the errors shown are ours and not a cascade of "cannot find function".
pub(crate) fn fallback(item: TokenStream, error: &syn::Error) -> TokenStream {
    let mut out = item;
    out.extend(error.to_compile_error());
    out
}

/// The error for an attribute macro put on anything but a function with a body, saying where
/// `#[name]` goes.
pub(crate) fn not_a_function(item: TokenStream, name: &str) -> syn::Error {
    let message = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Impl(_) | syn::Item::Trait(_)) => format!(
            "#[{name}] goes on each method, not on the `impl` or `trait` block; with \
             #[async_trait], keep #[async_trait] on the block and put #[{name}] on the methods"
        ),
        _ => match syn::parse2::<syn::TraitItemFn>(item.clone()) {
            Ok(method) if method.default.is_none() => format!(
                "#[{name}] needs a function body: put it on the method in each `impl`, not on \
                 the declaration in the trait"
            ),
            _ => format!("#[{name}] goes on a function or method with a body (`fn`, `async fn`)"),
        },
    };
    syn::Error::new_spanned(item, message)
}
