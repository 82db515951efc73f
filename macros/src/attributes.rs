//! Attribute lists as the macros write them: `key = expr`, `key = %expr` (Display),
//! `key = ?expr` (Debug), dotted keys (`http.route`), string keys (`"db.system.name"`), and the
//! shorthands `arg`, `%arg`, `?arg`. Shared by `#[traced(fields(...))]` and the metric macros.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Path, Token};

use crate::diagnostics::Diagnostics;

/// How a field's value becomes an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Conversion {
    /// `key = expr`: the value must be a native attribute value.
    Native,
    /// `key = %expr`: its `Display` text.
    Display,
    /// `key = ?expr`: its `Debug` text.
    Debug,
}

/// One entry of `fields(...)`.
pub(crate) struct Field {
    /// The attribute key, with the tokens it came from (for errors).
    pub(crate) key: String,
    pub(crate) key_span: Span,
    /// The value; for the shorthand `arg`, `%arg`, `?arg` it is that argument.
    pub(crate) value: Expr,
    pub(crate) conversion: Conversion,
}

impl Parse for Field {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // Shorthand: `%arg` or `?arg` (a key of its own is not allowed after a sigil).
        if input.peek(Token![%]) || input.peek(Token![?]) {
            let conversion = sigil(input)?;
            let ident: Ident = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected an argument name after `%`/`?`; to record an expression, write \
                     `key = %expr` or `key = ?expr`",
                )
            })?;
            if input.peek(Token![.]) || input.peek(Token![=]) {
                return Err(input.error(
                    "a shorthand field names one argument; write `key = %expr` to give a key",
                ));
            }
            return Ok(Self {
                key: ident.to_string(),
                key_span: ident.span(),
                value: syn::parse_quote!(#ident),
                conversion,
            });
        }
        let (key, key_span, single) = key(input)?;
        if !input.peek(Token![=]) {
            return match single {
                Some(ident) => Ok(Self {
                    key,
                    key_span,
                    value: syn::parse_quote!(#ident),
                    conversion: Conversion::Native,
                }),
                None => Err(syn::Error::new(
                    key_span,
                    format!("expected `= value` after the key `{key}`"),
                )),
            };
        }
        input.parse::<Token![=]>()?;
        let conversion = if input.peek(Token![%]) || input.peek(Token![?]) {
            sigil(input)?
        } else {
            Conversion::Native
        };
        let value: Expr = input.parse()?;
        Ok(Self {
            key,
            key_span,
            value,
            conversion,
        })
    }
}

pub(crate) fn sigil(input: ParseStream<'_>) -> syn::Result<Conversion> {
    if input.parse::<Option<Token![%]>>()?.is_some() {
        Ok(Conversion::Display)
    } else {
        input.parse::<Token![?]>()?;
        Ok(Conversion::Debug)
    }
}

/// A key: `"any.string"`, or identifiers joined by dots (`http.route`). The third value is
/// the identifier when the key is a single one (a shorthand candidate).
pub(crate) fn key(input: ParseStream<'_>) -> syn::Result<(String, Span, Option<Ident>)> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Ok((lit.value(), lit.span(), None));
    }
    let first = Ident::parse_any(input)?;
    let span = first.span();
    let mut key = first.to_string();
    let mut single = Some(first);
    while input.peek(Token![.]) {
        input.parse::<Token![.]>()?;
        let next = Ident::parse_any(input)?;
        key.push('.');
        key.push_str(&next.to_string());
        single = None;
    }
    Ok((key, span, single))
}

/// The expression that turns `expr` into an `Option<Value>` through the runtime at `krate`.
/// A value that is not a native attribute value is a type error at that value.
pub(crate) fn value_tokens(krate: &Path, expr: &Expr, conversion: Conversion) -> TokenStream {
    match conversion {
        Conversion::Native => {
            quote_spanned!(expr.span()=> #krate::__private::FieldValue::field_value(&(#expr)))
        }
        Conversion::Display => quote!(#krate::__private::display(&(#expr))),
        Conversion::Debug => quote!(#krate::__private::debug(&(#expr))),
    }
}

/// The comma-separated entries of a list whose parentheses were already opened. A bad entry is
/// reported and skipped, so the entries after it are still checked and every token is consumed
/// (syn would otherwise replace the error with "unexpected token").
pub(crate) fn entries<T>(
    content: ParseStream<'_>,
    diagnostics: &mut Diagnostics,
    entry: impl Fn(ParseStream<'_>) -> syn::Result<T>,
) -> Vec<T> {
    let mut entries = Vec::new();
    while !content.is_empty() {
        match entry(content) {
            Ok(parsed) => entries.push(parsed),
            Err(error) => {
                diagnostics.push(error);
                skip_to_comma(content);
            }
        }
        if !content.is_empty() {
            if let Err(error) = content.parse::<Token![,]>() {
                diagnostics.push(error);
                skip_to_comma(content);
                let _ = content.parse::<Option<Token![,]>>();
            }
        }
    }
    entries
}

/// Steps over tokens up to the next top-level `,` (a group counts as one token).
pub(crate) fn skip_to_comma(input: ParseStream<'_>) {
    while !input.is_empty() && !input.peek(Token![,]) {
        if input.parse::<proc_macro2::TokenTree>().is_err() {
            break;
        }
    }
}
