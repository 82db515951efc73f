//! What a metric macro means, with every compile-time check applied: an [`Instrument`] (name,
//! unit, description, attributes), recorded by a call ([`Recording`]) or measured around a
//! function ([`Measured`]).

use proc_macro2::Span;
use std::path::PathBuf;

use syn::{parse_quote, Expr, ItemFn, Path};

use super::args::{Call, Options};
use crate::attributes::Conversion;
use crate::body::Body;
use crate::declared;
use crate::diagnostics::Diagnostics;
use crate::registry::{Registry, Violation};
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
    /// The registry file this use was checked against, which the expansion includes so that
    /// editing it rebuilds the crate.
    pub(crate) registry: Option<PathBuf>,
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
        let mut registry = None;
        if let (Some(location), true) = (location, diagnostics.is_empty()) {
            let keys = options.attributes.iter().map(|f| f.key.clone()).collect();
            if let Err(message) = declared::declare(&name, kind, &unit, keys, location) {
                diagnostics.push(syn::Error::new(name_span, message));
            }
            registry = check_registry(kind, &name, name_span, &unit, &options, diagnostics);
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
            registry,
        }
    }
}

/// Checks a use against the crate's `telemetry.yaml`, if it has one; returns its path.
fn check_registry(
    kind: InstrumentKind,
    name: &str,
    name_span: Span,
    unit: &str,
    options: &Options,
    diagnostics: &mut Diagnostics,
) -> Option<PathBuf> {
    let registry = match Registry::for_current_crate() {
        Ok(registry) => registry?,
        Err(error) => {
            diagnostics.push(syn::Error::new(name_span, error.to_string()));
            return None;
        }
    };
    let keys: Vec<&str> = options.attributes.iter().map(|f| f.key.as_str()).collect();
    for violation in registry.check_metric(name, kind, unit, &keys) {
        // An unknown key is reported at the key, everything else at the name.
        let span = match &violation {
            Violation::UnknownAttribute { key, .. } => options
                .attributes
                .iter()
                .find(|f| &f.key == key)
                .map_or(name_span, |f| f.key_span),
            _ => name_span,
        };
        diagnostics.push(syn::Error::new(span, violation.message(registry.path())));
    }
    Some(registry.path().to_path_buf())
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
