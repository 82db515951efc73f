//! The options inside `#[traced(...)]`, as written.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, LitStr, Path, Token};

use crate::attributes::{entries, skip_to_comma};
pub(crate) use crate::attributes::{Conversion, Field};
use crate::diagnostics::Diagnostics;

/// The options, each at most once.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) name: Option<LitStr>,
    pub(crate) kind: Option<SpanKind>,
    pub(crate) skip: Option<(Span, Vec<Ident>)>,
    pub(crate) skip_all: Option<Span>,
    pub(crate) fields: Option<Vec<Field>>,
    pub(crate) err: Option<Span>,
    pub(crate) ret: Option<Span>,
    pub(crate) root: Option<Span>,
    pub(crate) leaf: Option<Span>,
    pub(crate) parent: Option<Expr>,
    pub(crate) link: Option<Expr>,
    pub(crate) krate: Option<Path>,
}

/// `kind = ...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpanKind {
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    const VALID: &'static str = "server, client, producer, consumer, internal";

    fn parse(ident: &str) -> Option<Self> {
        match ident {
            "internal" => Some(Self::Internal),
            "server" => Some(Self::Server),
            "client" => Some(Self::Client),
            "producer" => Some(Self::Producer),
            "consumer" => Some(Self::Consumer),
            _ => None,
        }
    }

    /// The variant of `opentelemetry::trace::SpanKind`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Self::Internal => "Internal",
            Self::Server => "Server",
            Self::Client => "Client",
            Self::Producer => "Producer",
            Self::Consumer => "Consumer",
        }
    }
}

const VALID_OPTIONS: &str = "name = \"...\", kind = server|client|producer|consumer|internal, \
     skip(arg, ...), skip_all, fields(key = value, ...), err, ret, root, parent = expr, \
     link = expr, leaf, crate = path";

/// Parses every option. Problems go to `diagnostics`, all of them: an option with an error is
/// left out and the next one is still checked.
pub(crate) fn parse(args: TokenStream, diagnostics: &mut Diagnostics) -> Options {
    let mut options = Options::default();
    let parser = syn::meta::parser(|meta| {
        if let Err(error) = option(&mut options, &meta, diagnostics) {
            diagnostics.push(error);
            skip_to_comma(meta.input);
        }
        Ok(())
    });
    if let Err(error) = syn::parse::Parser::parse2(parser, args) {
        diagnostics.push(error);
    }
    options
}

/// A parenthesized list of entries, each parsed by `entry`.
fn list<T>(
    meta: &ParseNestedMeta<'_>,
    option: &str,
    example: &str,
    diagnostics: &mut Diagnostics,
    entry: impl Fn(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format!(
            "`{option}` takes a list in parentheses: `{option}({example})`"
        )));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    Ok(entries(&content, diagnostics, entry))
}

fn option(
    options: &mut Options,
    meta: &ParseNestedMeta<'_>,
    diagnostics: &mut Diagnostics,
) -> syn::Result<()> {
    let path = &meta.path;
    let span = syn::spanned::Spanned::span(path);
    let Some(ident) = path.get_ident().map(ToString::to_string) else {
        return Err(unknown(meta));
    };
    match ident.as_str() {
        "crate" => {
            let value = meta.value()?;
            if value.peek(LitStr) {
                return Err(value.error(
                    "`crate` takes a path without quotes, e.g. `crate = my_crate::signalry`",
                ));
            }
            let krate: Path = value.parse()?;
            set_once(&mut options.krate, krate, meta, "crate")
        }
        "name" => {
            let name: LitStr = meta.value()?.parse()?;
            if name.value().trim().is_empty() {
                return Err(syn::Error::new(
                    name.span(),
                    "the span name must not be empty; remove `name` to use the function's name",
                ));
            }
            set_once(&mut options.name, name, meta, "name")
        }
        "kind" => {
            let value = meta.value()?;
            if value.peek(LitStr) {
                let lit: LitStr = value.parse()?;
                return Err(syn::Error::new(
                    lit.span(),
                    format!(
                        "write the span kind without quotes: `kind = {}`",
                        lit.value()
                    ),
                ));
            }
            let kind_ident: Ident = value.parse()?;
            let kind = SpanKind::parse(&kind_ident.to_string()).ok_or_else(|| {
                syn::Error::new(
                    kind_ident.span(),
                    format!(
                        "unknown span kind `{kind_ident}`; expected one of: {}",
                        SpanKind::VALID
                    ),
                )
            })?;
            set_once(&mut options.kind, kind, meta, "kind")
        }
        "skip" => {
            let names = list(meta, "skip", "arg, ...", diagnostics, |input| {
                if input.peek(Token![self]) {
                    return Err(
                        input.error("`self` is never recorded, so it needs no `skip`; remove it")
                    );
                }
                input.parse::<Ident>()
            })?;
            set_once(&mut options.skip, (span, names), meta, "skip")
        }
        "fields" => {
            let fields = list(
                meta,
                "fields",
                "key = value, ...",
                diagnostics,
                Field::parse,
            )?;
            set_once(&mut options.fields, fields, meta, "fields")
        }
        "parent" => {
            let expr: Expr = meta.value()?.parse()?;
            set_once(&mut options.parent, expr, meta, "parent")
        }
        "link" => {
            let expr: Expr = meta.value()?.parse()?;
            set_once(&mut options.link, expr, meta, "link")
        }
        "skip_all" => flag(&mut options.skip_all, meta, "skip_all"),
        "err" => flag(&mut options.err, meta, "err"),
        "ret" => flag(&mut options.ret, meta, "ret"),
        "root" => flag(&mut options.root, meta, "root"),
        "leaf" => flag(&mut options.leaf, meta, "leaf"),
        _ => Err(unknown(meta)),
    }
}

fn unknown(meta: &ParseNestedMeta<'_>) -> syn::Error {
    let path = &meta.path;
    let shown = quote::quote!(#path).to_string().replace(' ', "");
    meta.error(format!(
        "unknown #[traced] option `{shown}`; valid options: {VALID_OPTIONS}"
    ))
}

/// An option without a value, such as `err`.
fn flag(slot: &mut Option<Span>, meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        return Err(meta.error(format!("`{name}` takes no value; write just `{name}`")));
    }
    set_once(slot, syn::spanned::Spanned::span(&meta.path), meta, name)
}

fn set_once<T>(
    slot: &mut Option<T>,
    value: T,
    meta: &ParseNestedMeta<'_>,
    name: &str,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(meta.error(format!("`{name}` is given twice; keep one")));
    }
    *slot = Some(value);
    Ok(())
}
