//! Code generation for the recording macros: a `static` handle per call site, and a record
//! that builds its attributes on the stack, only when telemetry is on.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::model::Recording;
use crate::attributes::Conversion;
use crate::validate::InstrumentKind;

pub(crate) fn generate(recording: &Recording) -> TokenStream {
    let Recording {
        kind,
        name,
        unit,
        description,
        value,
        attributes,
        krate,
    } = recording;
    let kind_type = Ident::new(
        match kind {
            InstrumentKind::Counter => "CounterKind",
            InstrumentKind::UpDownCounter => "UpDownKind",
            InstrumentKind::Histogram => "HistogramKind",
            InstrumentKind::Gauge => "GaugeKind",
        },
        Span::call_site(),
    );
    let attributes = attributes.iter().map(|(key, expr, conversion)| {
        let value = match conversion {
            Conversion::Native => quote_spanned! {expr.span()=>
                #krate::__private::AttributeValue::attribute_value(&(#expr))
            },
            Conversion::Display => quote!(#krate::__private::display_value(&(#expr))),
            Conversion::Debug => quote!(#krate::__private::debug_value(&(#expr))),
        };
        quote!(#krate::__private::KeyValue::new(#key, #value))
    });
    // The value is checked against the instrument's value type where it was written.
    let value = quote_spanned!(value.span()=> #value);
    quote! {{
        static __SIGNALRY_METRIC: #krate::__private::MetricSite<#krate::__private::#kind_type> =
            #krate::__private::MetricSite::new(#name, #unit, #description);
        if #krate::__private::enabled() {
            __SIGNALRY_METRIC.record(#value, &[#(#attributes),*]);
        }
    }}
}
