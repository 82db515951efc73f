//! `#[derive(TelemetryEvent)]`: a struct (or each variant of an enum) whose fields are the
//! attributes of an event (an
//! OpenTelemetry LogRecord with an event name). Parse the container and field options into a
//! [`model::Event`], check names and keys, then implement `signalry::TelemetryEvent`.

mod expand;
mod model;

use proc_macro2::TokenStream;

/// The derive: `input` is the item it is on; `location` is where (for the registry).
pub(crate) fn derive(input: TokenStream, location: Option<&str>) -> TokenStream {
    let input: syn::DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    match model::Event::new(&input, location) {
        Ok(event) => expand::generate(&event),
        // A derive adds items; without them the errors stand alone.
        Err(error) => error.to_compile_error(),
    }
}

#[cfg(test)]
mod tests;
