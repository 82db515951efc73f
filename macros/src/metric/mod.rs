//! The recording macros `counter!`, `updown!`, `histogram!` and `gauge!`: parse the call,
//! check the name, unit, description and attribute keys, and expand to a per-call-site
//! `static` instrument handle.

mod args;
mod expand;
mod model;

use proc_macro2::TokenStream;

use crate::diagnostics::Diagnostics;
pub(crate) use crate::validate::InstrumentKind;

/// A recording macro of `kind`: `input` is everything between its parentheses.
pub(crate) fn record(kind: InstrumentKind, input: TokenStream) -> TokenStream {
    let mut diagnostics = Diagnostics::default();
    let Some(call) = args::parse(input, &mut diagnostics) else {
        return diagnostics.into_error().to_compile_error();
    };
    match model::Recording::new(kind, call, diagnostics) {
        Ok(recording) => expand::generate(&recording),
        // A recording is a statement: in its place, the errors alone.
        Err(error) => error.to_compile_error(),
    }
}

#[cfg(test)]
mod tests;
