//! What one recording call means, with every compile-time check applied.

use syn::{parse_quote, Expr, Path};

use super::args::Call;
use crate::attributes::Conversion;
use crate::diagnostics::Diagnostics;
use crate::validate::{self, Guideline, InstrumentKind, UniqueKeys};

/// A checked recording call.
pub(crate) struct Recording {
    pub(crate) kind: InstrumentKind,
    pub(crate) name: String,
    pub(crate) unit: String,
    pub(crate) description: String,
    pub(crate) value: Expr,
    /// Key, value, conversion.
    pub(crate) attributes: Vec<(String, Expr, Conversion)>,
    pub(crate) krate: Path,
}

impl Recording {
    pub(crate) fn new(
        kind: InstrumentKind,
        call: Call,
        mut diagnostics: Diagnostics,
    ) -> syn::Result<Self> {
        let name = call.name.value();
        let unit = call
            .unit
            .as_ref()
            .map(syn::LitStr::value)
            .unwrap_or_default();
        let description = call
            .description
            .as_ref()
            .map(syn::LitStr::value)
            .unwrap_or_default();

        if let Err(message) = validate::instrument_name(&name) {
            diagnostics.error_at(&call.name, message);
        } else {
            let mut allowed = Vec::new();
            for ident in &call.allow {
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
                diagnostics.error_at(&call.name, message);
            }
        }
        if let Some(lit) = &call.unit {
            if let Err(message) = validate::unit(&unit) {
                diagnostics.error_at(lit, message);
            }
        }
        if let Some(lit) = &call.description {
            if let Err(message) = validate::description(&description) {
                diagnostics.error_at(lit, message);
            }
        }
        let mut keys = UniqueKeys::default();
        for field in &call.attributes {
            keys.add(&field.key, field.key_span, &mut diagnostics);
        }
        diagnostics.finish()?;

        Ok(Self {
            kind,
            name,
            unit,
            description,
            value: call.value,
            attributes: call
                .attributes
                .into_iter()
                .map(|f| (f.key, f.value, f.conversion))
                .collect(),
            krate: call.krate.unwrap_or_else(|| parse_quote!(::signalry)),
        })
    }
}
