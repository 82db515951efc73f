//! Procedural macros of [signalry](https://docs.rs/signalry). Use them through the `signalry`
//! crate, which re-exports them and provides the runtime their expansions call.
//!
//! Each macro is parse → validate → expand; errors are collected and reported together, and
//! the user's item is still emitted so the rest of the crate type-checks.

mod diagnostics;
mod traced;
mod validate;

use proc_macro::TokenStream;

/// Puts an OpenTelemetry span around a function. See `signalry::traced` for the options.
#[proc_macro_attribute]
pub fn traced(args: TokenStream, item: TokenStream) -> TokenStream {
    traced::expand(args.into(), item.into()).into()
}
