//! Code generation for the metric macros: a `static` handle per call site, and attributes
//! built only when telemetry is on.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::{Instrument, Measured, Recording};
use crate::attributes::Conversion;
use crate::body::{self, Hooks};
use crate::validate::InstrumentKind;

/// `static __SIGNALRY_METRIC: MetricSite<Kind> = ...;`
fn site(instrument: &Instrument) -> TokenStream {
    let Instrument {
        kind,
        name,
        unit,
        description,
        krate,
        ..
    } = instrument;
    let kind = Ident::new(
        match kind {
            InstrumentKind::Counter => "CounterKind",
            InstrumentKind::UpDownCounter => "UpDownKind",
            InstrumentKind::Histogram => "HistogramKind",
            InstrumentKind::Gauge => "GaugeKind",
            // Observable instruments have no static site: see `observation`.
            InstrumentKind::ObservableCounter
            | InstrumentKind::ObservableUpDownCounter
            | InstrumentKind::ObservableGauge => "GaugeKind",
        },
        Span::call_site(),
    );
    let keys = instrument.attributes.iter().map(|(key, ..)| key);
    // Counters and up-down counters are kept by signalry in per-site cells, and so are
    // histograms with literal attributes between collections.
    let site = match instrument.kind {
        InstrumentKind::Histogram => quote!(#krate::__private::HistogramSite),
        _ if is_sum(instrument) => quote!(#krate::__private::SumSite<#krate::__private::#kind>),
        _ => quote!(#krate::__private::MetricSite<#krate::__private::#kind>),
    };
    let constructor = match instrument.kind {
        InstrumentKind::Histogram => quote!(#krate::__private::HistogramSite::new),
        _ if is_sum(instrument) => quote!(#krate::__private::SumSite::new),
        _ => quote!(#krate::__private::MetricSite::new),
    };
    quote! {
        static __SIGNALRY_METRIC: #site =
            #constructor(
                #name,
                #unit,
                #description,
                &[#(#keys),*],
                module_path!(),
            );
    }
}

/// Whether signalry keeps the instrument's sums itself (counters, up-down counters).
fn is_sum(instrument: &Instrument) -> bool {
    matches!(
        instrument.kind,
        InstrumentKind::Counter | InstrumentKind::UpDownCounter
    )
}

/// Whether every attribute is a literal (or there is none): the same on every call.
fn fixed(instrument: &Instrument) -> bool {
    instrument.attributes.iter().all(|(_, expr, conversion)| {
        *conversion == Conversion::Native && matches!(expr, syn::Expr::Lit(_))
    })
}

/// Ties the expansion to the registry: the `SIGNALRY_REGISTRY` variable and, when one was
/// used, the file itself, so that changing either rebuilds the crate.
fn registry_tracking(instrument: &Instrument) -> TokenStream {
    let file = instrument.registry.as_ref().map(|path| {
        let path = path.display().to_string();
        quote!(
            const _: &[u8] = include_bytes!(#path);
        )
    });
    quote! {
        const _: ::core::option::Option<&str> = option_env!("SIGNALRY_REGISTRY");
        #file
    }
}

/// The `KeyValue`s of the instrument's attributes, comma-separated.
fn attributes(instrument: &Instrument) -> TokenStream {
    let krate = &instrument.krate;
    let attributes = instrument.attributes.iter().map(|(key, expr, conversion)| {
        let value = match conversion {
            Conversion::Native => quote_spanned! {expr.span()=>
                #krate::__private::AttributeValue::attribute_value(&(#expr))
            },
            Conversion::Display => quote!(#krate::__private::display_value(&(#expr))),
            Conversion::Debug => quote!(#krate::__private::debug_value(&(#expr))),
        };
        quote!(#krate::__private::KeyValue::new(#key, #value))
    });
    quote!(#(#attributes),*)
}

/// A recording: `{ static ...; if enabled { site.record(value, &[attributes]) } }`, or for an
/// observable instrument the registration of its callback, which returns its `Observation`.
pub(crate) fn recording(recording: &Recording) -> TokenStream {
    if recording.instrument.kind.is_observable() {
        return observation(recording);
    }
    let instrument = &recording.instrument;
    let krate = &instrument.krate;
    let site = site(instrument);
    let attributes = attributes(instrument);
    // The value is checked against the instrument's value type where it was written.
    let value = &recording.value;
    let value = quote_spanned!(value.span()=> #value);
    let tracking = registry_tracking(instrument);
    // Attributes that are all literals are the same on every call: built once, on first use.
    let record = match (is_sum(instrument), fixed(instrument)) {
        (true, true) => quote! {
            __SIGNALRY_METRIC.add_fixed(#value, || ::std::vec![#attributes]);
        },
        (true, false) => quote!(__SIGNALRY_METRIC.add(#value, &[#attributes]);),
        (false, true) => quote! {
            __SIGNALRY_METRIC.record_fixed(#value, || ::std::vec![#attributes]);
        },
        (false, false) => quote!(__SIGNALRY_METRIC.record(#value, &[#attributes]);),
    };
    quote! {{
        #tracking
        #site
        if #krate::__private::enabled() {
            #record
        }
    }}
}

/// A measured function: the call is measured from the start of the body to its end.
pub(crate) fn measured(measured: &Measured) -> TokenStream {
    let instrument = &measured.instrument;
    let krate = &instrument.krate;
    let call = body::local("__signalry_call");
    let ret = body::local("__signalry_ret");
    let site = site(instrument);
    let attributes = attributes(instrument);
    let attributes = if instrument.attributes.is_empty() {
        quote!(::std::vec::Vec::new())
    } else {
        quote!(::std::vec![#attributes])
    };
    let tracking = registry_tracking(instrument);
    let fixed = fixed(instrument);
    let prologue = quote! {
        #tracking
        #site
        let #call = #krate::__private::MeasuredCall::start(&__SIGNALRY_METRIC, #fixed, || #attributes);
    };
    let hooks = Hooks {
        enter_sync: TokenStream::new(),
        wrap_future: Box::new(|future| future),
        // The call ends here when the body returns normally, inlined; unwinding and early
        // returns end it through its `Drop`.
        after: Some(if measured.records_result() {
            quote! {
                #call.record_result(&#ret);
                #call.finish();
            }
        } else {
            quote!(#call.finish();)
        }),
        catch_returns: measured.records_result(),
    };
    body::wrap(&measured.function, &measured.body, prologue, &ret, &hooks)
}

/// `observe_counter(name, unit, description, callback)` and the like.
fn observation(recording: &Recording) -> TokenStream {
    let Instrument {
        kind,
        name,
        unit,
        description,
        krate,
        ..
    } = &recording.instrument;
    let register = Ident::new(
        match kind {
            InstrumentKind::ObservableCounter => "observe_counter",
            InstrumentKind::ObservableUpDownCounter => "observe_updown",
            _ => "observe_gauge",
        },
        Span::call_site(),
    );
    let callback = &recording.value;
    let callback = quote_spanned!(callback.span()=> #callback);
    let tracking = registry_tracking(&recording.instrument);
    quote! {{
        #tracking
        #krate::__private::#register(#name, #unit, #description, module_path!(), #callback)
    }}
}
