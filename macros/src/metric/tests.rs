//! Expansion snapshots of the recording macros.

use proc_macro2::TokenStream;
use quote::quote;

use crate::validate::InstrumentKind;

fn expand(kind: InstrumentKind, input: TokenStream) -> String {
    let output = super::record(kind, input);
    let wrapped = quote!(fn call_site() { #output; });
    match syn::parse2::<syn::File>(wrapped) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => output.to_string(),
    }
}

#[test]
fn counter_with_unit_description_and_attributes() {
    insta::assert_snapshot!(expand(
        InstrumentKind::Counter,
        quote!(
            "orders.created",
            1,
            unit = "{order}",
            description = "Orders accepted",
            attributes(order.kind = kind, "payment.method" = %method, ?region)
        )
    ));
}

#[test]
fn histogram_gauge_and_updown() {
    insta::assert_snapshot!(expand(
        InstrumentKind::Histogram,
        quote!("db.query.duration", elapsed.as_secs_f64(), unit = "s")
    ));
    insta::assert_snapshot!(expand(
        InstrumentKind::Gauge,
        quote!("cache.fill.ratio", ratio, unit = "1")
    ));
    insta::assert_snapshot!(expand(
        InstrumentKind::UpDownCounter,
        quote!("queue.size", -1, crate = my::signalry)
    ));
}

#[test]
fn every_problem_is_reported_at_once() {
    insta::assert_snapshot!(expand(
        InstrumentKind::Counter,
        quote!(
            "Requests_total",
            1,
            unit = "µs",
            attributes(a = 1, a = 2),
            allow(nothing)
        )
    ));
}
