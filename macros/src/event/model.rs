//! What a `TelemetryEvent` derive means: for a struct one event, for an enum one per variant;
//! each with its name, severity and body, one attribute per field, and an optional counter,
//! with every rule checked here.

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitInt, LitStr, Member, Path};

use crate::attributes::Conversion;
use crate::diagnostics::Diagnostics;
use crate::registry::Registry;
use crate::validate::{self, UniqueKeys};

/// A checked derive.
pub(crate) struct Event {
    pub(crate) ident: Ident,
    pub(crate) generics: syn::Generics,
    /// One for a struct (with no variant name); one per variant for an enum.
    pub(crate) events: Vec<Variant>,
    pub(crate) is_enum: bool,
    /// `#[event(nested)]`: fields for other events to flatten, not an event of its own.
    pub(crate) nested: bool,
    pub(crate) krate: Path,
    /// The registry the events were checked against, included so edits rebuild the crate.
    pub(crate) registry: Option<std::path::PathBuf>,
}

/// One event: the struct's, or one variant's.
pub(crate) struct Variant {
    /// The variant, for an enum.
    pub(crate) variant: Option<Ident>,
    pub(crate) name: String,
    /// The `opentelemetry::logs::Severity` variant.
    pub(crate) severity: &'static str,
    /// The body template and the fields it names, in order of appearance.
    pub(crate) body: Option<(LitStr, Vec<Member>)>,
    pub(crate) fields: Vec<Field>,
    /// The expanded `count = "..."` counter recording, which reads the fields' bindings.
    pub(crate) count: Option<TokenStream>,
}

/// One recorded field.
pub(crate) struct Field {
    pub(crate) member: Member,
    /// The local the field is bound to when the value is taken apart.
    pub(crate) binding: Ident,
    /// The attribute key; for a flattened field, the prefix of its keys.
    pub(crate) key: String,
    pub(crate) recording: Recording,
    /// Also an attribute of the event's counter.
    pub(crate) count_by: bool,
}

/// How a field is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Recording {
    Native,
    Display,
    Debug,
    /// The attribute is present but its value never leaves the process.
    Redacted,
    /// Text cut to this many bytes on a character boundary.
    Truncated(usize),
    /// A nested event's attributes, under the key as a prefix.
    Flattened,
}

const SEVERITIES: &[(&str, &str)] = &[
    ("trace", "Trace"),
    ("debug", "Debug"),
    ("info", "Info"),
    ("warn", "Warn"),
    ("error", "Error"),
    ("fatal", "Fatal"),
];

const SEVERITY_WORDS: &str = "trace|debug|info|warn|error|fatal";
const FIELD_OPTIONS: &str =
    "skip, rename = \"...\", display, debug, redact, truncate = N, flatten, count_by";

/// Where `#[event(...)]` options are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Struct,
    Enum,
    Variant,
}

impl Level {
    fn valid(self) -> String {
        match self {
            Level::Struct => format!(
                "name = \"...\", severity = {SEVERITY_WORDS}, body = \"... {{field}} ...\", \
                 count = \"metric.name\", allow(guideline, ...), nested, crate = path"
            ),
            Level::Enum => format!(
                "name = \"prefix\", severity = {SEVERITY_WORDS}, count = \"metric.name\", \
                 allow(guideline, ...), nested, crate = path"
            ),
            Level::Variant => format!(
                "name = \"...\", severity = {SEVERITY_WORDS}, body = \"... {{field}} ...\", \
                 count = \"metric.name\", allow(guideline, ...)"
            ),
        }
    }
}

/// The container or variant options, each at most once.
#[derive(Default)]
struct Options {
    name: Option<LitStr>,
    severity: Option<&'static str>,
    body: Option<LitStr>,
    count: Option<LitStr>,
    /// Naming guidelines the counter opts out of.
    allow: Vec<Ident>,
    krate: Option<Path>,
    nested: Option<Span>,
}

impl Options {
    fn parse(attrs: &[syn::Attribute], level: Level, diagnostics: &mut Diagnostics) -> Self {
        let mut options = Self::default();
        each_option(attrs, diagnostics, |meta| {
            let option = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let once = |set: bool| {
                if set {
                    Err(meta.error(format!("`{option}` is given twice; keep one")))
                } else {
                    Ok(())
                }
            };
            match (option.as_str(), level) {
                ("name", _) => {
                    once(options.name.is_some())?;
                    options.name = Some(meta.value()?.parse()?);
                }
                ("severity", _) => {
                    once(options.severity.is_some())?;
                    let ident: Ident = meta.value()?.parse()?;
                    let found = SEVERITIES.iter().find(|(word, _)| ident == word);
                    options.severity =
                        Some(found.map(|(_, variant)| *variant).ok_or_else(|| {
                            syn::Error::new(
                                ident.span(),
                                format!(
                                    "unknown severity `{ident}`; expected one of: trace, \
                                     debug, info, warn, error, fatal"
                                ),
                            )
                        })?);
                }
                ("body", Level::Enum) => {
                    return Err(meta.error(
                        "an enum's variants have different fields: write `body` on each \
                         variant",
                    ))
                }
                ("body", _) => {
                    once(options.body.is_some())?;
                    options.body = Some(meta.value()?.parse()?);
                }
                ("count", _) => {
                    once(options.count.is_some())?;
                    options.count = Some(meta.value()?.parse()?);
                }
                ("allow", _) => {
                    meta.parse_nested_meta(|guideline| {
                        let ident = guideline.path.require_ident()?;
                        options.allow.push(ident.clone());
                        Ok(())
                    })?;
                }
                ("nested", Level::Variant) => {
                    return Err(
                        meta.error("`nested` is said of the whole type: write it on the enum")
                    )
                }
                ("nested", _) => {
                    once(options.nested.is_some())?;
                    options.nested = Some(meta.path.span());
                }
                ("crate", Level::Variant) => {
                    return Err(meta.error("`crate` is given once, on the enum"))
                }
                ("crate", _) => {
                    once(options.krate.is_some())?;
                    options.krate = Some(meta.value()?.parse()?);
                }
                _ => {
                    return Err(meta.error(format!(
                        "unknown event option `{option}`; valid options here: {}",
                        level.valid()
                    )))
                }
            }
            Ok(())
        });
        options
    }
}

impl Event {
    pub(crate) fn new(input: &DeriveInput, location: Option<&str>) -> syn::Result<Self> {
        let mut diagnostics = Diagnostics::default();
        let is_enum = matches!(input.data, Data::Enum(_));
        let level = if is_enum { Level::Enum } else { Level::Struct };
        let container = Options::parse(&input.attrs, level, &mut diagnostics);
        let nested = container.nested.is_some();
        let krate = container
            .krate
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(::signalry));
        let type_name = dotted(&input.ident.unraw().to_string());
        let mut registry = None;
        let mut check = Check {
            nested,
            location,
            krate: &krate,
            registry: &mut registry,
        };

        let mut events = Vec::new();
        match &input.data {
            Data::Struct(data) => {
                let name = match &container.name {
                    Some(lit) => (lit.value(), lit.span()),
                    None => (type_name, input.ident.span()),
                };
                let shape = Shape {
                    variant: None,
                    name,
                    named: container.name.as_ref().map(LitStr::span),
                    severity: container.severity,
                    body: container.body,
                    count: container.count,
                    allow: container.allow,
                    fields: &data.fields,
                };
                events.push(check.variant(shape, &mut diagnostics));
            }
            Data::Enum(data) => {
                let prefix = container.name.as_ref().map_or(type_name, LitStr::value);
                if let (true, Some(name)) = (nested, &container.name) {
                    diagnostics.push(not_an_event("name", name.span()));
                }
                if data.variants.is_empty() {
                    diagnostics.error_at(
                        &input.ident,
                        "an enum with no variants has no value to emit; add a variant",
                    );
                }
                for variant in &data.variants {
                    let options = Options::parse(&variant.attrs, Level::Variant, &mut diagnostics);
                    let name = match &options.name {
                        Some(lit) => (lit.value(), lit.span()),
                        None => (
                            format!("{prefix}.{}", dotted(&variant.ident.unraw().to_string())),
                            variant.ident.span(),
                        ),
                    };
                    let shape = Shape {
                        variant: Some(variant.ident.clone()),
                        name,
                        named: options.name.as_ref().map(LitStr::span),
                        severity: options.severity.or(container.severity),
                        body: options.body,
                        count: options.count.or_else(|| container.count.clone()),
                        allow: if options.allow.is_empty() {
                            container.allow.clone()
                        } else {
                            options.allow
                        },
                        fields: &variant.fields,
                    };
                    events.push(check.variant(shape, &mut diagnostics));
                }
            }
            Data::Union(data) => diagnostics.push(syn::Error::new(
                data.union_token.span,
                "#[derive(TelemetryEvent)] cannot read a union's fields: use a struct or an enum",
            )),
        }
        diagnostics.finish()?;

        Ok(Self {
            ident: input.ident.clone(),
            generics: input.generics.clone(),
            events,
            is_enum,
            nested,
            krate,
            registry,
        })
    }
}

/// One event as written, before it is checked.
struct Shape<'a> {
    variant: Option<Ident>,
    /// The name, with where it was written (or the type or variant it comes from).
    name: (String, Span),
    /// Where `name = "..."` was written, if it was.
    named: Option<Span>,
    severity: Option<&'static str>,
    body: Option<LitStr>,
    count: Option<LitStr>,
    allow: Vec<Ident>,
    fields: &'a Fields,
}

/// What checking each event needs, and what it finds out about the registry.
struct Check<'a> {
    nested: bool,
    location: Option<&'a str>,
    krate: &'a Path,
    registry: &'a mut Option<std::path::PathBuf>,
}

impl Check<'_> {
    fn variant(&mut self, mut shape: Shape<'_>, diagnostics: &mut Diagnostics) -> Variant {
        if self.nested {
            self.not_an_event(&mut shape, diagnostics);
        }
        let (name, name_span) = shape.name;
        if self.nested {
            // Not an event: no name to check.
        } else if let Err(message) = validate::instrument_name(&name) {
            diagnostics.push(syn::Error::new(
                name_span,
                message.replace("instrument", "event"),
            ));
        } else if name != name.to_ascii_lowercase() {
            diagnostics.push(syn::Error::new(
                name_span,
                format!(
                    "event name {name:?} has uppercase letters; use {:?}",
                    name.to_ascii_lowercase()
                ),
            ));
        }

        let (fields, counted) = fields(shape.fields, shape.count.is_some(), diagnostics);

        let mut keys = UniqueKeys::default();
        for field in &fields {
            keys.add(&field.key, field.member.span(), diagnostics);
        }
        for flattened in fields
            .iter()
            .filter(|f| f.recording == Recording::Flattened)
        {
            let prefix = format!("{}.", flattened.key);
            for other in fields.iter().filter(|f| f.key.starts_with(&prefix)) {
                diagnostics.push(syn::Error::new(
                    other.member.span(),
                    format!(
                        "the key `{}` is under `{prefix}`, where the flattened field `{}` puts \
                         its keys; rename one",
                        other.key,
                        display(&flattened.member)
                    ),
                ));
            }
        }

        let body = shape.body.map(|template| {
            let members = template_fields(&template, &fields, diagnostics);
            (template, members)
        });

        if let (Some(_), true, false) = (self.location, diagnostics.is_empty(), self.nested) {
            match Registry::for_current_crate() {
                Ok(Some(found)) => {
                    let (flattened, plain): (Vec<&Field>, Vec<&Field>) = fields
                        .iter()
                        .partition(|f| f.recording == Recording::Flattened);
                    let keys: Vec<&str> = plain.iter().map(|f| f.key.as_str()).collect();
                    let prefixes: Vec<&str> = flattened.iter().map(|f| f.key.as_str()).collect();
                    for violation in found.check_event(&name, &keys, &prefixes) {
                        diagnostics
                            .push(syn::Error::new(name_span, violation.message(found.path())));
                    }
                    *self.registry = Some(found.path().to_path_buf());
                }
                Ok(None) => {}
                Err(error) => diagnostics.push(syn::Error::new(name_span, error.to_string())),
            }
        }

        if let (None, Some(first)) = (&shape.count, shape.allow.first()) {
            diagnostics.error_at(
                first,
                "`allow(...)` opts the event's counter out of naming guidelines, but there is \
                 none: add `count = \"metric.name\"`, or remove `allow`",
            );
        }
        // The counter goes through the same checks as `counter!`, at the `count` literal.
        let count = shape.count.and_then(|metric| {
            crate::metric::count(
                &metric,
                counted,
                shape.allow,
                Some(self.krate.clone()),
                self.location,
                diagnostics,
            )
        });

        Variant {
            variant: shape.variant,
            name,
            severity: shape.severity.unwrap_or("Info"),
            body,
            fields,
            count,
        }
    }
}

impl Check<'_> {
    /// A `nested` type is only flattened into events: what only an event has is refused.
    fn not_an_event(&self, shape: &mut Shape<'_>, diagnostics: &mut Diagnostics) {
        let refuse = |option: &str, at: Span, diagnostics: &mut Diagnostics| {
            diagnostics.push(not_an_event(option, at));
        };
        if let Some(at) = shape.named.take() {
            refuse("name", at, diagnostics);
        }
        if let Some(body) = shape.body.take() {
            refuse("body", body.span(), diagnostics);
        }
        if let Some(count) = shape.count.take() {
            refuse("count", count.span(), diagnostics);
        }
        if shape.severity.take().is_some() {
            refuse("severity", shape.name.1, diagnostics);
        }
    }
}

fn not_an_event(option: &str, at: Span) -> syn::Error {
    syn::Error::new(
        at,
        format!(
            "a `nested` type is not an event of its own, so it has no `{option}`; give it to \
             the events that flatten it"
        ),
    )
}

/// The recorded fields, and the attributes of the counter (the fields marked `count_by`).
fn fields(
    fields: &Fields,
    counting: bool,
    diagnostics: &mut Diagnostics,
) -> (Vec<Field>, Vec<crate::attributes::Field>) {
    let mut out = Vec::new();
    let mut counted = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        // Mixed-site hygiene keeps the binding apart from the user's names; located at the
        // field, so that an error about its value points there.
        let at = field
            .ident
            .as_ref()
            .map_or_else(|| field.ty.span(), Ident::span);
        let hygiene = Span::mixed_site().located_at(at);
        let (member, binding) = match &field.ident {
            Some(ident) => {
                let mut binding = ident.clone();
                binding.set_span(hygiene);
                (Member::Named(ident.clone()), binding)
            }
            None => (
                Member::Unnamed(syn::Index {
                    index: u32::try_from(index).unwrap_or(u32::MAX),
                    span: at,
                }),
                Ident::new(&format!("field_{index}"), hygiene),
            ),
        };
        let mut skip = None;
        let mut count_by = None;
        let mut rename: Option<LitStr> = None;
        let mut recordings: Vec<(Recording, Span)> = Vec::new();
        each_option(&field.attrs, diagnostics, |meta| {
            let option = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let span = meta.path.span();
            match option.as_str() {
                "skip" => skip = Some(span),
                "count_by" => count_by = Some(span),
                "rename" => rename = Some(meta.value()?.parse()?),
                "display" => recordings.push((Recording::Display, span)),
                "debug" => recordings.push((Recording::Debug, span)),
                "redact" => recordings.push((Recording::Redacted, span)),
                "flatten" => recordings.push((Recording::Flattened, span)),
                "truncate" => {
                    let bytes: LitInt = meta.value()?.parse()?;
                    let bytes: usize = bytes.base10_parse()?;
                    if bytes == 0 {
                        return Err(meta.error("`truncate` keeps at least one byte"));
                    }
                    recordings.push((Recording::Truncated(bytes), span));
                }
                _ => {
                    return Err(meta.error(format!(
                        "unknown field option `{option}`; valid options: {FIELD_OPTIONS}"
                    )))
                }
            }
            Ok(())
        });
        if let [first, second, ..] = recordings.as_slice() {
            diagnostics.push(syn::Error::new(
                second.1,
                format!(
                    "`{}` conflicts with `{}`: a field is recorded one way; keep one",
                    word(second.0),
                    word(first.0)
                ),
            ));
        }
        let recording = recordings.first().map_or(Recording::Native, |(r, _)| *r);
        if let Some(span) = count_by {
            let why = if skip.is_some() {
                Some("a skipped field is neither recorded nor counted; remove one".to_owned())
            } else if !counting {
                Some(
                    "`count_by` makes the field an attribute of the event's counter, but there \
                     is none: add `count = \"metric.name\"` to the event"
                        .to_owned(),
                )
            } else if matches!(
                recording,
                Recording::Redacted | Recording::Truncated(_) | Recording::Flattened
            ) {
                Some(format!(
                    "`count_by` with `{}`: a counter attribute is a short value of few kinds, \
                     recorded as it is, as its `display` or its `debug` text",
                    word(recording)
                ))
            } else {
                None
            };
            if let Some(why) = why {
                diagnostics.push(syn::Error::new(span, why));
            }
        }
        if skip.is_some() {
            continue;
        }
        let key = match (&rename, &field.ident) {
            (Some(lit), _) => lit.value(),
            (None, Some(ident)) => ident.unraw().to_string(),
            (None, None) => {
                diagnostics.push(syn::Error::new(
                    field.span(),
                    "a tuple field needs a key: `#[event(rename = \"key\")]`, or \
                     `#[event(skip)]`",
                ));
                continue;
            }
        };
        if count_by.is_some() {
            let conversion = match recording {
                Recording::Display => Conversion::Display,
                Recording::Debug => Conversion::Debug,
                _ => Conversion::Native,
            };
            counted.push(crate::attributes::Field {
                key: key.clone(),
                key_span: rename.as_ref().map_or_else(|| member.span(), LitStr::span),
                value: syn::parse_quote!(#binding),
                conversion,
            });
        }
        out.push(Field {
            member,
            binding,
            key,
            recording,
            count_by: count_by.is_some(),
        });
    }
    (out, counted)
}

fn word(recording: Recording) -> &'static str {
    match recording {
        Recording::Native => "native",
        Recording::Display => "display",
        Recording::Debug => "debug",
        Recording::Redacted => "redact",
        Recording::Truncated(_) => "truncate",
        Recording::Flattened => "flatten",
    }
}

/// `name` or `0`, as a field is written.
fn display(member: &Member) -> String {
    match member {
        Member::Named(ident) => ident.to_string(),
        Member::Unnamed(index) => index.index.to_string(),
    }
}

/// The fields a body template names (`{order_id}`), each checked to exist and to be allowed in
/// the body (a redacted value must not reach it).
fn template_fields(
    template: &LitStr,
    fields: &[Field],
    diagnostics: &mut Diagnostics,
) -> Vec<Member> {
    let text = template.value();
    let mut members = Vec::new();
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        if rest[open..].starts_with("{{") {
            rest = &rest[open + 2..];
            continue;
        }
        let Some(close) = rest[open..].find('}') else {
            diagnostics.error_at(
                template,
                "the body has a `{` without its `}`; write `{{` for a brace",
            );
            break;
        };
        let name = &rest[open + 1..open + close];
        match fields.iter().find(|f| matches!(&f.member, Member::Named(i) if i.unraw() == name)) {
            Some(field) if field.recording == Recording::Redacted => diagnostics.error_at(
                template,
                format!("the body names `{name}`, which is redacted: its value never leaves the process"),
            ),
            Some(field) if field.recording == Recording::Flattened => diagnostics.error_at(
                template,
                format!("the body names `{name}`, which is flattened: its fields are attributes of their own"),
            ),
            Some(field) => {
                if !members.contains(&field.member) {
                    members.push(field.member.clone());
                }
            }
            None => diagnostics.error_at(
                template,
                format!("the body names `{name}`, which is not a recorded field of this event"),
            ),
        }
        rest = &rest[open + close + 1..];
    }
    members
}

/// Runs `option` on every option of every `#[event(...)]` among `attrs`. An option with an
/// error is reported and skipped, so the next one is still checked.
fn each_option(
    attrs: &[syn::Attribute],
    diagnostics: &mut Diagnostics,
    mut option: impl FnMut(&syn::meta::ParseNestedMeta<'_>) -> syn::Result<()>,
) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("event")) {
        let mut errors = Vec::new();
        let result = attr.parse_nested_meta(|meta| {
            if let Err(error) = option(&meta) {
                errors.push(error);
                crate::attributes::skip_to_comma(meta.input);
            }
            Ok(())
        });
        for error in errors.into_iter().chain(result.err()) {
            diagnostics.push(error);
        }
    }
}

/// `OrderFailed` → `order.failed`.
fn dotted(type_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in type_name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('.');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
