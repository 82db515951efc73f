//! The options inside `#[traced(...)]`.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;
use syn::{LitStr, Path};

use crate::diagnostics::Diagnostics;

/// The options as written, each at most once.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) name: Option<LitStr>,
    pub(crate) kind: Option<SpanKind>,
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

const VALID_OPTIONS: &str =
    "name = \"...\", kind = server|client|producer|consumer|internal, crate = path";

/// Parses every option, reporting all problems together.
pub(crate) fn parse(args: TokenStream) -> syn::Result<Options> {
    let mut options = Options::default();
    let mut diagnostics = Diagnostics::default();
    let parser = syn::meta::parser(|meta| {
        if let Err(error) = option(&mut options, &meta) {
            diagnostics.push(error);
            // Skip the rest of this option so the next one is still checked.
            if meta.input.peek(syn::Token![=]) {
                let _ = meta.value().and_then(|v| v.parse::<syn::Expr>());
            }
        }
        Ok(())
    });
    syn::parse::Parser::parse2(parser, args)?;
    diagnostics.finish().map(|()| options)
}

fn option(options: &mut Options, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    let path = &meta.path;
    if path.is_ident("name") {
        let name: LitStr = meta.value()?.parse()?;
        if name.value().trim().is_empty() {
            return Err(meta.error("the span name must not be empty"));
        }
        set_once(&mut options.name, name, meta, "name")
    } else if path.is_ident("kind") {
        let ident: syn::Ident = meta.value()?.parse()?;
        let kind = SpanKind::parse(&ident.to_string()).ok_or_else(|| {
            syn::Error::new_spanned(
                &ident,
                format!(
                    "unknown span kind `{ident}`; expected one of: {}",
                    SpanKind::VALID
                ),
            )
        })?;
        set_once(&mut options.kind, kind, meta, "kind")
    } else if path.is_ident("crate") {
        let krate: Path = meta.value()?.parse()?;
        set_once(&mut options.krate, krate, meta, "crate")
    } else {
        let shown = quote::quote!(#path).to_string().replace(' ', "");
        Err(meta.error(format!(
            "unknown #[traced] option `{shown}`; valid options: {VALID_OPTIONS}"
        )))
    }
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
