//! `#[traced]`: parse the options and the function into a [`model::Traced`], then expand.

mod attr;
mod expand;
mod model;

use proc_macro2::TokenStream;

use crate::diagnostics::{fallback, Diagnostics};

/// The whole macro: `args` are the tokens inside `#[traced(...)]`, `item` the function.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    // Problems with the options and with the function are reported together.
    let mut diagnostics = Diagnostics::default();
    let options = attr::parse(args, &mut diagnostics);
    let function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            diagnostics.push(not_a_function(item.clone()));
            return fallback(item, &diagnostics.into_error());
        }
    };
    match model::Traced::new(options, function, diagnostics) {
        Ok(traced) => expand::generate(&traced),
        Err(error) => fallback(item, &error),
    }
}

/// The error for anything but a function with a body, saying where the attribute goes.
fn not_a_function(item: TokenStream) -> syn::Error {
    let message = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Impl(_) | syn::Item::Trait(_)) => {
            "#[traced] goes on each method, not on the `impl` or `trait` block; with \
             #[async_trait], keep #[async_trait] on the block and put #[traced] on the methods"
        }
        _ => match syn::parse2::<syn::TraitItemFn>(item.clone()) {
            Ok(method) if method.default.is_none() => {
                "#[traced] needs a function body: put it on the method in each `impl`, not on \
                 the declaration in the trait"
            }
            _ => "#[traced] goes on a function or method with a body (`fn`, `async fn`)",
        },
    };
    syn::Error::new_spanned(item, message)
}

#[cfg(test)]
mod tests;
