//! Procedural macros of [signalry](https://docs.rs/signalry). Use them through the `signalry`
//! crate, which re-exports them and provides the runtime their expansions call.
//!
//! Each macro is parse → validate → expand; errors are collected and reported together, and
//! the user's item is still emitted so the rest of the crate type-checks.

mod attributes;
mod body;
mod declared;
mod diagnostics;
mod event;
mod metric;
mod registry;
mod traced;
mod validate;

use proc_macro::TokenStream;

/// Puts an OpenTelemetry span around a function. See `signalry::traced` for the options.
#[proc_macro_attribute]
pub fn traced(args: TokenStream, item: TokenStream) -> TokenStream {
    traced::expand(args.into(), item.into()).into()
}

/// Measures every call of a function. See `signalry::metric`.
#[proc_macro_attribute]
pub fn metric(args: TokenStream, item: TokenStream) -> TokenStream {
    metric::measure(args.into(), item.into(), Some(&call_site())).into()
}

/// Adds to a counter: `counter!("orders.created", 1, attributes(order.kind = kind))`. See
/// `signalry::counter`.
#[proc_macro]
pub fn counter(input: TokenStream) -> TokenStream {
    metric::record(
        metric::InstrumentKind::Counter,
        input.into(),
        Some(&call_site()),
    )
    .into()
}

/// Adds to (or subtracts from) an up-down counter. See `signalry::updown`.
#[proc_macro]
pub fn updown(input: TokenStream) -> TokenStream {
    metric::record(
        metric::InstrumentKind::UpDownCounter,
        input.into(),
        Some(&call_site()),
    )
    .into()
}

/// Records a value in a histogram. See `signalry::histogram`.
#[proc_macro]
pub fn histogram(input: TokenStream) -> TokenStream {
    metric::record(
        metric::InstrumentKind::Histogram,
        input.into(),
        Some(&call_site()),
    )
    .into()
}

/// Sets a gauge. See `signalry::gauge`.
#[proc_macro]
pub fn gauge(input: TokenStream) -> TokenStream {
    metric::record(
        metric::InstrumentKind::Gauge,
        input.into(),
        Some(&call_site()),
    )
    .into()
}

/// Where the macro being expanded was called, for the crate-wide check of metric names.
fn call_site() -> String {
    let span = proc_macro::Span::call_site();
    format!("{}:{}:{}", span.file(), span.line(), span.column())
}

/// Registers a callback that reports a monotonic sum when metrics are collected. See
/// `signalry::observable_counter`.
#[proc_macro]
pub fn observable_counter(input: TokenStream) -> TokenStream {
    metric::record(
        metric::InstrumentKind::ObservableCounter,
        input.into(),
        Some(&call_site()),
    )
    .into()
}

/// Registers a callback that reports a sum going up and down. See `signalry::observable_updown`.
#[proc_macro]
pub fn observable_updown(input: TokenStream) -> TokenStream {
    metric::record(
        metric::InstrumentKind::ObservableUpDownCounter,
        input.into(),
        Some(&call_site()),
    )
    .into()
}

/// Registers a callback that reports a gauge. See `signalry::observable_gauge`.
#[proc_macro]
pub fn observable_gauge(input: TokenStream) -> TokenStream {
    metric::record(
        metric::InstrumentKind::ObservableGauge,
        input.into(),
        Some(&call_site()),
    )
    .into()
}

/// Makes a struct a typed structured event. See `signalry::TelemetryEvent`.
#[proc_macro_derive(TelemetryEvent, attributes(event))]
pub fn telemetry_event(input: TokenStream) -> TokenStream {
    event::derive(input.into(), Some(&call_site())).into()
}
