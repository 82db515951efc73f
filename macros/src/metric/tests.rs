//! Expansion snapshots of the recording macros.

use proc_macro2::TokenStream;
use quote::quote;

use crate::validate::InstrumentKind;

fn expand(kind: InstrumentKind, input: TokenStream) -> String {
    let output = super::record(kind, input, None);
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

fn measure(args: TokenStream, item: TokenStream) -> String {
    let output = super::measure(args, item, None);
    match syn::parse2::<syn::File>(output.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => output.to_string(),
    }
}

#[test]
fn measured_counter_with_a_result() {
    insta::assert_snapshot!(measure(
        quote!(
            counter,
            name = "orders.handled",
            attributes(order.kind = kind, channel = "web")
        ),
        quote! {
            fn handle(kind: &str) -> Result<u32, Declined> {
                charge(kind)?;
                Ok(1)
            }
        }
    ));
}

#[test]
fn measured_duration_of_an_async_fn_and_calls_in_flight() {
    insta::assert_snapshot!(measure(
        quote!(histogram, unit = "ms"),
        quote! {
            async fn fetch(id: u64) -> std::io::Result<Vec<u8>> {
                load(id).await
            }
        }
    ));
    insta::assert_snapshot!(measure(
        quote!(updown),
        quote! {
            fn work() {
                step();
            }
        }
    ));
}

#[test]
fn measured_errors() {
    insta::assert_snapshot!(measure(
        quote!(gauge, unit = "min"),
        quote! {
            fn work() {}
        }
    ));
    insta::assert_snapshot!(measure(
        quote!(histogram, unit = "min", name = "Work"),
        quote! {
            const fn work() {}
        }
    ));
}

#[test]
fn observable_gauge_registers_its_callback() {
    insta::assert_snapshot!(expand(
        InstrumentKind::ObservableGauge,
        quote!(
            "queue.fill.ratio",
            move |observer| observer.observe(queue.fill(), &[]),
            unit = "1",
            description = "How full the queue is"
        )
    ));
}

#[test]
fn literal_attributes_are_built_once() {
    insta::assert_snapshot!(expand(
        InstrumentKind::Counter,
        quote!(
            "http.server.requests",
            1,
            unit = "{request}",
            attributes(http.request.method = "GET", http.route = "/orders")
        )
    ));
}
