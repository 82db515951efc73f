//! The metric macros: the recording macros `counter!`, `updown!`, `histogram!` and `gauge!`,
//! and `#[metric(...)]` on functions. Parse, check the name, unit, description and attribute
//! keys, and expand to a per-call-site `static` instrument handle.

mod args;
mod expand;
mod model;

use proc_macro2::TokenStream;

use crate::diagnostics::{fallback, not_a_function, Diagnostics};
pub(crate) use crate::validate::InstrumentKind;

/// A recording macro of `kind`: `input` is everything between its parentheses.
/// `location` is where it was called (`None` in unit tests), for the crate-wide name check.
pub(crate) fn record(
    kind: InstrumentKind,
    input: TokenStream,
    location: Option<&str>,
) -> TokenStream {
    let mut diagnostics = Diagnostics::default();
    let Some(call) = args::call(input, &mut diagnostics) else {
        return diagnostics.into_error().to_compile_error();
    };
    match model::Recording::new(kind, call, location, diagnostics) {
        Ok(recording) => expand::recording(&recording),
        // A recording is a statement: in its place, the errors alone.
        Err(error) => error.to_compile_error(),
    }
}

/// One more on the counter `name`, with `attributes`: `#[event(count = "...")]`, checked and
/// expanded as `counter!(name, 1, unit = "{event}", attributes(...), allow(...))` would be. `None` when
/// the counter has problems, which are in `diagnostics`.
pub(crate) fn count(
    name: &syn::LitStr,
    attributes: Vec<crate::attributes::Field>,
    allow: Vec<syn::Ident>,
    krate: Option<syn::Path>,
    location: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> Option<TokenStream> {
    let call = args::Call {
        name: name.clone(),
        value: syn::parse_quote!(1),
        options: args::Options {
            unit: Some(syn::LitStr::new("{event}", name.span())),
            attributes,
            allow,
            krate,
            ..args::Options::default()
        },
    };
    match model::Recording::new(
        InstrumentKind::Counter,
        call,
        location,
        Diagnostics::default(),
    ) {
        Ok(recording) => Some(expand::recording(&recording)),
        Err(error) => {
            diagnostics.push(error);
            None
        }
    }
}

/// `#[metric(args)]` on `item`.
pub(crate) fn measure(args: TokenStream, item: TokenStream, location: Option<&str>) -> TokenStream {
    let mut diagnostics = Diagnostics::default();
    let parsed = args::attribute(args, &mut diagnostics);
    let function: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            diagnostics.push(not_a_function(item.clone(), "metric"));
            return fallback(item, &diagnostics.into_error());
        }
    };
    let Some((kind, options)) = parsed else {
        return fallback(item, &diagnostics.into_error());
    };
    match model::Measured::new(kind, options, function, location, diagnostics) {
        Ok(measured) => expand::measured(&measured),
        Err(error) => fallback(item, &error),
    }
}

#[cfg(test)]
mod tests;
