//! What a metric macro means, with every compile-time check applied: an [`Instrument`] (name,
//! unit, description, attributes), recorded by a call ([`Recording`]) or measured around a
//! function ([`Measured`]).

use proc_macro2::Span;
use syn::{parse_quote, Expr, ItemFn, Path};

use super::args::{Call, Options};
use crate::attributes::Conversion;
use crate::body::Body;
use crate::declared;
use crate::diagnostics::Diagnostics;
use crate::validate::{self, Guideline, InstrumentKind, UniqueKeys};

/// A checked instrument.
pub(crate) struct Instrument {
    pub(crate) kind: InstrumentKind,
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) description: String,
    /// Key, value, conversion.
    pub(crate) attributes: Vec<(String, Expr, Conversion)>,
    pub(crate) krate: Path,
}

impl Instrument {
    /// Checks `name` (written at `name_span`) and `options`; problems go to `diagnostics`.
    fn new(
        kind: InstrumentKind,
        name: String,
        name_span: Span,
        default_unit: &str,
        options: Options,
        location: Option<&str>,
        diagnostics: &mut Diagnostics,
    ) -> Self {
        let unit = options
            .unit
            .as_ref()
            .map_or_else(|| default_unit.to_owned(), syn::LitStr::value);
        let description = options
            .description
            .as_ref()
            .map(syn::LitStr::value)
            .unwrap_or_default();

        if let Err(message) = validate::instrument_name(&name) {
            diagnostics.push(syn::Error::new(name_span, message));
        } else {
            let mut allowed = Vec::new();
            for ident in &options.allow {
                match Guideline::from_name(&ident.to_string()) {
                    Some(guideline) => allowed.push(guideline),
                    None => diagnostics.error_at(
                        ident,
                        format!(
                            "unknown naming guideline `{ident}`; guidelines: {}",
                            Guideline::ALL.map(Guideline::name).join(", ")
                        ),
                    ),
                }
            }
            for (_, message) in validate::guidelines(&name, kind, &unit, &allowed) {
                diagnostics.push(syn::Error::new(name_span, message));
            }
        }
        if let Some(lit) = &options.unit {
            if let Err(message) = validate::unit(&unit) {
                diagnostics.error_at(lit, message);
            }
        }
        if let Some(lit) = &options.description {
            if let Err(message) = validate::description(&description) {
                diagnostics.error_at(lit, message);
            }
        }
        let mut keys = UniqueKeys::default();
        for field in &options.attributes {
            keys.add(&field.key, field.key_span, diagnostics);
        }
        if let (Some(location), true) = (location, diagnostics.is_empty()) {
            let keys = options.attributes.iter().map(|f| f.key.clone()).collect();
            if let Err(message) = declared::declare(&name, kind, &unit, keys, location) {
                diagnostics.push(syn::Error::new(name_span, message));
            }
        }
        Self {
            kind,
            name,
            unit,
            description,
            attributes: options
                .attributes
                .into_iter()
                .map(|f| (f.key, f.value, f.conversion))
                .collect(),
            krate: options.krate.unwrap_or_else(|| parse_quote!(::signalry)),
        }
    }
}

/// `counter!("name", value, ...)` and the other recording macros.
pub(crate) struct Recording {
    pub(crate) instrument: Instrument,
    pub(crate) value: Expr,
}

impl Recording {
    pub(crate) fn new(
        kind: InstrumentKind,
        call: Call,
        location: Option<&str>,
        mut diagnostics: Diagnostics,
    ) -> syn::Result<Self> {
        if kind.is_observable() {
            if let Some(first) = call.options.attributes.first() {
                diagnostics.push(syn::Error::new(
                    first.key_span,
                    "an observable instrument's attributes are given with each value, in the \
                     callback: `observer.observe(value, &[KeyValue::new(\"key\", value)])`",
                ));
            }
        }
        let instrument = Instrument::new(
            kind,
            call.name.value(),
            call.name.span(),
            "",
            call.options,
            location,
            &mut diagnostics,
        );
        diagnostics.finish()?;
        Ok(Self {
            instrument,
            value: call.value,
        })
    }
}

/// `#[metric(kind, ...)]` on a function.
pub(crate) struct Measured {
    pub(crate) instrument: Instrument,
    pub(crate) function: ItemFn,
    pub(crate) body: Body,
}

impl Measured {
    pub(crate) fn new(
        kind: InstrumentKind,
        options: Options,
        function: ItemFn,
        location: Option<&str>,
        mut diagnostics: Diagnostics,
    ) -> syn::Result<Self> {
        if let Some(constness) = &function.sig.constness {
            diagnostics.error_at(
                constness,
                "#[metric] cannot measure a `const fn`: measuring needs run-time code; remove \
                 `const` or the attribute",
            );
        }
        let ident = &function.sig.ident;
        let (suffix, default_unit) = match kind {
            InstrumentKind::Counter => ("calls", "{call}"),
            InstrumentKind::Histogram => ("duration", "s"),
            _ => ("active", "{call}"),
        };
        let (name, name_span) = match &options.name {
            Some(lit) => (lit.value(), lit.span()),
            None => (format!("{ident}.{suffix}"), ident.span()),
        };
        if kind == InstrumentKind::Histogram {
            if let Some(lit) = &options.unit {
                if !matches!(lit.value().as_str(), "s" | "ms") {
                    diagnostics.error_at(
                        lit,
                        "#[metric(histogram)] records the call's duration: its unit is `s` \
                         (the default) or `ms`",
                    );
                }
            }
        }
        let instrument = Instrument::new(
            kind,
            name,
            name_span,
            default_unit,
            options,
            location,
            &mut diagnostics,
        );
        diagnostics.finish()?;
        Ok(Self {
            instrument,
            body: Body::of(&function),
            function,
        })
    }

    /// Whether a failed call (`Err`) is recorded with `error.type`: counters and durations,
    /// for functions returning a `Result`.
    pub(crate) fn records_result(&self) -> bool {
        self.body.returns_result
            && matches!(
                self.instrument.kind,
                InstrumentKind::Counter | InstrumentKind::Histogram
            )
    }
}
