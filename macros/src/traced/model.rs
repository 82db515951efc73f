//! What one `#[traced]` function means: the span it opens, what it records, and how its body
//! is wrapped. Built from the options and the function, with every rule checked here.

use syn::{parse_quote, Expr, FnArg, Ident, ItemFn, Pat, Path};

use super::attr::{Conversion, Field, Options, SpanKind};
use crate::body::Body;
use crate::diagnostics::Diagnostics;
use crate::validate::UniqueKeys;

/// A validated `#[traced]` function.
pub(crate) struct Traced {
    /// The user's function; its attributes and signature are re-emitted unchanged.
    pub(crate) function: ItemFn,
    /// The span name when known at compile time: `name = "..."`, else the function's name
    /// for anything that is not a method. `None` for methods: the runtime prefixes their name
    /// with the `impl` type, which only the compiled path reveals.
    pub(crate) name: Option<String>,
    pub(crate) kind: SpanKind,
    /// Path to the runtime crate (`::signalry` unless `crate = ...`).
    pub(crate) krate: Path,
    /// Attributes set when the span starts, in order: arguments, then `fields`.
    pub(crate) attributes: Vec<Attribute>,
    pub(crate) parent: Parent,
    pub(crate) link: Option<Expr>,
    /// `leaf`: the span is recorded but never made current (no OpenTelemetry context).
    pub(crate) leaf: bool,
    /// How the body runs and what it produces.
    pub(crate) body: Body,
    /// Whether the returned value is a `Result` whose `Err` sets the span's status.
    pub(crate) records_result: bool,
    /// `err` was written: the return type is checked to be a `Result`, with the error there.
    pub(crate) err_requested: bool,
    /// `ret`: the returned value (the `Ok` value for results) becomes `return.value`.
    pub(crate) records_return: bool,
}

/// One attribute set at span start.
pub(crate) struct Attribute {
    pub(crate) key: String,
    pub(crate) value: Expr,
    pub(crate) conversion: AttributeConversion,
}

/// How an attribute's value is converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AttributeConversion {
    /// An argument recorded by default: natively when its type allows, else not at all.
    NativeIfPossible,
    /// As written in `fields`.
    Field(Conversion),
}

/// Where the span's parent comes from.
pub(crate) enum Parent {
    Current,
    Root,
    Explicit(Expr),
}

/// Argument names that look like secrets: never recorded unless named in `fields(...)`.
/// Matched case-insensitively anywhere in the name (`db_password`, `AuthToken`).
pub(crate) const SECRET_PATTERNS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "privkey",
    "auth",
    "credential",
    "cookie",
    "session",
    "signature",
    "jwt",
    "bearer",
    "pin",
    "ssn",
    "card_number",
    "cvv",
];

/// Whether an argument called `name` looks like it holds a secret.
pub(crate) fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_PATTERNS.iter().any(|p| {
        // `pin` and `ssn` are short: match them as whole words only (`pin`, `user_pin`), so
        // `spinner` and `shipping` stay recordable.
        if p.len() <= 3 {
            name.split('_').any(|word| word == *p)
        } else {
            name.contains(p)
        }
    })
}

impl Traced {
    /// Checks the function and the options together; `diagnostics` may already hold the
    /// options' parse errors, which are reported with the rest.
    pub(crate) fn new(
        options: Options,
        function: ItemFn,
        mut diagnostics: Diagnostics,
    ) -> syn::Result<Self> {
        let sig = &function.sig;
        if let Some(constness) = &sig.constness {
            diagnostics.error_at(
                constness,
                "#[traced] cannot instrument a `const fn`: a span needs run-time code; remove \
                 `const` or the attribute",
            );
        }

        let arguments = arguments(&function);
        let skip_all = options.skip_all.is_some();
        if let (Some(span), Some(_)) = (options.skip_all, &options.skip) {
            diagnostics.push(syn::Error::new(
                span,
                "`skip_all` and `skip(...)` conflict: `skip_all` already skips every argument",
            ));
        }
        let skipped: Vec<Ident> = options.skip.map(|(_, names)| names).unwrap_or_default();
        let bound_in_patterns = pattern_bindings(&function);
        for name in &skipped {
            if arguments.iter().any(|a| a == name) || name.to_string().starts_with('_') {
                continue;
            }
            let message = if bound_in_patterns.iter().any(|b| b == name) {
                format!(
                    "`{name}` is bound inside a pattern, and bindings in patterns are never \
                     recorded; remove it from `skip`"
                )
            } else {
                format!(
                    "`{name}` is not an argument of this function; arguments: {}",
                    list(&arguments)
                )
            };
            diagnostics.error_at(name, message);
        }

        let mut keys = UniqueKeys::default();
        let fields = options.fields.unwrap_or_default();
        let mut field_attributes = Vec::new();
        for Field {
            key,
            key_span,
            value,
            conversion,
        } in fields
        {
            keys.add(&key, key_span, &mut diagnostics);
            field_attributes.push(Attribute {
                key,
                value,
                conversion: AttributeConversion::Field(conversion),
            });
        }
        // Arguments are recorded unless skipped, secret-looking, or recorded by a field of
        // the same key (the field says how).
        let mut attributes: Vec<Attribute> = arguments
            .iter()
            .filter(|arg| !skip_all && !skipped.contains(arg))
            .filter(|arg| !looks_secret(&arg.to_string()))
            .filter(|arg| !keys.contains(&arg.to_string()))
            .map(|arg| Attribute {
                key: arg.to_string(),
                value: parse_quote!(#arg),
                conversion: AttributeConversion::NativeIfPossible,
            })
            .collect();
        attributes.extend(field_attributes);

        let parent = match (options.root, options.parent) {
            (Some(span), Some(_)) => {
                diagnostics.push(syn::Error::new(
                    span,
                    "`root` and `parent = ...` conflict: a root span has no parent; keep one",
                ));
                Parent::Current
            }
            (Some(_), None) => Parent::Root,
            (None, Some(expr)) => Parent::Explicit(expr),
            (None, None) => Parent::Current,
        };

        let body = Body::of(&function);
        let declared = &body.declared;
        let async_output = body.value.clone();
        if async_output.is_none() {
            for (flag, name) in [(options.err, "err"), (options.ret, "ret")] {
                if let Some(span) = flag {
                    let why = if declared.is_none() {
                        "this function returns nothing"
                    } else {
                        "the returned future's `Output` type is not spelled out in the signature"
                    };
                    diagnostics.push(syn::Error::new(
                        span,
                        format!("`{name}` records the returned value, but {why}; remove `{name}`"),
                    ));
                }
            }
        }
        let records_result = options.err.is_some() || body.returns_result;

        diagnostics.finish()?;
        let name = match options.name {
            Some(lit) => Some(lit.value()),
            None if is_method(&function) => None,
            None => Some(function.sig.ident.to_string()),
        };
        Ok(Self {
            name,
            kind: options.kind.unwrap_or(SpanKind::Internal),
            krate: options.krate.unwrap_or_else(|| parse_quote!(::signalry)),
            attributes,
            parent,
            link: options.link,
            leaf: options.leaf.is_some(),
            body,
            records_result: records_result && async_output.is_some(),
            err_requested: options.err.is_some(),
            records_return: options.ret.is_some() && async_output.is_some(),
            function,
        })
    }
}

/// The names bound by the function's arguments that can be recorded: plain identifiers
/// (`x`, `mut x`), not `self` and not destructuring patterns.
fn arguments(function: &ItemFn) -> Vec<Ident> {
    function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(pat) if pat.subpat.is_none() => Some(pat.ident.clone()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .filter(|ident| !ident.to_string().starts_with('_'))
        .collect()
}

/// A method takes `self` or mentions `Self` in its signature; other functions in an `impl`
/// are named like free functions.
fn is_method(function: &ItemFn) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_receiver(&mut self, _: &'ast syn::Receiver) {
            self.0 = true;
        }
        fn visit_ident(&mut self, ident: &'ast Ident) {
            self.0 |= ident == "Self";
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_signature(&mut finder, &function.sig);
    finder.0
}

/// Names bound inside destructuring argument patterns (`(left, right): (u8, u8)`).
fn pattern_bindings(function: &ItemFn) -> Vec<Ident> {
    struct Bindings(Vec<Ident>);
    impl<'ast> syn::visit::Visit<'ast> for Bindings {
        fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
            self.0.push(pat.ident.clone());
            syn::visit::visit_pat_ident(self, pat);
        }
    }
    let mut bindings = Bindings(Vec::new());
    for input in &function.sig.inputs {
        if let FnArg::Typed(typed) = input {
            if !matches!(&*typed.pat, Pat::Ident(p) if p.subpat.is_none()) {
                syn::visit::Visit::visit_pat(&mut bindings, &typed.pat);
            }
        }
    }
    bindings.0
}

fn list(idents: &[Ident]) -> String {
    if idents.is_empty() {
        return "none".to_owned();
    }
    idents
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
