//! What the SDK collected, as the Prometheus text exposition format (version 0.0.4).
//!
//! The translation follows the OpenTelemetry specification "Prometheus and OpenMetrics
//! Compatibility" (OTLP metric points to Prometheus), in two steps:
//!
//! 1. [`families`] decides everything Prometheus-specific: a metric's name gets its unit
//!    (`s` → `_seconds`, `By` → `_bytes`, `1` → `_ratio` on gauges, `{annotations}` dropped)
//!    and, for monotonic sums, `_total`; attributes become labels, with `otel_scope_name` and
//!    `otel_scope_version`; the resource becomes one `target_info` gauge. Metrics whose names
//!    meet are merged into one family, or dropped when their types differ (a family has one
//!    `# TYPE`).
//! 2. [`encode`] prints the families: `# HELP`, `# TYPE`, then one line per series, with
//!    `_bucket{le=...}` (cumulative, up to `+Inf`), `_sum` and `_count` for histograms.
//!
//! The output passes `promtool check metrics`. Metrics in `ms` are exported in seconds
//! (`_seconds`, values and bucket bounds divided by 1000), since Prometheus keeps time in base
//! units; what only the instrument's author can change, such as a camelCase attribute key or
//! a unit like `min`, is exported as it is.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use opentelemetry::{InstrumentationScope, Key, KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, Metric, MetricData, ResourceMetrics};

/// The name of the family carrying the resource attributes.
const TARGET_INFO: &str = "target_info";

/// A Prometheus metric type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        }
    }
}

/// One metric family: what follows a `# TYPE` line.
#[derive(Debug, PartialEq)]
pub(super) struct Family {
    /// The Prometheus name, with its unit and type suffixes.
    pub(super) name: String,
    pub(super) help: String,
    pub(super) kind: Kind,
    pub(super) series: Vec<Series>,
}

/// Label names (valid, unique, sorted) and their unescaped values.
pub(super) type Labels = Vec<(String, String)>;

/// One time series of a family.
#[derive(Debug, PartialEq)]
pub(super) struct Series {
    pub(super) labels: Labels,
    pub(super) value: SeriesValue,
}

#[derive(Debug, PartialEq)]
pub(super) enum SeriesValue {
    Number(Number),
    Histogram(HistogramValue),
}

impl SeriesValue {
    /// Multiplies every measured quantity (not the counts) by `factor`.
    fn scale(&mut self, factor: f64) {
        match self {
            Self::Number(number) => *number = number.scaled(factor),
            Self::Histogram(histogram) => {
                histogram.bounds.iter_mut().for_each(|b| *b *= factor);
                histogram.sum = histogram.sum.map(|sum| sum.scaled(factor));
            }
        }
    }
}

/// A cumulative histogram point.
#[derive(Debug, PartialEq)]
pub(super) struct HistogramValue {
    /// Upper bounds of the buckets, without the last one (`+Inf`).
    pub(super) bounds: Vec<f64>,
    /// Per-bucket (not cumulative) counts; one more than `bounds`.
    pub(super) bucket_counts: Vec<u64>,
    pub(super) count: u64,
    /// `None` when negative values were recorded: the specification exports `_sum` only when
    /// it can only grow.
    pub(super) sum: Option<Number>,
}

/// A sample value, printed without losing integer precision.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Number {
    #[allow(clippy::cast_precision_loss)] // a unit conversion of measured values
    fn scaled(self, factor: f64) -> Self {
        match self {
            Self::U64(v) => Self::F64(v as f64 * factor),
            Self::I64(v) => Self::F64(v as f64 * factor),
            Self::F64(v) => Self::F64(v * factor),
        }
    }

    fn is_negative(self) -> bool {
        match self {
            Self::U64(_) => false,
            Self::I64(v) => v < 0,
            Self::F64(v) => v < 0.0,
        }
    }
}

impl From<u64> for Number {
    fn from(v: u64) -> Self {
        Self::U64(v)
    }
}

impl From<i64> for Number {
    fn from(v: i64) -> Self {
        Self::I64(v)
    }
}

impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Self::F64(v)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::U64(v) => write!(f, "{v}"),
            Self::I64(v) => write!(f, "{v}"),
            Self::F64(v) => write_float(f, v),
        }
    }
}

/// A float as Prometheus parses it: `+Inf`, `-Inf`, `NaN`, integers without `.0`, and an
/// exponent only for magnitudes that would otherwise print dozens of digits.
fn write_float(out: &mut impl fmt::Write, v: f64) -> fmt::Result {
    if v.is_nan() {
        out.write_str("NaN")
    } else if v.is_infinite() {
        out.write_str(if v > 0.0 { "+Inf" } else { "-Inf" })
    } else if v == 0.0 || (1e-5..1e15).contains(&v.abs()) {
        write!(out, "{v}")
    } else {
        write!(out, "{v:e}")
    }
}

/// Turns one collection into Prometheus families, sorted by name. The strings are problems
/// to report to the user (a metric that cannot be exported), stable from one scrape to the
/// next so that each can be reported once.
pub(super) fn families(metrics: &ResourceMetrics) -> (Vec<Family>, Vec<String>) {
    let mut families = BTreeMap::new();
    let mut problems = Vec::new();
    let resource = metrics.resource();
    if !resource.is_empty() {
        families.insert(
            TARGET_INFO.to_owned(),
            Family {
                name: TARGET_INFO.to_owned(),
                help: "Target metadata".to_owned(),
                kind: Kind::Gauge,
                series: vec![Series {
                    labels: labels(resource.iter(), &[], &[]),
                    value: SeriesValue::Number(Number::U64(1)),
                }],
            },
        );
    }
    // Sorted first, so that when two metrics want one name the same one wins every scrape.
    let mut translated = Vec::new();
    for scope_metrics in metrics.scope_metrics() {
        let scope = scope_metrics.scope();
        let scope_labels = scope_labels(scope);
        for metric in scope_metrics.metrics() {
            match translate(metric, &scope_labels) {
                Ok(Some(family)) => translated.push((family, scope, metric.name())),
                Ok(None) => {}
                Err(problem) => problems.push(not_exported(metric.name(), &problem)),
            }
        }
    }
    translated.sort_by(|(a, a_scope, a_metric), (b, b_scope, b_metric)| {
        (&a.name, a_scope.name(), a_scope.version(), a_metric).cmp(&(
            &b.name,
            b_scope.name(),
            b_scope.version(),
            b_metric,
        ))
    });
    for (family, _, metric) in translated {
        match families.entry(family.name.clone()) {
            Entry::Vacant(entry) => {
                entry.insert(family);
            }
            // Same name and type: one family, with the first description as its help.
            Entry::Occupied(mut entry) if entry.get().kind == family.kind => {
                entry.get_mut().series.extend(family.series);
            }
            Entry::Occupied(entry) => {
                let problem = format!(
                    "its Prometheus name {} is already taken by a {}",
                    entry.key(),
                    entry.get().kind.as_str()
                );
                problems.push(not_exported(metric, &problem));
            }
        }
    }
    let families = families
        .into_values()
        .map(|mut family| {
            // Two streams with the same labels (the same instrument registered twice with
            // different descriptions, say) would be a duplicate series: keep the first.
            family.series.sort_by(|a, b| a.labels.cmp(&b.labels));
            family.series.dedup_by(|a, b| a.labels == b.labels);
            family
        })
        .collect();
    (families, problems)
}

fn not_exported(metric: &str, problem: &str) -> String {
    format!("metric {metric:?} is not exported to Prometheus: {problem}")
}

fn scope_labels(scope: &InstrumentationScope) -> Vec<(&'static str, &str)> {
    let mut labels = Vec::new();
    if !scope.name().is_empty() {
        labels.push(("otel_scope_name", scope.name()));
    }
    if let Some(version) = scope.version().filter(|v| !v.is_empty()) {
        labels.push(("otel_scope_version", version));
    }
    labels
}

/// One metric as a family of its own; `None` when it has no series.
fn translate(metric: &Metric, scope: &[(&'static str, &str)]) -> Result<Option<Family>, String> {
    let points = match metric.data() {
        AggregatedMetrics::F64(data) => points(data, scope),
        AggregatedMetrics::U64(data) => points(data, scope),
        AggregatedMetrics::I64(data) => points(data, scope),
    }?;
    let mut points = points;
    // Prometheus keeps time in seconds (promtool flags `_milliseconds`): a metric in `ms` is
    // exported in `s`, values and bucket bounds divided by 1000.
    let unit = if metric.unit() == "ms" {
        points.series.iter_mut().for_each(|s| s.value.scale(0.001));
        "s"
    } else {
        metric.unit()
    };
    let name = metric_name(metric.name(), unit, points.kind, points.otel_gauge);
    if name == TARGET_INFO {
        return Err(format!("{TARGET_INFO} is reserved for the resource"));
    }
    if points.series.is_empty() {
        return Ok(None);
    }
    let help = if metric.description().is_empty() {
        metric.name()
    } else {
        metric.description()
    };
    Ok(Some(Family {
        name,
        help: help.to_owned(),
        kind: points.kind,
        series: points.series,
    }))
}

struct Points {
    kind: Kind,
    /// An OpenTelemetry gauge (not a non-monotonic sum): only those take the unit `_ratio`.
    otel_gauge: bool,
    series: Vec<Series>,
}

fn points<T: Copy + Into<Number>>(
    data: &MetricData<T>,
    scope: &[(&'static str, &str)],
) -> Result<Points, String> {
    Ok(match data {
        MetricData::Gauge(gauge) => Points {
            kind: Kind::Gauge,
            otel_gauge: true,
            series: gauge
                .data_points()
                .map(|p| number(p.attributes().map(kv), scope, p.value()))
                .collect(),
        },
        MetricData::Sum(sum) => Points {
            kind: if sum.is_monotonic() {
                Kind::Counter
            } else {
                Kind::Gauge
            },
            otel_gauge: false,
            series: sum
                .data_points()
                .map(|p| number(p.attributes().map(kv), scope, p.value()))
                .collect(),
        },
        MetricData::Histogram(histogram) => Points {
            kind: Kind::Histogram,
            otel_gauge: false,
            series: histogram
                .data_points()
                .map(|p| Series {
                    labels: labels(p.attributes().map(kv), scope, &["le"]),
                    value: SeriesValue::Histogram(HistogramValue {
                        bounds: p.bounds().collect(),
                        bucket_counts: p.bucket_counts().collect(),
                        count: p.count(),
                        sum: p
                            .min()
                            .is_none_or(|min| !Into::<Number>::into(min).is_negative())
                            .then(|| p.sum().into()),
                    }),
                })
                .collect(),
        },
        MetricData::ExponentialHistogram(_) => {
            return Err("exponential histograms have no text format".to_owned())
        }
    })
}

fn number<'a>(
    attributes: impl Iterator<Item = (&'a Key, &'a Value)>,
    scope: &[(&'static str, &str)],
    value: impl Into<Number>,
) -> Series {
    Series {
        labels: labels(attributes, scope, &[]),
        value: SeriesValue::Number(value.into()),
    }
}

fn kv(kv: &KeyValue) -> (&Key, &Value) {
    (&kv.key, &kv.value)
}

/// Labels from attributes: names sanitized, and the values of attributes whose names meet
/// joined with `;` in the order of their original keys, as the specification asks. `fixed`
/// labels are added after; an attribute that would take the name of one of them, or of one of
/// `reserved`, is left out rather than make a series Prometheus rejects.
fn labels<'a>(
    attributes: impl Iterator<Item = (&'a Key, &'a Value)>,
    fixed: &[(&'static str, &str)],
    reserved: &[&str],
) -> Labels {
    let mut attributes: Vec<_> = attributes.collect();
    attributes.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    for (key, value) in attributes {
        let name = sanitize(key.as_str(), false);
        if reserved.contains(&name.as_str()) || fixed.iter().any(|(fixed, _)| *fixed == name) {
            continue;
        }
        match labels.entry(name) {
            Entry::Vacant(entry) => {
                entry.insert(value.as_str().into_owned());
            }
            Entry::Occupied(mut entry) => {
                let joined = entry.get_mut();
                joined.push(';');
                joined.push_str(&value.as_str());
            }
        }
    }
    for (name, value) in fixed {
        labels.insert((*name).to_owned(), (*value).to_owned());
    }
    labels.into_iter().collect()
}

/// `name` made a valid Prometheus metric name (`colons`) or label name: every other character
/// replaced by `_`, runs of `_` collapsed into one, and `_` in front of a leading digit.
fn sanitize(name: &str, colons: bool) -> String {
    let mut out = String::with_capacity(name.len() + 1);
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || (colons && c == ':') {
            c
        } else {
            '_'
        };
        if c != '_' || !out.ends_with('_') {
            out.push(c);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The Prometheus name of a metric: sanitized, then the unit (unless the name already says it),
/// then `_total` for counters (moved after the unit when the name already ends with it).
pub(super) fn metric_name(name: &str, unit: &str, kind: Kind, otel_gauge: bool) -> String {
    let mut out = sanitize(name, true);
    let counter = kind == Kind::Counter;
    if counter {
        if let Some(stem) = out.strip_suffix("_total").filter(|s| !s.is_empty()) {
            out.truncate(stem.len());
        }
    }
    let (main, per) = unit_words(unit, otel_gauge);
    let per = per.map(|per| format!("per_{per}"));
    for word in [main, per].into_iter().flatten() {
        if !has_words(&out, &word) {
            push_word(&mut out, &word);
        }
    }
    if counter {
        push_word(&mut out, "total");
    }
    out
}

fn push_word(name: &mut String, word: &str) {
    if !name.ends_with('_') {
        name.push('_');
    }
    name.push_str(word);
}

/// Whether the `_`-separated words of `name` contain those of `words`, in a row.
fn has_words(name: &str, words: &str) -> bool {
    let name: Vec<&str> = name.split('_').collect();
    let words: Vec<&str> = words.split('_').collect();
    name.windows(words.len()).any(|w| w == words.as_slice())
}

/// UCUM units and the words Prometheus spells them with.
const UNITS: &[(&str, &str)] = &[
    ("d", "days"),
    ("h", "hours"),
    ("min", "minutes"),
    ("s", "seconds"),
    ("ms", "milliseconds"),
    ("us", "microseconds"),
    ("ns", "nanoseconds"),
    ("By", "bytes"),
    ("KiBy", "kibibytes"),
    ("MiBy", "mebibytes"),
    ("GiBy", "gibibytes"),
    ("TiBy", "tebibytes"),
    ("KBy", "kilobytes"),
    ("MBy", "megabytes"),
    ("GBy", "gigabytes"),
    ("TBy", "terabytes"),
    ("m", "meters"),
    ("V", "volts"),
    ("A", "amperes"),
    ("J", "joules"),
    ("W", "watts"),
    ("g", "grams"),
    ("Cel", "celsius"),
    ("Hz", "hertz"),
    ("%", "percent"),
];

/// The units after a `/`, in the singular: `By/s` is `bytes_per_second`.
const PER_UNITS: &[(&str, &str)] = &[
    ("s", "second"),
    ("m", "minute"),
    ("h", "hour"),
    ("d", "day"),
    ("w", "week"),
    ("mo", "month"),
    ("y", "year"),
];

/// The words a unit adds to a name: the main unit and the unit it is per, each `None` when it
/// adds nothing. `{annotations}` are dropped (a count of things has no unit in Prometheus);
/// `1` is `ratio` on gauges and nothing elsewhere; unknown units are kept, sanitized.
fn unit_words(unit: &str, otel_gauge: bool) -> (Option<String>, Option<String>) {
    let mut plain = String::with_capacity(unit.len());
    let mut depth = 0_usize;
    for c in unit.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = plain.trim();
    if plain == "1" {
        return (otel_gauge.then(|| "ratio".to_owned()), None);
    }
    let (main, per) = match plain.split_once('/') {
        Some((main, per)) => (main, Some(per)),
        None => (plain, None),
    };
    (
        unit_word(main, UNITS),
        per.and_then(|per| unit_word(per, PER_UNITS)),
    )
}

fn unit_word(unit: &str, table: &[(&str, &'static str)]) -> Option<String> {
    let unit = unit.trim();
    if unit.is_empty() || unit == "1" {
        return None;
    }
    let word = table
        .iter()
        .find(|(ucum, _)| *ucum == unit)
        .map_or(unit, |(_, word)| word);
    let word = sanitize(word, false);
    let word = word.trim_matches('_');
    (!word.is_empty()).then(|| word.to_owned())
}

/// The text exposition of `families`.
pub(super) fn encode(families: &[Family]) -> String {
    let mut out = String::new();
    for family in families {
        // Writing to a String cannot fail.
        let _ = write_family(&mut out, family);
    }
    out
}

fn write_family(out: &mut String, family: &Family) -> fmt::Result {
    let name = &family.name;
    out.push_str("# HELP ");
    out.push_str(name);
    out.push(' ');
    for c in family.help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    writeln!(out, "\n# TYPE {name} {}", family.kind.as_str())?;
    for series in &family.series {
        match &series.value {
            SeriesValue::Number(value) => {
                write_sample(out, name, "", &series.labels, None, *value)?;
            }
            SeriesValue::Histogram(histogram) => {
                write_histogram(out, name, &series.labels, histogram)?;
            }
        }
    }
    Ok(())
}

fn write_histogram(
    out: &mut String,
    name: &str,
    labels: &Labels,
    histogram: &HistogramValue,
) -> fmt::Result {
    let mut cumulative = 0_u64;
    for (i, bound) in histogram.bounds.iter().enumerate() {
        let in_bucket = histogram.bucket_counts.get(i).copied().unwrap_or(0);
        cumulative = cumulative.saturating_add(in_bucket);
        // `+Inf` is written once, last; a NaN bound is no bound.
        if bound.is_nan() || *bound == f64::INFINITY {
            continue;
        }
        let mut le = String::new();
        write_float(&mut le, *bound)?;
        write_sample(out, name, "_bucket", labels, Some(&le), cumulative.into())?;
    }
    let count = Number::U64(histogram.count);
    write_sample(out, name, "_bucket", labels, Some("+Inf"), count)?;
    if let Some(sum) = histogram.sum {
        write_sample(out, name, "_sum", labels, None, sum)?;
    }
    write_sample(out, name, "_count", labels, None, count)
}

fn write_sample(
    out: &mut String,
    name: &str,
    suffix: &str,
    labels: &Labels,
    le: Option<&str>,
    value: Number,
) -> fmt::Result {
    out.push_str(name);
    out.push_str(suffix);
    let le = le.map(|le| ("le", le));
    let all = labels
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain(le);
    for (i, (label, value)) in all.enumerate() {
        out.push(if i == 0 { '{' } else { ',' });
        out.push_str(label);
        out.push_str("=\"");
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    if !labels.is_empty() || le.is_some() {
        out.push('}');
    }
    writeln!(out, " {value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(labels: &[(&str, &str)]) -> Labels {
        labels
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn names_are_sanitized_and_collapsed() {
        assert_eq!(sanitize("http.server.request", true), "http_server_request");
        assert_eq!(sanitize("a..b__c-/d", true), "a_b_c_d");
        assert_eq!(sanitize("ns:metric", true), "ns:metric");
        assert_eq!(sanitize("ns:label", false), "ns_label");
        assert_eq!(sanitize("2xx.count", true), "_2xx_count");
        assert_eq!(sanitize("héllo wörld", false), "h_llo_w_rld");
        assert_eq!(sanitize("", false), "_");
        assert_eq!(sanitize("__reserved", false), "_reserved");
    }

    #[test]
    fn units_become_suffixes() {
        let name = |name, unit, kind, otel_gauge| metric_name(name, unit, kind, otel_gauge);
        use Kind::{Counter, Gauge, Histogram};
        assert_eq!(
            name("http.server.duration", "s", Histogram, false),
            "http_server_duration_seconds"
        );
        assert_eq!(
            name("job.time", "ms", Histogram, false),
            "job_time_milliseconds"
        );
        assert_eq!(name("heap.size", "By", Gauge, true), "heap_size_bytes");
        assert_eq!(
            name("disk.io", "KiBy", Counter, false),
            "disk_io_kibibytes_total"
        );
        assert_eq!(
            name("net.io", "By/s", Gauge, true),
            "net_io_bytes_per_second"
        );
        assert_eq!(name("rate", "{request}/s", Gauge, true), "rate_per_second");
        assert_eq!(
            name("requests.per.second", "{request}/s", Gauge, true),
            "requests_per_second"
        );
        assert_eq!(name("cpu.load", "1", Gauge, true), "cpu_load_ratio");
        assert_eq!(name("cpu.load.ratio", "1", Gauge, true), "cpu_load_ratio");
        // Only OpenTelemetry gauges are ratios; a `1` elsewhere is a plain count.
        assert_eq!(name("things", "1", Gauge, false), "things");
        assert_eq!(name("things", "1", Counter, false), "things_total");
        assert_eq!(
            name("orders.created", "{order}", Counter, false),
            "orders_created_total"
        );
        assert_eq!(name("temp", "Cel", Gauge, true), "temp_celsius");
        assert_eq!(name("disk.used", "%", Gauge, true), "disk_used_percent");
        assert_eq!(name("widgets", "kWdg", Gauge, true), "widgets_kWdg");
        assert_eq!(name("empty.unit", "", Gauge, true), "empty_unit");
    }

    #[test]
    fn a_unit_already_in_the_name_is_not_repeated() {
        assert_eq!(
            metric_name("build.seconds", "s", Kind::Histogram, false),
            "build_seconds"
        );
        assert_eq!(
            metric_name("bytes.read", "By", Kind::Counter, false),
            "bytes_read_total"
        );
        assert_eq!(
            metric_name("net.bytes", "By/s", Kind::Gauge, true),
            "net_bytes_per_second"
        );
    }

    #[test]
    fn total_is_added_once_and_after_the_unit() {
        assert_eq!(metric_name("hits", "", Kind::Counter, false), "hits_total");
        assert_eq!(
            metric_name("hits_total", "", Kind::Counter, false),
            "hits_total"
        );
        assert_eq!(
            metric_name("hits.total", "", Kind::Counter, false),
            "hits_total"
        );
        assert_eq!(
            metric_name("cpu.time_total", "s", Kind::Counter, false),
            "cpu_time_seconds_total"
        );
        assert_eq!(
            metric_name("total", "", Kind::Counter, false),
            "total_total"
        );
        assert_eq!(metric_name("odd.", "", Kind::Counter, false), "odd_total");
        // Gauges keep their name as it is.
        assert_eq!(
            metric_name("hits_total", "", Kind::Gauge, false),
            "hits_total"
        );
    }

    #[test]
    fn attributes_become_labels_and_meeting_names_are_joined_in_key_order() {
        let attributes = [
            KeyValue::new("order.kind", "express"),
            KeyValue::new("http.status_code", 200),
            KeyValue::new("a-b", "dash"),
            KeyValue::new("a.b", "dot"),
            KeyValue::new("a_b", "underscore"),
            KeyValue::new("retry", true),
            KeyValue::new("ratio", 0.5),
        ];
        assert_eq!(
            labels(attributes.iter().map(kv), &[], &[]),
            owned(&[
                ("a_b", "dash;dot;underscore"),
                ("http_status_code", "200"),
                ("order_kind", "express"),
                ("ratio", "0.5"),
                ("retry", "true"),
            ])
        );
    }

    #[test]
    fn fixed_and_reserved_labels_win_over_attributes() {
        let attributes = [
            KeyValue::new("le", "1"),
            KeyValue::new("otel.scope.name", "mine"),
            KeyValue::new("kept", "yes"),
        ];
        assert_eq!(
            labels(
                attributes.iter().map(kv),
                &[("otel_scope_name", "signalry")],
                &["le"]
            ),
            owned(&[("kept", "yes"), ("otel_scope_name", "signalry")])
        );
    }

    #[test]
    fn floats_print_as_prometheus_parses_them() {
        let text = |v: f64| Number::F64(v).to_string();
        assert_eq!(text(3.0), "3");
        assert_eq!(text(0.25), "0.25");
        assert_eq!(text(-1.5), "-1.5");
        assert_eq!(text(0.0), "0");
        assert_eq!(text(1e-7), "1e-7");
        assert_eq!(text(2.5e20), "2.5e20");
        assert_eq!(text(f64::INFINITY), "+Inf");
        assert_eq!(text(f64::NEG_INFINITY), "-Inf");
        assert_eq!(text(f64::NAN), "NaN");
        assert_eq!(Number::U64(u64::MAX).to_string(), "18446744073709551615");
        assert_eq!(Number::I64(-7).to_string(), "-7");
    }

    #[test]
    fn encodes_counters_gauges_and_histograms() {
        let families = [
            Family {
                name: "orders_created_total".into(),
                help: "Orders created".into(),
                kind: Kind::Counter,
                series: vec![
                    Series {
                        labels: owned(&[("order_kind", "express")]),
                        value: SeriesValue::Number(Number::U64(3)),
                    },
                    Series {
                        labels: owned(&[("order_kind", "standard")]),
                        value: SeriesValue::Number(Number::U64(5)),
                    },
                ],
            },
            Family {
                name: "queue_fill_ratio".into(),
                help: "queue.fill".into(),
                kind: Kind::Gauge,
                series: vec![Series {
                    labels: Vec::new(),
                    value: SeriesValue::Number(Number::F64(0.5)),
                }],
            },
            Family {
                name: "request_duration_seconds".into(),
                help: "Time to handle a request".into(),
                kind: Kind::Histogram,
                series: vec![Series {
                    labels: owned(&[("route", "/cart")]),
                    value: SeriesValue::Histogram(HistogramValue {
                        bounds: vec![0.1, 0.5, 1.0],
                        bucket_counts: vec![1, 0, 2, 1],
                        count: 4,
                        sum: Some(Number::F64(3.75)),
                    }),
                }],
            },
        ];
        assert_eq!(
            encode(&families),
            "# HELP orders_created_total Orders created\n\
             # TYPE orders_created_total counter\n\
             orders_created_total{order_kind=\"express\"} 3\n\
             orders_created_total{order_kind=\"standard\"} 5\n\
             # HELP queue_fill_ratio queue.fill\n\
             # TYPE queue_fill_ratio gauge\n\
             queue_fill_ratio 0.5\n\
             # HELP request_duration_seconds Time to handle a request\n\
             # TYPE request_duration_seconds histogram\n\
             request_duration_seconds_bucket{route=\"/cart\",le=\"0.1\"} 1\n\
             request_duration_seconds_bucket{route=\"/cart\",le=\"0.5\"} 1\n\
             request_duration_seconds_bucket{route=\"/cart\",le=\"1\"} 3\n\
             request_duration_seconds_bucket{route=\"/cart\",le=\"+Inf\"} 4\n\
             request_duration_seconds_sum{route=\"/cart\"} 3.75\n\
             request_duration_seconds_count{route=\"/cart\"} 4\n"
        );
    }

    #[test]
    fn a_histogram_without_sum_or_labels() {
        let families = [Family {
            name: "offset".into(),
            help: "offset".into(),
            kind: Kind::Histogram,
            series: vec![Series {
                labels: Vec::new(),
                value: SeriesValue::Histogram(HistogramValue {
                    bounds: vec![-1.0, f64::NAN, f64::INFINITY],
                    bucket_counts: vec![2, 1, 0, 0],
                    count: 3,
                    sum: None,
                }),
            }],
        }];
        assert_eq!(
            encode(&families),
            "# HELP offset offset\n\
             # TYPE offset histogram\n\
             offset_bucket{le=\"-1\"} 2\n\
             offset_bucket{le=\"+Inf\"} 3\n\
             offset_count 3\n"
        );
    }

    #[test]
    fn help_and_label_values_are_escaped() {
        let families = [Family {
            name: "paths".into(),
            help: "C:\\temp\nand \"more\"".into(),
            kind: Kind::Gauge,
            series: vec![Series {
                labels: owned(&[("path", "C:\\temp\n\"quoted\"")]),
                value: SeriesValue::Number(Number::I64(-2)),
            }],
        }];
        assert_eq!(
            encode(&families),
            "# HELP paths C:\\\\temp\\nand \"more\"\n\
             # TYPE paths gauge\n\
             paths{path=\"C:\\\\temp\\n\\\"quoted\\\"\"} -2\n"
        );
    }
}
