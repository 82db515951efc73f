//! Configuration: the one place that reads the `OTEL_*` environment variables.
//!
//! [`EnvConfig::from_env`] reads every variable signalry honours, applies the defaults of the
//! OpenTelemetry environment-variable specification, and resolves precedence (a per-signal
//! variable wins over the general one). A value that cannot be parsed never fails start-up: it
//! produces a one-line [`ConfigWarning`] and the specification's default is used instead.
//! Code configuration ([`crate::Builder`]) is applied on top of the result, so code wins over the
//! environment.

use std::fmt;
use std::time::Duration;

/// Which exporter a signal uses (`OTEL_{TRACES,METRICS,LOGS}_EXPORTER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExporterKind {
    /// OTLP to a collector, over the configured [`Protocol`].
    Otlp,
    /// The readable console output (stderr): span trees, events, a metrics summary.
    Console,
    /// A Prometheus pull endpoint; metrics only.
    Prometheus,
}

impl ExporterKind {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "otlp" => Some(Self::Otlp),
            "console" | "stdout" | "logging" => Some(Self::Console),
            "prometheus" => Some(Self::Prometheus),
            _ => None,
        }
    }
}

/// OTLP transport (`OTEL_EXPORTER_OTLP_PROTOCOL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// OTLP over gRPC (default port 4317).
    Grpc,
    /// OTLP over HTTP with protobuf bodies (default port 4318); the specification's default.
    HttpProtobuf,
    /// OTLP over HTTP with JSON bodies (default port 4318).
    HttpJson,
}

impl Protocol {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "grpc" => Some(Self::Grpc),
            "http/protobuf" => Some(Self::HttpProtobuf),
            "http/json" => Some(Self::HttpJson),
            _ => None,
        }
    }

    /// The value as written in `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grpc => "grpc",
            Self::HttpProtobuf => "http/protobuf",
            Self::HttpJson => "http/json",
        }
    }
}

/// OTLP payload compression (`OTEL_EXPORTER_OTLP_COMPRESSION`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compression {
    /// No compression (the specification's default).
    None,
    /// gzip.
    Gzip,
}

/// The sampler for new traces (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SamplerConfig {
    /// Record every trace.
    AlwaysOn,
    /// Record nothing.
    AlwaysOff,
    /// Record this fraction of traces, decided by trace id.
    TraceIdRatio(f64),
    /// Follow the parent's decision; root spans use the inner sampler.
    ParentBased(ParentRoot),
}

/// The root sampler of [`SamplerConfig::ParentBased`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParentRoot {
    /// Sample every root span.
    AlwaysOn,
    /// Sample no root span.
    AlwaysOff,
    /// Sample this fraction of root spans.
    TraceIdRatio(f64),
}

/// A context propagator (`OTEL_PROPAGATORS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PropagatorKind {
    /// W3C `traceparent` / `tracestate`.
    TraceContext,
    /// W3C `baggage`.
    Baggage,
}

/// The three signals, for per-signal settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signal {
    /// Spans.
    Traces,
    /// Metric points.
    Metrics,
    /// Log records and events.
    Logs,
}

impl Signal {
    /// `TRACES`, `METRICS` or `LOGS`, as in the variable names.
    fn env_infix(self) -> &'static str {
        match self {
            Self::Traces => "TRACES",
            Self::Metrics => "METRICS",
            Self::Logs => "LOGS",
        }
    }

    /// The OTLP/HTTP path appended to a general endpoint.
    fn http_path(self) -> &'static str {
        match self {
            Self::Traces => "v1/traces",
            Self::Metrics => "v1/metrics",
            Self::Logs => "v1/logs",
        }
    }
}

/// OTLP settings of one signal, resolved (per-signal variable, else general, else default).
#[derive(Clone, PartialEq)]
pub struct OtlpConfig {
    /// Full endpoint URL. For HTTP it includes the signal path (`/v1/traces`), as the
    /// specification says: a general endpoint gets the path appended, a per-signal one is used
    /// as it is.
    pub endpoint: String,
    /// Transport.
    pub protocol: Protocol,
    /// Headers sent with every export (tokens live here: never printed).
    pub headers: Vec<(String, String)>,
    /// Time allowed for one export.
    pub timeout: Duration,
    /// Payload compression.
    pub compression: Compression,
}

impl fmt::Debug for OtlpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values are credentials more often than not: show the names only.
        let header_names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("OtlpConfig")
            .field("endpoint", &self.endpoint)
            .field("protocol", &self.protocol)
            .field("headers", &header_names)
            .field("timeout", &self.timeout)
            .field("compression", &self.compression)
            .finish()
    }
}

/// Batch processor settings (`OTEL_BSP_*` for spans, `OTEL_BLRP_*` for log records).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchConfig {
    /// Delay between two consecutive exports.
    pub schedule_delay: Duration,
    /// Time allowed for one export.
    pub export_timeout: Duration,
    /// Items buffered at most; beyond that new items are dropped and counted.
    pub max_queue_size: usize,
    /// Items per export at most (never more than `max_queue_size`).
    pub max_export_batch_size: usize,
    /// Exports in flight at once, each over a connection of its own (OTLP; an exporter given
    /// in code is one). `OTEL_BSP_MAX_CONCURRENT_EXPORTS` (the Rust SDK's variable) and
    /// `OTEL_BLRP_MAX_CONCURRENT_EXPORTS`; 1 by default.
    pub max_concurrent_exports: usize,
}

/// Everything signalry reads from the environment, resolved to final values.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvConfig {
    /// `OTEL_SDK_DISABLED`.
    pub sdk_disabled: bool,
    /// `OTEL_SERVICE_NAME`, else `service.name` from `OTEL_RESOURCE_ATTRIBUTES`.
    pub service_name: Option<String>,
    /// `OTEL_RESOURCE_ATTRIBUTES`, percent-decoded, in order of appearance.
    pub resource_attributes: Vec<(String, String)>,
    /// `OTEL_TRACES_EXPORTER`; `None` when unset (the builder then picks the default).
    pub traces_exporter: Option<Vec<ExporterKind>>,
    /// `OTEL_METRICS_EXPORTER`.
    pub metrics_exporter: Option<Vec<ExporterKind>>,
    /// `OTEL_LOGS_EXPORTER`.
    pub logs_exporter: Option<Vec<ExporterKind>>,
    /// Whether any `OTEL_EXPORTER_OTLP_*ENDPOINT` variable is set: with no exporter variable
    /// set, that selects OTLP instead of the console.
    pub otlp_endpoint_set: bool,
    /// OTLP settings for spans.
    pub otlp_traces: OtlpConfig,
    /// OTLP settings for metrics.
    pub otlp_metrics: OtlpConfig,
    /// OTLP settings for log records.
    pub otlp_logs: OtlpConfig,
    /// `OTEL_TRACES_SAMPLER` with `OTEL_TRACES_SAMPLER_ARG`.
    pub sampler: SamplerConfig,
    /// `OTEL_METRIC_EXPORT_INTERVAL`.
    pub metric_export_interval: Duration,
    /// `OTEL_METRIC_EXPORT_TIMEOUT`.
    pub metric_export_timeout: Duration,
    /// `OTEL_BSP_*`.
    pub span_batch: BatchConfig,
    /// `OTEL_BLRP_*`.
    pub log_batch: BatchConfig,
    /// `OTEL_PROPAGATORS`.
    pub propagators: Vec<PropagatorKind>,
    /// `OTEL_EXPORTER_PROMETHEUS_HOST`.
    pub prometheus_host: String,
    /// `OTEL_EXPORTER_PROMETHEUS_PORT`.
    pub prometheus_port: u16,
}

/// A variable that was set but could not be used; its default was used instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The variable's name.
    pub variable: &'static str,
    /// One line: what was wrong and what was used instead. Never contains a header value.
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";
const DEFAULT_HTTP_ENDPOINT: &str = "http://localhost:4318";
const DEFAULT_OTLP_TIMEOUT: Duration = Duration::from_secs(10);

impl EnvConfig {
    /// Reads the process environment.
    ///
    /// ```
    /// let (config, warnings) = signalry::config::EnvConfig::from_env();
    /// for warning in &warnings {
    ///     eprintln!("{warning}");
    /// }
    /// assert!(config.metric_export_interval.as_millis() > 0);
    /// ```
    pub fn from_env() -> (Self, Vec<ConfigWarning>) {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` instead of the process environment (tests, or
    /// configuration kept elsewhere). `lookup` returns a variable's raw value.
    ///
    /// ```
    /// use signalry::config::{EnvConfig, Protocol};
    /// let (config, warnings) = EnvConfig::from_lookup(|name| match name {
    ///     "OTEL_EXPORTER_OTLP_PROTOCOL" => Some("grpc".into()),
    ///     "OTEL_BSP_SCHEDULE_DELAY" => Some("soon".into()),
    ///     _ => None,
    /// });
    /// assert_eq!(config.otlp_traces.protocol, Protocol::Grpc);
    /// assert_eq!(config.span_batch.schedule_delay.as_millis(), 5000);
    /// assert_eq!(warnings[0].variable, "OTEL_BSP_SCHEDULE_DELAY");
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> (Self, Vec<ConfigWarning>) {
        let mut reader = Reader {
            lookup: &lookup,
            warnings: Vec::new(),
        };
        let config = reader.read_all();
        (config, reader.warnings)
    }
}

/// Reads variables and collects warnings; every `OTEL_*` name appears once, in this type.
struct Reader<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    warnings: Vec<ConfigWarning>,
}

impl Reader<'_> {
    /// A variable's trimmed value; empty counts as unset, as the specification says.
    fn raw(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    fn warn(&mut self, variable: &'static str, message: String) {
        self.warnings.push(ConfigWarning { variable, message });
    }

    fn read_all(&mut self) -> EnvConfig {
        let sdk_disabled = self.boolean("OTEL_SDK_DISABLED");
        let resource_attributes = self.resource_attributes();
        let service_name = self.raw("OTEL_SERVICE_NAME").or_else(|| {
            resource_attributes
                .iter()
                .find(|(k, _)| k == "service.name")
                .map(|(_, v)| v.clone())
        });
        let otlp_endpoint_set = [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        ]
        .iter()
        .any(|name| self.raw(name).is_some());

        EnvConfig {
            sdk_disabled,
            service_name,
            resource_attributes,
            traces_exporter: self.exporters("OTEL_TRACES_EXPORTER", Signal::Traces),
            metrics_exporter: self.exporters("OTEL_METRICS_EXPORTER", Signal::Metrics),
            logs_exporter: self.exporters("OTEL_LOGS_EXPORTER", Signal::Logs),
            otlp_endpoint_set,
            otlp_traces: self.otlp(Signal::Traces),
            otlp_metrics: self.otlp(Signal::Metrics),
            otlp_logs: self.otlp(Signal::Logs),
            sampler: self.sampler(),
            metric_export_interval: self.millis("OTEL_METRIC_EXPORT_INTERVAL", 60_000),
            metric_export_timeout: self.millis("OTEL_METRIC_EXPORT_TIMEOUT", 30_000),
            span_batch: self.batch(
                [
                    "OTEL_BSP_SCHEDULE_DELAY",
                    "OTEL_BSP_EXPORT_TIMEOUT",
                    "OTEL_BSP_MAX_QUEUE_SIZE",
                    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
                    "OTEL_BSP_MAX_CONCURRENT_EXPORTS",
                ],
                5_000,
            ),
            log_batch: self.batch(
                [
                    "OTEL_BLRP_SCHEDULE_DELAY",
                    "OTEL_BLRP_EXPORT_TIMEOUT",
                    "OTEL_BLRP_MAX_QUEUE_SIZE",
                    "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE",
                    "OTEL_BLRP_MAX_CONCURRENT_EXPORTS",
                ],
                1_000,
            ),
            propagators: self.propagators(),
            prometheus_host: self
                .raw("OTEL_EXPORTER_PROMETHEUS_HOST")
                .unwrap_or_else(|| "localhost".to_owned()),
            prometheus_port: self.number("OTEL_EXPORTER_PROMETHEUS_PORT", 9464, 1),
        }
    }

    fn boolean(&mut self, name: &'static str) -> bool {
        match self.raw(name) {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(v) => {
                self.warn(name, format!("{v:?} is not true or false; using false"));
                false
            }
        }
    }

    /// A non-negative integer no smaller than `min`.
    fn number<T>(&mut self, name: &'static str, default: T, min: T) -> T
    where
        T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
    {
        let Some(v) = self.raw(name) else {
            return default;
        };
        match v.parse::<T>() {
            Ok(n) if n >= min => n,
            _ => {
                self.warn(
                    name,
                    format!("{v:?} is not an integer of at least {min}; using {default}"),
                );
                default
            }
        }
    }

    fn millis(&mut self, name: &'static str, default_ms: u64) -> Duration {
        Duration::from_millis(self.number(name, default_ms, 0))
    }

    fn batch(&mut self, names: [&'static str; 5], default_delay_ms: u64) -> BatchConfig {
        let [delay, timeout, queue, batch, concurrent] = names;
        let max_queue_size = self.number(queue, 2048, 1);
        let mut max_export_batch_size = self.number(batch, 512, 1);
        if max_export_batch_size > max_queue_size {
            self.warn(
                batch,
                format!(
                    "{max_export_batch_size} is larger than the queue size {max_queue_size}; \
                     using {max_queue_size}"
                ),
            );
            max_export_batch_size = max_queue_size;
        }
        BatchConfig {
            schedule_delay: self.millis(delay, default_delay_ms),
            export_timeout: self.millis(timeout, 30_000),
            max_queue_size,
            max_export_batch_size,
            max_concurrent_exports: self.concurrency(concurrent),
        }
    }

    /// Exports in flight at once: each is a connection, so a few are plenty.
    fn concurrency(&mut self, name: &'static str) -> usize {
        const MAX: usize = 16;
        let n = self.number(name, 1, 1);
        if n > MAX {
            self.warn(name, format!("{n} is more than {MAX}; using {MAX}"));
            return MAX;
        }
        n
    }

    fn resource_attributes(&mut self) -> Vec<(String, String)> {
        const NAME: &str = "OTEL_RESOURCE_ATTRIBUTES";
        let Some(raw) = self.raw(NAME) else {
            return Vec::new();
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let decoded = pair
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, _)| !k.is_empty())
                .and_then(|(k, v)| Some((percent_decode(k)?, percent_decode(v)?)));
            match decoded {
                Some((key, value)) => {
                    // A later duplicate wins, as with any key=value list.
                    out.retain(|(k, _)| *k != key);
                    out.push((key, value));
                }
                None => self.warn(
                    NAME,
                    format!("{pair:?} is not key=value (percent-encoded); ignoring it"),
                ),
            }
        }
        out
    }

    fn exporters(&mut self, name: &'static str, signal: Signal) -> Option<Vec<ExporterKind>> {
        let raw = self.raw(name)?;
        let mut kinds = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let item = item.to_ascii_lowercase();
            if item == "none" {
                continue;
            }
            match ExporterKind::parse(&item) {
                Some(ExporterKind::Prometheus) if signal != Signal::Metrics => self.warn(
                    name,
                    format!("{item:?} exports metrics only; ignoring it for {signal:?}"),
                ),
                Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                Some(_) => {}
                None => {
                    let valid = if signal == Signal::Metrics {
                        "otlp, prometheus, console, none"
                    } else {
                        "otlp, console, none"
                    };
                    self.warn(
                        name,
                        format!("{item:?} is not an exporter (valid: {valid}); ignoring it"),
                    );
                }
            }
        }
        // Spec: `none` alone turns the signal off; an unknown value alone keeps the default.
        if kinds.is_empty()
            && !raw
                .to_ascii_lowercase()
                .split(',')
                .any(|i| i.trim() == "none")
        {
            return None;
        }
        Some(kinds)
    }

    fn otlp(&mut self, signal: Signal) -> OtlpConfig {
        let infix = signal.env_infix();
        let protocol = self
            .per_signal(infix, "PROTOCOL", |v| {
                Protocol::parse(&v.to_ascii_lowercase())
            })
            .unwrap_or(Protocol::HttpProtobuf);

        let endpoint = match self.per_signal_raw(infix, "ENDPOINT") {
            (Some(endpoint), true) => endpoint,
            (Some(general), false) if protocol == Protocol::Grpc => general,
            (Some(general), false) => join_path(&general, signal.http_path()),
            (None, _) if protocol == Protocol::Grpc => DEFAULT_GRPC_ENDPOINT.to_owned(),
            (None, _) => join_path(DEFAULT_HTTP_ENDPOINT, signal.http_path()),
        };

        let headers = match self.per_signal_raw(infix, "HEADERS") {
            (Some(raw), specific) => self.headers(&raw, header_var(signal, specific)),
            (None, _) => Vec::new(),
        };

        let timeout = self
            .per_signal(infix, "TIMEOUT", |v| v.parse::<u64>().ok())
            .map_or(DEFAULT_OTLP_TIMEOUT, Duration::from_millis);

        let compression = self
            .per_signal(infix, "COMPRESSION", |v| {
                match v.to_ascii_lowercase().as_str() {
                    "gzip" => Some(Compression::Gzip),
                    "none" => Some(Compression::None),
                    _ => None,
                }
            })
            .unwrap_or(Compression::None);

        OtlpConfig {
            endpoint,
            protocol,
            headers,
            timeout,
            compression,
        }
    }

    /// The per-signal variable if set, else the general one; `bool` says which.
    fn per_signal_raw(&self, infix: &str, setting: &str) -> (Option<String>, bool) {
        match self.raw(&format!("OTEL_EXPORTER_OTLP_{infix}_{setting}")) {
            Some(v) => (Some(v), true),
            None => (self.raw(&format!("OTEL_EXPORTER_OTLP_{setting}")), false),
        }
    }

    /// The per-signal variable, else the general one, parsed; an invalid value of either warns
    /// and falls through to the next source.
    fn per_signal<T>(
        &mut self,
        infix: &str,
        setting: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        for name in [
            format!("OTEL_EXPORTER_OTLP_{infix}_{setting}"),
            format!("OTEL_EXPORTER_OTLP_{setting}"),
        ] {
            let Some(v) = self.raw(&name) else { continue };
            match parse(&v) {
                Some(parsed) => return Some(parsed),
                None => {
                    let variable = otlp_var_name(&name);
                    let message =
                        format!("{v:?} is not valid ({}); ignoring it", valid_for(setting));
                    // The general variable is read once per signal: warn about it only once.
                    if !self
                        .warnings
                        .iter()
                        .any(|w| w.variable == variable && w.message == message)
                    {
                        self.warn(variable, message);
                    }
                }
            }
        }
        None
    }

    fn headers(&mut self, raw: &str, variable: &'static str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let parsed = pair
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, _)| is_header_name(k))
                .and_then(|(k, v)| Some((k.to_ascii_lowercase(), percent_decode(v)?)));
            match parsed {
                Some(kv) => out.push(kv),
                None => {
                    // Never echo the value: it is usually a credential.
                    let key = pair.split('=').next().unwrap_or_default().trim();
                    let message =
                        format!("the entry for {key:?} is not name=value; ignoring that header");
                    if !self.warnings.iter().any(|w| w.message == message) {
                        self.warn(variable, message);
                    }
                }
            }
        }
        out
    }

    fn sampler(&mut self) -> SamplerConfig {
        const NAME: &str = "OTEL_TRACES_SAMPLER";
        let default = SamplerConfig::ParentBased(ParentRoot::AlwaysOn);
        let Some(name) = self.raw(NAME).map(|v| v.to_ascii_lowercase()) else {
            return default;
        };
        match name.as_str() {
            "always_on" => SamplerConfig::AlwaysOn,
            "always_off" => SamplerConfig::AlwaysOff,
            "traceidratio" => SamplerConfig::TraceIdRatio(self.sampler_ratio()),
            "parentbased_always_on" => SamplerConfig::ParentBased(ParentRoot::AlwaysOn),
            "parentbased_always_off" => SamplerConfig::ParentBased(ParentRoot::AlwaysOff),
            "parentbased_traceidratio" => {
                SamplerConfig::ParentBased(ParentRoot::TraceIdRatio(self.sampler_ratio()))
            }
            other => {
                self.warn(
                    NAME,
                    format!(
                        "{other:?} is not supported (valid: always_on, always_off, traceidratio, \
                         parentbased_always_on, parentbased_always_off, \
                         parentbased_traceidratio); using parentbased_always_on"
                    ),
                );
                default
            }
        }
    }

    fn sampler_ratio(&mut self) -> f64 {
        const ARG: &str = "OTEL_TRACES_SAMPLER_ARG";
        match self.raw(ARG) {
            None => 1.0,
            Some(v) => match v.parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) => r,
                _ => {
                    self.warn(ARG, format!("{v:?} is not a ratio in [0, 1]; using 1.0"));
                    1.0
                }
            },
        }
    }

    fn propagators(&mut self) -> Vec<PropagatorKind> {
        const NAME: &str = "OTEL_PROPAGATORS";
        let default = vec![PropagatorKind::TraceContext, PropagatorKind::Baggage];
        let Some(raw) = self.raw(NAME) else {
            return default;
        };
        let mut out = Vec::new();
        for item in raw.split(',').map(|i| i.trim().to_ascii_lowercase()) {
            match item.as_str() {
                "" | "none" => {}
                "tracecontext" => out.push(PropagatorKind::TraceContext),
                "baggage" => out.push(PropagatorKind::Baggage),
                other => self.warn(
                    NAME,
                    format!("{other:?} is not supported (valid: tracecontext, baggage, none); ignoring it"),
                ),
            }
        }
        out.dedup();
        out
    }
}

/// Appends an OTLP/HTTP signal path to a base endpoint, with exactly one `/` between them.
fn join_path(base: &str, path: &str) -> String {
    format!("{}/{path}", base.trim_end_matches('/'))
}

fn header_var(signal: Signal, specific: bool) -> &'static str {
    match (signal, specific) {
        (_, false) => "OTEL_EXPORTER_OTLP_HEADERS",
        (Signal::Traces, true) => "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        (Signal::Metrics, true) => "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
        (Signal::Logs, true) => "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
    }
}

/// The `&'static str` spelling of an OTLP variable name built at run time.
fn otlp_var_name(name: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
        "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TIMEOUT",
        "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
        "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT",
        "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
        "OTEL_EXPORTER_OTLP_COMPRESSION",
        "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
        "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
        "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION",
    ];
    NAMES
        .iter()
        .copied()
        .find(|n| *n == name)
        .unwrap_or("OTEL_EXPORTER_OTLP_*")
}

fn valid_for(setting: &str) -> &'static str {
    match setting {
        "PROTOCOL" => "valid: grpc, http/protobuf, http/json",
        "TIMEOUT" => "expected milliseconds",
        "COMPRESSION" => "valid: gzip, none",
        _ => "see the OpenTelemetry specification",
    }
}

/// RFC 7230 token characters.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Decodes `%XX` escapes (W3C baggage octet encoding); `None` on a malformed escape or bytes
/// that are not UTF-8.
fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn attribute_map(pairs: &[(String, String)]) -> BTreeMap<&str, &str> {
        pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    fn read(vars: &[(&str, &str)]) -> (EnvConfig, Vec<ConfigWarning>) {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        EnvConfig::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_follow_the_specification() {
        let (c, w) = read(&[]);
        assert!(w.is_empty());
        assert!(!c.sdk_disabled);
        assert_eq!(c.traces_exporter, None);
        assert!(!c.otlp_endpoint_set);
        assert_eq!(c.otlp_traces.protocol, Protocol::HttpProtobuf);
        assert_eq!(c.otlp_traces.endpoint, "http://localhost:4318/v1/traces");
        assert_eq!(c.otlp_metrics.endpoint, "http://localhost:4318/v1/metrics");
        assert_eq!(c.otlp_logs.endpoint, "http://localhost:4318/v1/logs");
        assert_eq!(c.otlp_traces.timeout, Duration::from_secs(10));
        assert_eq!(c.otlp_traces.compression, Compression::None);
        assert_eq!(c.sampler, SamplerConfig::ParentBased(ParentRoot::AlwaysOn));
        assert_eq!(c.metric_export_interval, Duration::from_secs(60));
        assert_eq!(c.span_batch.schedule_delay, Duration::from_secs(5));
        assert_eq!(c.span_batch.max_queue_size, 2048);
        assert_eq!(c.span_batch.max_export_batch_size, 512);
        assert_eq!(c.log_batch.schedule_delay, Duration::from_secs(1));
        assert_eq!(
            c.propagators,
            vec![PropagatorKind::TraceContext, PropagatorKind::Baggage]
        );
        assert_eq!(
            (c.prometheus_host.as_str(), c.prometheus_port),
            ("localhost", 9464)
        );
    }

    #[test]
    fn general_http_endpoint_gets_the_signal_path_and_per_signal_is_used_as_is() {
        let (c, w) = read(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
            (
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
                "http://logs:9999/custom",
            ),
        ]);
        assert!(w.is_empty());
        assert!(c.otlp_endpoint_set);
        assert_eq!(c.otlp_traces.endpoint, "http://collector:4318/v1/traces");
        assert_eq!(c.otlp_metrics.endpoint, "http://collector:4318/v1/metrics");
        assert_eq!(c.otlp_logs.endpoint, "http://logs:9999/custom");
    }

    #[test]
    fn grpc_endpoint_is_used_as_is_and_per_signal_protocol_wins() {
        let (c, _) = read(&[
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"),
        ]);
        assert_eq!(c.otlp_traces.protocol, Protocol::Grpc);
        assert_eq!(c.otlp_traces.endpoint, "http://c:4317");
        assert_eq!(c.otlp_metrics.protocol, Protocol::HttpJson);
        assert_eq!(c.otlp_metrics.endpoint, "http://c:4317/v1/metrics");
        let (c, _) = read(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]);
        assert_eq!(c.otlp_logs.endpoint, "http://localhost:4317");
    }

    #[test]
    fn headers_are_parsed_decoded_and_never_printed() {
        let (c, w) = read(&[
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "Authorization=Bearer%20s3cret, x-team = core",
            ),
            ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-only=traces"),
        ]);
        assert!(w.is_empty());
        assert_eq!(
            c.otlp_metrics.headers,
            vec![
                ("authorization".to_owned(), "Bearer s3cret".to_owned()),
                ("x-team".to_owned(), "core".to_owned())
            ]
        );
        assert_eq!(
            c.otlp_traces.headers,
            vec![("x-only".to_owned(), "traces".to_owned())]
        );
        let printed = format!("{c:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(printed.contains("authorization"));
    }

    #[test]
    fn a_malformed_header_warns_without_echoing_its_value() {
        let (c, w) = read(&[("OTEL_EXPORTER_OTLP_HEADERS", "api-key=%zzsecret,ok=1")]);
        assert_eq!(
            c.otlp_traces.headers,
            vec![("ok".to_owned(), "1".to_owned())]
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].variable, "OTEL_EXPORTER_OTLP_HEADERS");
        assert!(!w[0].message.contains("secret"));
    }

    #[test]
    fn every_invalid_value_warns_once_and_keeps_the_default() {
        let cases: &[(&str, &str)] = &[
            ("OTEL_SDK_DISABLED", "yes"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "-3"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "1s"),
            ("OTEL_TRACES_EXPORTER", "jaeger"),
            ("OTEL_METRICS_EXPORTER", "statsd"),
            ("OTEL_LOGS_EXPORTER", "prometheus"),
            ("OTEL_TRACES_SAMPLER", "sometimes"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "often"),
            ("OTEL_METRIC_EXPORT_TIMEOUT", "-1"),
            ("OTEL_BSP_SCHEDULE_DELAY", "5s"),
            ("OTEL_BSP_EXPORT_TIMEOUT", "x"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "0"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1.5"),
            ("OTEL_BLRP_SCHEDULE_DELAY", "x"),
            ("OTEL_BLRP_EXPORT_TIMEOUT", "x"),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "x"),
            ("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "x"),
            ("OTEL_BSP_MAX_CONCURRENT_EXPORTS", "0"),
            ("OTEL_BLRP_MAX_CONCURRENT_EXPORTS", "many"),
            ("OTEL_PROPAGATORS", "b3"),
            ("OTEL_EXPORTER_PROMETHEUS_PORT", "70000"),
            ("OTEL_RESOURCE_ATTRIBUTES", "novalue"),
        ];
        let (defaults, _) = read(&[]);
        for (name, value) in cases {
            let (c, w) = read(&[(name, value)]);
            assert_eq!(w.len(), 1, "{name}={value}: {w:?}");
            assert_eq!(w[0].variable, *name);
            assert!(!w[0].message.contains('\n'));
            if *name != "OTEL_PROPAGATORS" {
                assert_eq!(c, defaults, "{name}={value} changed the configuration");
            }
        }
        let (c, w) = read(&[
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "2"),
        ]);
        assert_eq!(c.sampler, SamplerConfig::TraceIdRatio(1.0));
        assert_eq!(w[0].variable, "OTEL_TRACES_SAMPLER_ARG");
    }

    #[test]
    fn resource_attributes_and_service_name_precedence() {
        let (c, w) = read(&[(
            "OTEL_RESOURCE_ATTRIBUTES",
            "service.name=from-attrs,team=a%2Cb",
        )]);
        assert!(w.is_empty());
        assert_eq!(c.service_name.as_deref(), Some("from-attrs"));
        assert_eq!(attribute_map(&c.resource_attributes)["team"], "a,b");
        let (c, _) = read(&[
            ("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attrs"),
            ("OTEL_SERVICE_NAME", "from-name"),
        ]);
        assert_eq!(c.service_name.as_deref(), Some("from-name"));
    }

    #[test]
    fn exporter_lists_and_none() {
        let (c, w) = read(&[
            ("OTEL_TRACES_EXPORTER", "otlp, console"),
            ("OTEL_METRICS_EXPORTER", "none"),
            ("OTEL_LOGS_EXPORTER", "OTLP"),
        ]);
        assert!(w.is_empty());
        assert_eq!(
            c.traces_exporter,
            Some(vec![ExporterKind::Otlp, ExporterKind::Console])
        );
        assert_eq!(c.metrics_exporter, Some(vec![]));
        assert_eq!(c.logs_exporter, Some(vec![ExporterKind::Otlp]));
    }

    #[test]
    fn batch_size_is_capped_by_queue_size() {
        let (c, w) = read(&[
            ("OTEL_BSP_MAX_QUEUE_SIZE", "100"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "500"),
        ]);
        assert_eq!(c.span_batch.max_export_batch_size, 100);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn concurrent_exports_default_to_one_and_are_capped() {
        let (c, w) = read(&[]);
        assert!(w.is_empty());
        assert_eq!(c.span_batch.max_concurrent_exports, 1);
        assert_eq!(c.log_batch.max_concurrent_exports, 1);
        let (c, w) = read(&[
            ("OTEL_BSP_MAX_CONCURRENT_EXPORTS", "4"),
            ("OTEL_BLRP_MAX_CONCURRENT_EXPORTS", "99"),
        ]);
        assert_eq!(c.span_batch.max_concurrent_exports, 4);
        assert_eq!(c.log_batch.max_concurrent_exports, 16);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].variable, "OTEL_BLRP_MAX_CONCURRENT_EXPORTS");
    }
}
