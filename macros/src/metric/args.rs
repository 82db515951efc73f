//! The arguments of a recording macro, as written:
//! `"name", value, unit = "...", description = "...", attributes(...), allow(...), crate = path`.

use proc_macro2::TokenStream;
use syn::parse::Parse;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, LitStr, Path, Token};

use crate::attributes::{entries, skip_to_comma, Field};
use crate::diagnostics::Diagnostics;

/// One recording call.
pub(crate) struct Call {
    pub(crate) name: LitStr,
    pub(crate) value: Expr,
    pub(crate) unit: Option<LitStr>,
    pub(crate) description: Option<LitStr>,
    pub(crate) attributes: Vec<Field>,
    pub(crate) allow: Vec<Ident>,
    pub(crate) krate: Option<Path>,
}

const VALID_OPTIONS: &str =
    "unit = \"...\", description = \"...\", attributes(key = value, ...), allow(guideline, ...), \
     crate = path";

/// Parses a call; `None` when even the name and value cannot be read.
pub(crate) fn parse(input: TokenStream, diagnostics: &mut Diagnostics) -> Option<Call> {
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
        let mut call = Call {
            name,
            value,
            unit: None,
            description: None,
            attributes: Vec::new(),
            allow: Vec::new(),
            krate: None,
        };
        let mut seen: Vec<String> = Vec::new();
        while !stream.is_empty() {
            stream.parse::<Token![,]>()?;
            if stream.is_empty() {
                break;
            }
            if let Err(error) = option(stream, &mut call, &mut seen, diagnostics) {
                diagnostics.push(error);
                skip_to_comma(stream);
            }
        }
        Ok(call)
    };
    match parser.parse2(input) {
        Ok(call) => Some(call),
        Err(error) => {
            diagnostics.push(error);
            None
        }
    }
}

fn option(
    stream: ParseStream<'_>,
    call: &mut Call,
    seen: &mut Vec<String>,
    diagnostics: &mut Diagnostics,
) -> syn::Result<()> {
    let ident: Ident = if stream.peek(Token![crate]) {
        let token: Token![crate] = stream.parse()?;
        Ident::new("crate", token.span)
    } else {
        stream.parse().map_err(|e| {
            syn::Error::new(e.span(), format!("expected an option: {VALID_OPTIONS}"))
        })?
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
        "unit" => {
            stream.parse::<Token![=]>()?;
            call.unit = Some(stream.parse()?);
        }
        "description" => {
            stream.parse::<Token![=]>()?;
            call.description = Some(stream.parse()?);
        }
        "crate" => {
            stream.parse::<Token![=]>()?;
            call.krate = Some(stream.parse()?);
        }
        "attributes" => {
            call.attributes = list(stream, &ident, diagnostics, Field::parse)?;
        }
        "allow" => {
            call.allow = list(stream, &ident, diagnostics, |s| s.parse::<Ident>())?;
        }
        _ => {
            return Err(syn::Error::new(
                ident.span(),
                format!("unknown option `{name}`; valid options: {VALID_OPTIONS}"),
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
