//! The arguments of the metric macros, as written.
//!
//! Recording macros: `"name", value, options...`. The attribute: `#[metric(kind, options...)]`,
//! where `name = "..."` is one more option. Options: `unit = "..."`, `description = "..."`,
//! `attributes(key = value, ...)`, `allow(guideline, ...)`, `crate = path`.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Expr, Ident, LitStr, Path, Token};

use crate::attributes::{entries, skip_to_comma, Field};
use crate::diagnostics::Diagnostics;
use crate::validate::InstrumentKind;

/// The options of one instrument, each at most once.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) name: Option<LitStr>,
    pub(crate) unit: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) attributes: Vec<Field>,
    pub(crate) allow: Vec<Ident>,
    pub(crate) krate: Option<Path>,
}

/// One recording call: `counter!("name", value, options...)`.
pub(crate) struct Call {
    pub(crate) name: LitStr,
    pub(crate) value: Expr,
    pub(crate) options: Options,
}

/// Parses a recording call; `None` when even the name and value cannot be read.
pub(crate) fn call(input: TokenStream, diagnostics: &mut Diagnostics) -> Option<Call> {
    let parser = |stream: ParseStream<'_>| -> syn::Result<Call> {
        let name: LitStr = stream.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "the first argument is the instrument name, a string literal such as \
                 \"orders.created\"",
            )
        })?;
        stream.parse::<Token![,]>().map_err(|e| {
            syn::Error::new(e.span(), "expected `, value` after the instrument name")
        })?;
        let value: Expr = stream.parse()?;
        let options = options(stream, false, diagnostics)?;
        Ok(Call {
            name,
            value,
            options,
        })
    };
    parser
        .parse2(input)
        .map_err(|error| diagnostics.push(error))
        .ok()
}

/// Parses `#[metric(kind, options...)]`; `None` when the kind cannot be read.
pub(crate) fn attribute(
    input: TokenStream,
    diagnostics: &mut Diagnostics,
) -> Option<(InstrumentKind, Options)> {
    let parser = |stream: ParseStream<'_>| -> syn::Result<(InstrumentKind, Options)> {
        let kind: Ident = stream.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "#[metric] starts with what to measure: `counter` (calls), `histogram` \
                 (duration) or `updown` (calls in flight)",
            )
        })?;
        if stream.peek(Token![=]) || stream.peek(syn::token::Paren) {
            return Err(syn::Error::new(
                kind.span(),
                format!(
                    "#[metric] starts with what to measure, then the options: \
                     `#[metric(counter, {kind} ...)]`; the kinds are `counter` (calls), \
                     `histogram` (duration) and `updown` (calls in flight)"
                ),
            ));
        }
        let parsed = match kind.to_string().as_str() {
            "counter" => InstrumentKind::Counter,
            "histogram" => InstrumentKind::Histogram,
            "updown" => InstrumentKind::UpDownCounter,
            other => {
                return Err(syn::Error::new(
                    kind.span(),
                    format!(
                        "unknown metric kind `{other}`; expected `counter` (calls), \
                         `histogram` (duration) or `updown` (calls in flight)"
                    ),
                ))
            }
        };
        let options = options(stream, true, diagnostics)?;
        Ok((parsed, options))
    };
    parser
        .parse2(input)
        .map_err(|error| diagnostics.push(error))
        .ok()
}

/// `, option` repeated to the end; a bad option is reported and skipped.
fn options(
    stream: ParseStream<'_>,
    named: bool,
    diagnostics: &mut Diagnostics,
) -> syn::Result<Options> {
    let mut options = Options::default();
    let mut seen: Vec<String> = Vec::new();
    while !stream.is_empty() {
        stream.parse::<Token![,]>()?;
        if stream.is_empty() {
            break;
        }
        if let Err(error) = option(stream, &mut options, named, &mut seen, diagnostics) {
            diagnostics.push(error);
            skip_to_comma(stream);
        }
    }
    Ok(options)
}

fn option(
    stream: ParseStream<'_>,
    options: &mut Options,
    named: bool,
    seen: &mut Vec<String>,
    diagnostics: &mut Diagnostics,
) -> syn::Result<()> {
    let valid = if named {
        "name = \"...\", unit = \"...\", description = \"...\", attributes(key = value, ...), \
         allow(guideline, ...), crate = path"
    } else {
        "unit = \"...\", description = \"...\", attributes(key = value, ...), \
         allow(guideline, ...), crate = path"
    };
    let ident: Ident = if stream.peek(Token![crate]) {
        let token: Token![crate] = stream.parse()?;
        Ident::new("crate", token.span)
    } else {
        stream
            .parse()
            .map_err(|e| syn::Error::new(e.span(), format!("expected an option: {valid}")))?
    };
    let name = ident.to_string();
    if seen.contains(&name) {
        return Err(syn::Error::new(
            ident.span(),
            format!("`{name}` is given twice; keep one"),
        ));
    }
    seen.push(name.clone());
    match name.as_str() {
        "name" if named => {
            stream.parse::<Token![=]>()?;
            options.name = Some(stream.parse()?);
        }
        "unit" => {
            stream.parse::<Token![=]>()?;
            options.unit = Some(stream.parse()?);
        }
        "description" => {
            stream.parse::<Token![=]>()?;
            options.description = Some(stream.parse()?);
        }
        "crate" => {
            stream.parse::<Token![=]>()?;
            options.krate = Some(stream.parse()?);
        }
        "attributes" => {
            options.attributes = list(stream, &ident, diagnostics, Field::parse)?;
        }
        "allow" => {
            options.allow = list(stream, &ident, diagnostics, |s| s.parse::<Ident>())?;
        }
        _ => {
            return Err(syn::Error::new(
                ident.span(),
                format!("unknown option `{name}`; valid options: {valid}"),
            ))
        }
    }
    Ok(())
}

/// `(entry, entry, ...)`, each parsed by `entry`.
fn list<T>(
    stream: ParseStream<'_>,
    option: &Ident,
    diagnostics: &mut Diagnostics,
    entry: impl Fn(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    if !stream.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            option.span(),
            format!("`{option}` takes a list in parentheses: `{option}(...)`"),
        ));
    }
    let content;
    syn::parenthesized!(content in stream);
    Ok(entries(&content, diagnostics, entry))
}
