//! `#[traced]`: parse the options and the function into a [`model::Traced`], then expand.

mod attr;
mod expand;
mod model;

use proc_macro2::TokenStream;

use crate::diagnostics::fallback;

/// The whole macro: `args` are the tokens inside `#[traced(...)]`, `item` the function.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let options = match attr::parse(args) {
        Ok(options) => options,
        Err(error) => return fallback(item, &error),
    };
    let function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                "#[traced] goes on a function or method with a body (`fn`, `async fn`)",
            );
            return fallback(item, &error);
        }
    };
    match model::Traced::new(options, function) {
        Ok(traced) => expand::generate(&traced),
        Err(error) => fallback(item, &error),
    }
}

#[cfg(test)]
mod tests;
