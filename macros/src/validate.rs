//! Checks on names and keys shared by every macro: what OpenTelemetry would silently accept
//! and mangle, or drop, is refused here at the offending token.

use std::collections::BTreeMap;

use proc_macro2::Span;

use crate::diagnostics::Diagnostics;

/// Why `key` is not a usable attribute key, if it is not.
pub(crate) fn attribute_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("an attribute key must not be empty".to_owned());
    }
    if let Some(c) = key.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "attribute key {key:?} contains {c:?}; keys are dot-separated words such as \
             `http.request.method`"
        ));
    }
    if key.starts_with('.') || key.ends_with('.') || key.contains("..") {
        return Err(format!(
            "attribute key {key:?} has an empty segment; keys are dot-separated words such as \
             `http.request.method`"
        ));
    }
    Ok(())
}

/// Collects the attribute keys of one call site and reports each key given twice, or two keys
/// that Prometheus would turn into one label (`http.route` and `http_route`).
#[derive(Default)]
pub(crate) struct UniqueKeys {
    seen: BTreeMap<String, Span>,
    labels: BTreeMap<String, String>,
}

/// The Prometheus label an attribute key becomes: every character outside `[A-Za-z0-9_]` is
/// `_`, and a leading digit gets a `key_` prefix.
pub(crate) fn prometheus_label(key: &str) -> String {
    let label: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if label.starts_with(|c: char| c.is_ascii_digit()) {
        format!("key_{label}")
    } else {
        label
    }
}

impl UniqueKeys {
    /// Adds `key`; an invalid or repeated key is reported at `span`.
    pub(crate) fn add(&mut self, key: &str, span: Span, diagnostics: &mut Diagnostics) {
        if let Err(message) = attribute_key(key) {
            diagnostics.push(syn::Error::new(span, message));
            return;
        }
        if self.seen.contains_key(key) {
            diagnostics.push(syn::Error::new(
                span,
                format!("the attribute key `{key}` is given twice at this call site; keep one"),
            ));
            return;
        }
        let label = prometheus_label(key);
        if let Some(other) = self.labels.get(&label) {
            diagnostics.push(syn::Error::new(
                span,
                format!(
                    "the attribute keys `{other}` and `{key}` both become the Prometheus label \
                     `{label}`, so their values would be merged; rename one"
                ),
            ));
            return;
        }
        self.labels.insert(label, key.to_owned());
        self.seen.insert(key.to_owned(), span);
    }

    /// Whether `key` was added.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.seen.contains_key(key)
    }
}

/// The kinds of instrument, as the naming rules see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InstrumentKind {
    Counter,
    UpDownCounter,
    Histogram,
    Gauge,
    ObservableCounter,
    ObservableUpDownCounter,
    ObservableGauge,
}

impl InstrumentKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::UpDownCounter => "updown",
            Self::Histogram => "histogram",
            Self::Gauge => "gauge",
            Self::ObservableCounter => "observable counter",
            Self::ObservableUpDownCounter => "observable updown",
            Self::ObservableGauge => "observable gauge",
        }
    }

    /// Whether the values come from a callback at collection time.
    pub(crate) fn is_observable(self) -> bool {
        matches!(
            self,
            Self::ObservableCounter | Self::ObservableUpDownCounter | Self::ObservableGauge
        )
    }

    /// The kind with the same data model, as semantic-convention registries name instruments
    /// (`counter`, `updowncounter`, `histogram`, `gauge`), whether synchronous or not.
    pub(crate) fn data_model(self) -> Self {
        match self {
            Self::ObservableCounter => Self::Counter,
            Self::ObservableUpDownCounter => Self::UpDownCounter,
            Self::ObservableGauge => Self::Gauge,
            other => other,
        }
    }
}

/// The naming guidelines, each of which a legacy name can opt out of by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Guideline {
    /// Lowercase only.
    Lowercase,
    /// Dot-namespaced (`http.server.request.duration`).
    Namespaced,
    /// No unit in the name: the unit belongs in `unit`.
    UnitInName,
    /// No `_total`, `_count`, `_sum`, `_bucket` endings: Prometheus adds them.
    PrometheusSuffix,
    /// A `.duration` is a histogram in `s` or `ms`.
    Duration,
    /// `otel.` is reserved for OpenTelemetry itself.
    ReservedPrefix,
    /// UpDownCounter names are not plural (`queue.size`, not `queue.items`).
    PluralUpDown,
}

impl Guideline {
    pub(crate) const ALL: [Self; 7] = [
        Self::Lowercase,
        Self::Namespaced,
        Self::UnitInName,
        Self::PrometheusSuffix,
        Self::Duration,
        Self::ReservedPrefix,
        Self::PluralUpDown,
    ];

    /// The name used to opt out: `allow(unit_in_name)`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Lowercase => "lowercase",
            Self::Namespaced => "namespaced",
            Self::UnitInName => "unit_in_name",
            Self::PrometheusSuffix => "prometheus_suffix",
            Self::Duration => "duration",
            Self::ReservedPrefix => "reserved_prefix",
            Self::PluralUpDown => "plural_updown",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// OpenTelemetry's instrument name syntax, `^[A-Za-z][A-Za-z0-9_./-]{0,254}$`: a name that
/// breaks it makes the SDK hand out a no-op instrument and drop every measurement.
pub(crate) fn instrument_name(name: &str) -> Result<(), String> {
    let fix = "an instrument name starts with a letter and continues with letters, digits, \
               `_`, `.`, `/` or `-`, at most 255 in all, e.g. `http.server.request.duration`";
    let Some(first) = name.chars().next() else {
        return Err(format!("the instrument name is empty; {fix}"));
    };
    if !first.is_ascii_alphabetic() {
        return Err(format!(
            "instrument name {name:?} starts with {first:?}; {fix}"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-')))
    {
        return Err(format!("instrument name {name:?} contains {bad:?}; {fix}"));
    }
    if name.len() > 255 {
        return Err(format!(
            "instrument name is {} characters long; {fix}",
            name.len()
        ));
    }
    Ok(())
}

/// Units are ASCII (printable) of at most 63 characters; the SDK drops the instrument otherwise.
pub(crate) fn unit(unit: &str) -> Result<(), String> {
    if let Some(bad) = unit.chars().find(|c| !c.is_ascii() || c.is_ascii_control()) {
        return Err(format!(
            "unit {unit:?} contains {bad:?}; units are printable ASCII in UCUM notation, \
             e.g. `s`, `ms`, `By`, `{{request}}`, `1`"
        ));
    }
    if unit.len() > 63 {
        return Err(format!(
            "unit {unit:?} is {} characters long; the limit is 63",
            unit.len()
        ));
    }
    Ok(())
}

/// Descriptions hold at most 1023 characters.
pub(crate) fn description(description: &str) -> Result<(), String> {
    let length = description.chars().count();
    if length > 1023 {
        return Err(format!(
            "the description is {length} characters long; the limit is 1023: keep it to a \
             sentence and document the rest elsewhere"
        ));
    }
    Ok(())
}

/// Words that name a unit; the unit belongs in `unit`, not in the name.
const UNIT_WORDS: &[(&str, &str)] = &[
    ("seconds", "s"),
    ("second", "s"),
    ("secs", "s"),
    ("milliseconds", "ms"),
    ("millis", "ms"),
    ("ms", "ms"),
    ("microseconds", "us"),
    ("nanoseconds", "ns"),
    ("ns", "ns"),
    ("minutes", "min"),
    ("hours", "h"),
    ("bytes", "By"),
    ("kb", "KiBy"),
    ("kib", "KiBy"),
    ("mb", "MiBy"),
    ("mib", "MiBy"),
    ("gb", "GiBy"),
    ("percent", "%"),
    ("pct", "%"),
];

/// The guidelines `name` breaks, with a message for each: what is wrong and how to fix it.
pub(crate) fn guidelines(
    name: &str,
    kind: InstrumentKind,
    unit: &str,
    allowed: &[Guideline],
) -> Vec<(Guideline, String)> {
    let mut broken = Vec::new();
    let mut check = |guideline: Guideline, message: Option<String>| {
        if let Some(message) = message.filter(|_| !allowed.contains(&guideline)) {
            broken.push((
                guideline,
                format!(
                    "{message} (naming guideline `{}`; for a legacy name, opt out with \
                     `allow({})`)",
                    guideline.name(),
                    guideline.name()
                ),
            ));
        }
    };
    check(
        Guideline::Lowercase,
        (name != name.to_ascii_lowercase()).then(|| {
            format!(
                "metric name {name:?} has uppercase letters; use {:?}",
                name.to_ascii_lowercase()
            )
        }),
    );
    check(
        Guideline::Namespaced,
        (!name.contains('.')).then(|| {
            format!(
                "metric name {name:?} has no namespace; name it `<area>.<thing>`, e.g. \
                 `orders.created` or `http.server.request.duration`"
            )
        }),
    );
    let words: Vec<String> = name
        .split(['.', '_', '-', '/'])
        .map(str::to_ascii_lowercase)
        .collect();
    check(
        Guideline::UnitInName,
        UNIT_WORDS
            .iter()
            .find(|(word, _)| words.iter().any(|w| w == word))
            .map(|(word, unit)| {
                format!(
                    "metric name {name:?} contains the unit word `{word}`; drop it from the \
                     name and set `unit = \"{unit}\"`"
                )
            }),
    );
    check(
        Guideline::PrometheusSuffix,
        [
            "_total", "_count", "_sum", "_bucket", ".total", ".sum", ".bucket",
        ]
        .iter()
        .find(|suffix| name.ends_with(*suffix))
        .map(|suffix| {
            format!(
                "metric name {name:?} ends with `{suffix}`, which Prometheus adds itself \
                     (it would be doubled); drop it"
            )
        }),
    );
    check(
        Guideline::Duration,
        (name.ends_with(".duration")
            && !(kind == InstrumentKind::Histogram && (unit == "s" || unit == "ms")))
            .then(|| {
                format!(
                    "`.duration` metrics are histograms in `s` (or `ms`), but {name:?} is a {} \
                     with unit {unit:?}",
                    kind.as_str()
                )
            }),
    );
    check(
        Guideline::ReservedPrefix,
        name.starts_with("otel.").then(|| {
            format!(
                "metric name {name:?} uses the `otel.` prefix, which is reserved for OpenTelemetry"
            )
        }),
    );
    check(
        Guideline::PluralUpDown,
        (kind.data_model() == InstrumentKind::UpDownCounter
            && looks_plural(words.last().map_or("", String::as_str)))
        .then(|| {
            format!(
                "up-down counter {name:?} reads as a plural; name the quantity it tracks, \
                     e.g. `queue.size` or `db.client.connection.count`"
            )
        }),
    );
    broken
}

/// `items`, `connections`: plural; `status`, `bus`, `process`, `analysis`: not.
fn looks_plural(word: &str) -> bool {
    word.len() > 3
        && word.ends_with('s')
        && !["ss", "us", "is", "os"].iter().any(|e| word.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::attribute_key;

    use super::{description, guidelines, instrument_name, unit, Guideline, InstrumentKind};

    #[test]
    fn instrument_names_follow_the_specification() {
        for ok in [
            "a",
            "http.server.request.duration",
            "a_b-c/d.e",
            &"x".repeat(255),
        ] {
            assert!(instrument_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1abc", "_a", "a b", "a:b", "é", &"x".repeat(256)] {
            assert!(instrument_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn units_and_descriptions() {
        assert!(unit("s").is_ok());
        assert!(unit("{request}").is_ok());
        assert!(unit("").is_ok());
        assert!(unit("µs").is_err());
        assert!(unit(&"s".repeat(64)).is_err());
        assert!(description(&"d".repeat(1023)).is_ok());
        assert!(description(&"d".repeat(1024)).is_err());
    }

    fn broken(name: &str, kind: InstrumentKind, unit: &str) -> Vec<Guideline> {
        guidelines(name, kind, unit, &[])
            .into_iter()
            .map(|(g, _)| g)
            .collect()
    }

    #[test]
    fn each_guideline() {
        use InstrumentKind::{Counter, Gauge, Histogram, UpDownCounter};
        assert!(broken("http.server.request.duration", Histogram, "s").is_empty());
        assert!(broken("orders.created", Counter, "{order}").is_empty());
        assert!(broken("queue.size", UpDownCounter, "{item}").is_empty());
        assert!(broken("process.status", UpDownCounter, "1").is_empty());
        assert_eq!(
            broken("Orders.Created", Counter, ""),
            [Guideline::Lowercase]
        );
        assert_eq!(broken("requests", Counter, ""), [Guideline::Namespaced]);
        assert_eq!(
            broken("db.query.duration_ms", Histogram, "ms"),
            [Guideline::UnitInName]
        );
        assert_eq!(
            broken("net.rx.bytes", Counter, "By"),
            [Guideline::UnitInName]
        );
        assert_eq!(
            broken("http.requests_total", Counter, ""),
            [Guideline::PrometheusSuffix]
        );
        assert_eq!(
            broken("db.query.duration", Gauge, "s"),
            [Guideline::Duration]
        );
        assert_eq!(
            broken("db.query.duration", Histogram, "min"),
            [Guideline::Duration]
        );
        assert_eq!(
            broken("otel.sdk.spans", Counter, ""),
            [Guideline::ReservedPrefix]
        );
        assert_eq!(
            broken("queue.items", UpDownCounter, ""),
            [Guideline::PluralUpDown]
        );
        let opted_out = guidelines("Legacy_Requests_total", Counter, "", &Guideline::ALL);
        assert!(opted_out.is_empty());
    }

    #[test]
    fn messages_say_how_to_fix_and_how_to_opt_out() {
        let (_, message) = guidelines("api.latency_ms", InstrumentKind::Histogram, "ms", &[])
            .pop()
            .expect("a broken guideline");
        assert!(message.contains("set `unit = \"ms\"`"), "{message}");
        assert!(message.contains("allow(unit_in_name)"), "{message}");
    }

    #[test]
    fn prometheus_labels() {
        assert_eq!(super::prometheus_label("http.route"), "http_route");
        assert_eq!(super::prometheus_label("2xx"), "key_2xx");
    }

    #[test]
    fn keys() {
        assert!(attribute_key("http.route").is_ok());
        assert!(attribute_key("user_id").is_ok());
        assert!(attribute_key("").is_err());
        assert!(attribute_key("a b").is_err());
        assert!(attribute_key("a..b").is_err());
        assert!(attribute_key(".a").is_err());
    }
}
