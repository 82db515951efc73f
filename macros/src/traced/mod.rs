//! `#[traced]`: parse the options and the function into a [`model::Traced`], then expand.

mod attr;
mod expand;
mod model;

use proc_macro2::TokenStream;

use crate::diagnostics::{fallback, not_a_function, Diagnostics};

/// The whole macro: `args` are the tokens inside `#[traced(...)]`, `item` the function.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    // Problems with the options and with the function are reported together.
    let mut diagnostics = Diagnostics::default();
    let options = attr::parse(args, &mut diagnostics);
    let function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            diagnostics.push(not_a_function(item.clone(), "traced"));
            return fallback(item, &diagnostics.into_error());
        }
    };
    match model::Traced::new(options, function, diagnostics) {
        Ok(traced) => expand::generate(&traced),
        Err(error) => fallback(item, &error),
    }
}

#[cfg(test)]
mod tests;
