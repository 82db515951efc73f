//! What a `TelemetryEvent` derive means: the event's name, severity and body, and one
//! attribute per field, with every rule checked here.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitInt, LitStr, Member, Path};

use crate::diagnostics::Diagnostics;
use crate::registry::Registry;
use crate::validate::{self, UniqueKeys};

/// A checked event.
pub(crate) struct Event {
    pub(crate) ident: Ident,
    pub(crate) generics: syn::Generics,
    pub(crate) name: String,
    /// The `opentelemetry::logs::Severity` variant.
    pub(crate) severity: &'static str,
    /// The body template and the fields it names, in order of appearance.
    pub(crate) body: Option<(LitStr, Vec<Member>)>,
    pub(crate) fields: Vec<Field>,
    pub(crate) krate: Path,
    /// The registry this event was checked against, included so edits rebuild the crate.
    pub(crate) registry: Option<std::path::PathBuf>,
}

/// One recorded field.
pub(crate) struct Field {
    pub(crate) member: Member,
    pub(crate) key: String,
    pub(crate) recording: Recording,
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
}

const SEVERITIES: &[(&str, &str)] = &[
    ("trace", "Trace"),
    ("debug", "Debug"),
    ("info", "Info"),
    ("warn", "Warn"),
    ("error", "Error"),
    ("fatal", "Fatal"),
];

const CONTAINER_OPTIONS: &str =
    "name = \"...\", severity = trace|debug|info|warn|error|fatal, body = \"... {field} ...\", crate = path";
const FIELD_OPTIONS: &str = "skip, rename = \"...\", display, debug, redact, truncate = N";

impl Event {
    pub(crate) fn new(input: &DeriveInput, location: Option<&str>) -> syn::Result<Self> {
        let mut diagnostics = Diagnostics::default();
        let mut name: Option<LitStr> = None;
        let mut severity: Option<&'static str> = None;
        let mut body: Option<LitStr> = None;
        let mut krate: Option<Path> = None;
        each_option(&input.attrs, &mut diagnostics, |meta| {
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
            match option.as_str() {
                "name" => {
                    once(name.is_some())?;
                    name = Some(meta.value()?.parse()?);
                }
                "severity" => {
                    once(severity.is_some())?;
                    let ident: Ident = meta.value()?.parse()?;
                    let found = SEVERITIES.iter().find(|(word, _)| ident == word);
                    severity = Some(found.map(|(_, variant)| *variant).ok_or_else(|| {
                        syn::Error::new(
                            ident.span(),
                            format!(
                                "unknown severity `{ident}`; expected one of: trace, debug, \
                                     info, warn, error, fatal"
                            ),
                        )
                    })?);
                }
                "body" => {
                    once(body.is_some())?;
                    body = Some(meta.value()?.parse()?);
                }
                "crate" => {
                    once(krate.is_some())?;
                    krate = Some(meta.value()?.parse()?);
                }
                _ => {
                    return Err(meta.error(format!(
                        "unknown event option `{option}`; valid options: {CONTAINER_OPTIONS}"
                    )))
                }
            }
            Ok(())
        });

        let fields = match &input.data {
            Data::Struct(data) => fields(&data.fields, &mut diagnostics),
            Data::Enum(data) => {
                diagnostics.push(syn::Error::new(
                    data.enum_token.span,
                    "#[derive(TelemetryEvent)] supports structs so far: make each variant a \
                     struct of its own",
                ));
                Vec::new()
            }
            Data::Union(data) => {
                diagnostics.push(syn::Error::new(
                    data.union_token.span,
                    "#[derive(TelemetryEvent)] cannot read a union's fields: use a struct",
                ));
                Vec::new()
            }
        };

        let (event_name, name_span) = match &name {
            Some(lit) => (lit.value(), lit.span()),
            None => (dotted(&input.ident.to_string()), input.ident.span()),
        };
        if let Err(message) = validate::instrument_name(&event_name) {
            diagnostics.push(syn::Error::new(
                name_span,
                message.replace("instrument", "event"),
            ));
        } else if event_name != event_name.to_ascii_lowercase() {
            diagnostics.push(syn::Error::new(
                name_span,
                format!(
                    "event name {event_name:?} has uppercase letters; use {:?}",
                    event_name.to_ascii_lowercase()
                ),
            ));
        }

        let mut keys = UniqueKeys::default();
        for field in &fields {
            keys.add(&field.key, field.member.span(), &mut diagnostics);
        }

        let body = body.map(|template| {
            let members = template_fields(&template, &fields, &mut diagnostics);
            (template, members)
        });

        let mut registry = None;
        if let (Some(_), true) = (location, diagnostics.is_empty()) {
            match Registry::for_current_crate() {
                Ok(Some(found)) => {
                    let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
                    for violation in found.check_event(&event_name, &keys) {
                        diagnostics
                            .push(syn::Error::new(name_span, violation.message(found.path())));
                    }
                    registry = Some(found.path().to_path_buf());
                }
                Ok(None) => {}
                Err(error) => diagnostics.push(syn::Error::new(name_span, error.to_string())),
            }
        }
        diagnostics.finish()?;

        Ok(Self {
            ident: input.ident.clone(),
            generics: input.generics.clone(),
            name: event_name,
            severity: severity.unwrap_or("Info"),
            body,
            fields,
            krate: krate.unwrap_or_else(|| syn::parse_quote!(::signalry)),
            registry,
        })
    }
}

fn fields(fields: &Fields, diagnostics: &mut Diagnostics) -> Vec<Field> {
    let mut out = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let member = match &field.ident {
            Some(ident) => Member::Named(ident.clone()),
            None => Member::Unnamed(syn::Index {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                span: field.span(),
            }),
        };
        let mut skip = false;
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
                "skip" => skip = true,
                "rename" => rename = Some(meta.value()?.parse()?),
                "display" => recordings.push((Recording::Display, span)),
                "debug" => recordings.push((Recording::Debug, span)),
                "redact" => recordings.push((Recording::Redacted, span)),
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
        if skip {
            continue;
        }
        let key = match (&rename, &field.ident) {
            (Some(lit), _) => lit.value(),
            (None, Some(ident)) => ident.to_string(),
            (None, None) => {
                diagnostics.push(syn::Error::new(
                    field.span(),
                    "a tuple struct's field needs a key: `#[event(rename = \"key\")]`, or \
                     `#[event(skip)]`",
                ));
                continue;
            }
        };
        out.push(Field {
            member,
            key,
            recording: recordings.first().map_or(Recording::Native, |(r, _)| *r),
        });
    }
    out
}

fn word(recording: Recording) -> &'static str {
    match recording {
        Recording::Native => "native",
        Recording::Display => "display",
        Recording::Debug => "debug",
        Recording::Redacted => "redact",
        Recording::Truncated(_) => "truncate",
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
        match fields.iter().find(|f| matches!(&f.member, Member::Named(i) if i == name)) {
            Some(field) if field.recording == Recording::Redacted => diagnostics.error_at(
                template,
                format!("the body names `{name}`, which is redacted: its value never leaves the process"),
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
