//! # signalry
//!
//! OpenTelemetry instrumentation through macros, checked at compile time.
//!
//! ```no_run
//! #[signalry::traced]
//! fn handle(order_id: u64) -> Result<(), std::io::Error> {
//!     Ok(())
//! }
//!
//! fn main() {
//!     // Reads the standard OTEL_* variables; with none set, telemetry goes to the console.
//!     let _telemetry = signalry::init();
//!     handle(42).ok();
//! } // dropping the guard flushes everything
//! ```
//!
//! Without a call to [`init`] (or with `OTEL_SDK_DISABLED=true`) instrumented code does
//! nothing beyond one atomic load per call, and signalry says once on stderr why.
//!
//! Configuration follows the OpenTelemetry environment-variable specification; see
//! [`config::EnvConfig`] for every variable read, and [`Builder`] for settings in code, which
//! win over the environment.

mod clock;
pub mod config;
mod console;
mod custom_export;
#[cfg(feature = "otlp")]
mod grpc;
mod logs;
mod metrics;
#[cfg(feature = "otlp")]
mod otlp;
#[cfg(feature = "otlp")]
mod otlp_encode;
#[cfg(feature = "otlp")]
mod otlp_export;
mod pipeline;
mod pool;
mod resource;
mod state;
pub mod testing;

mod traces;
mod values;

pub use crate::logs::TelemetryEvent;
pub use crate::metrics::observable::{Observation, Observer};
/// Makes a struct (or each variant of an enum) a typed structured event: each field an
/// attribute of an OpenTelemetry LogRecord with an event name, emitted with [`TelemetryEvent::emit`] and correlated with the
/// current span.
///
/// ```
/// use signalry::TelemetryEvent as _;
///
/// #[derive(signalry::TelemetryEvent)]
/// #[event(name = "order.failed", severity = error, body = "order {order_id} failed")]
/// struct OrderFailed<'a> {
///     #[event(rename = "order.id")]
///     order_id: u64,
///     reason: &'a str,
///     #[event(redact)]
///     card_number: &'a str,
///     #[event(truncate = 8)]
///     detail: String,
///     coupon: Option<&'a str>,
///     items: Vec<u32>,
/// }
///
/// let ((), captured) = signalry::testing::capture(|| {
///     OrderFailed {
///         order_id: 7,
///         reason: "declined",
///         card_number: "4111 1111 1111 1111",
///         detail: "insufficient funds".to_owned(),
///         coupon: None,
///         items: vec![1, 2],
///     }
///     .emit();
/// });
/// let event = captured.events("order.failed").next().expect("emitted");
/// assert_eq!(event.attribute("reason"), Some(&"declined".into()));
/// assert_eq!(event.attribute("card_number"), Some(&"[REDACTED]".into()));
/// assert_eq!(event.attribute("detail"), Some(&"insuffic".into()));
/// assert_eq!(event.attribute("detail.truncated"), Some(&true.into()));
/// assert_eq!(event.attribute("coupon"), None);
/// ```
///
/// An enum is one event per variant: each variant's name is the enum's `name` (default: the
/// enum's name, dotted) followed by the variant's, dotted, unless the variant has its own
/// `name`; a variant may set its own `severity`, `body` and `count`. Unit variants have no
/// attributes.
///
/// ```
/// use signalry::TelemetryEvent as _;
///
/// #[derive(signalry::TelemetryEvent)]
/// #[event(nested)] // only a part of other events
/// struct Peer<'a> {
///     address: &'a str,
/// }
///
/// #[derive(signalry::TelemetryEvent)]
/// #[event(name = "job", count = "jobs.events")] // each emission adds 1 to `jobs.events`
/// enum JobEvent<'a> {
///     Started {
///         #[event(rename = "job.id")]
///         id: u64,
///         #[event(flatten)] // `peer.address`
///         peer: Peer<'a>,
///     },
///     #[event(severity = error, body = "job {id} failed: {reason}")]
///     Failed {
///         #[event(rename = "job.id")]
///         id: u64,
///         #[event(count_by)] // also an attribute of the counter
///         reason: &'a str,
///     },
///     Idle,
/// }
///
/// let ((), captured) = signalry::testing::capture(|| {
///     JobEvent::Started { id: 1, peer: Peer { address: "10.0.0.1" } }.emit();
///     JobEvent::Failed { id: 1, reason: "disk full" }.emit();
/// });
/// let started = captured.events("job.started").next().expect("emitted");
/// assert_eq!(started.attribute("peer.address"), Some(&"10.0.0.1".into()));
/// let failed = captured.events("job.failed").next().expect("emitted");
/// assert_eq!(failed.body, Some("job 1 failed: disk full".into()));
/// assert_eq!(captured.sum("jobs.events"), 2.0);
/// assert_eq!(JobEvent::Idle.event_name(), "job.idle");
/// ```
///
/// Container options, `#[event(...)]` on the struct or enum:
/// - `name = "..."`: the event name; default: the type's name in dotted lowercase
///   (`OrderFailed` → `order.failed`). On an enum, the prefix of its variants' names.
/// - `severity = trace|debug|info|warn|error|fatal`: default `info`.
/// - `body = "template {field}"`: the record's body, from named fields (on each variant for an
///   enum). A redacted or flattened field cannot be named.
/// - `count = "metric.name"`: each emission also adds 1 to this counter (unit `{event}`), with
///   the fields marked `count_by` as its attributes. The counter is checked like `counter!`
///   (name, guidelines, registry, one shape per name); `allow(guideline, ...)` opts it out of
///   a naming guideline.
/// - `nested`: the type is not an event of its own, only fields for others to `flatten`; it
///   has no name, severity, body or counter, and no `emit`.
/// - `crate = path`: where signalry is, when re-exported.
///
/// Field options: `skip`; `rename = "dotted.key"`; `display`; `debug`; `redact` (the
/// attribute says `[REDACTED]`; the value never leaves the process); `truncate = N` (text cut
/// to N bytes on a character boundary, with `<key>.truncated = true` when cut); `flatten` (the
/// field's own attributes under `<key>.`, where the key is the field's name or `rename`; an
/// `Option` of one adds nothing when `None`; no other key of the event may be under that
/// prefix); `count_by` (also an attribute of the `count` counter). Integers, floats, bools and
/// strings are native; `Option::None` leaves the attribute out; `Vec`s and slices become
/// arrays. Tuple fields need a `rename`.
///
/// Names and keys are checked at compile time like metric names, and against the crate's
/// `telemetry.yaml` (`type: event` groups) when there is one: each event (each variant) must
/// be declared with its attributes; a flattened field's keys must be declared under its prefix.
/// [`TelemetryEvent::emit`] goes through signalry's pipeline; [`TelemetryEvent::emit_to`]
/// through any OpenTelemetry logger.
pub use signalry_macros::TelemetryEvent;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

pub use opentelemetry as otel;
pub use opentelemetry_sdk as otel_sdk;
/// Measures every call of a function: `#[metric(counter)]` counts calls,
/// `#[metric(histogram)]` records their duration (unit `s`, or `ms` with `unit = "ms"`),
/// `#[metric(updown)]` tracks the calls in flight. Several may stand on one function, and
/// beside `#[traced]`; it works on the same function shapes as [`traced`].
///
/// ```
/// #[derive(Debug)]
/// struct Declined;
///
/// #[signalry::metric(counter, name = "payments.attempted", attributes(payment.method = method))]
/// #[signalry::metric(histogram, name = "payments.duration")]
/// fn pay(method: &str, amount: u64) -> Result<u64, Declined> {
///     if amount > 100 {
///         return Err(Declined);
///     }
///     Ok(amount)
/// }
///
/// let (_, captured) = signalry::testing::capture(|| {
///     let _ = pay("card", 10);
///     let _ = pay("card", 500);
/// });
/// let attempts: Vec<_> = captured.measurements("payments.attempted").collect();
/// assert_eq!(attempts.len(), 2);
/// assert_eq!(attempts[0].attribute("error.type"), None);
/// assert!(attempts[1].attribute("error.type").is_some()); // the Err
/// assert_eq!(captured.measurements("payments.duration").count(), 2);
/// ```
///
/// Options: `name = "..."` (default `<function>.calls`, `<function>.duration`,
/// `<function>.active`), `unit`, `description`, `attributes(key = expr, ...)` (evaluated when
/// the call starts), `allow(guideline, ...)`, `crate = path`; all checked at compile time as
/// for [`counter!`]. A call that returns `Err` or panics adds `error.type` (the error's type
/// name, or `panic`) to the counter and the duration, as the semantic conventions say; the
/// up-down counter's +1 and -1 always use the same attributes.
pub use signalry_macros::metric;

/// Adds to a counter at this call site.
///
/// ```
/// let kind = "express";
/// let (_, captured) = signalry::testing::capture(|| {
///     signalry::counter!(
///         "orders.created",
///         1,
///         unit = "{order}",
///         description = "Orders accepted",
///         attributes(order.kind = kind, "payment.method" = "card")
///     );
/// });
/// assert_eq!(captured.sum("orders.created"), 1.0);
/// ```
///
/// `counter!("name", value, options...)`; the value is a `u64`. Options, each at most once:
/// `unit = "..."` (UCUM, e.g. `s`, `By`, `{request}`), `description = "..."`,
/// `attributes(key = expr, key = %expr, key = ?expr, ...)` with dotted or string keys and
/// native values (integers, floats, bools, strings), `allow(guideline, ...)` to opt a legacy
/// name out of naming guidelines, `crate = path`.
///
/// Checked at compile time, each an error at the offending token: the name's syntax
/// (`^[A-Za-z][A-Za-z0-9_./-]{0,254}$`), the unit (printable ASCII, at most 63), the
/// description (at most 1023), attribute keys (non-empty, no spaces, unique), and the naming
/// guidelines: `lowercase`, `namespaced` (`area.thing`), `unit_in_name` (no `_seconds`,
/// `_bytes`, `ms`...: set `unit`), `prometheus_suffix` (no `_total`, `_count`, `_sum`,
/// `_bucket`), `duration` (a `.duration` is a histogram in `s` or `ms`), `reserved_prefix`
/// (no `otel.`), `plural_updown` (up-down counters track a quantity, not a plural).
///
/// The call site owns a `static` handle: no name lookup per call. The value and the
/// attributes are evaluated only when telemetry is on.
pub use signalry_macros::counter;

/// Adds to or subtracts from an up-down counter (`i64`): things in flight, queue sizes.
/// Same arguments and checks as [`counter!`].
///
/// ```
/// signalry::updown!("queue.size", 1, unit = "{item}");
/// ```
pub use signalry_macros::updown;

/// Records an `f64` in a histogram: durations, sizes. Same arguments and checks as
/// [`counter!`]; a `.duration` must have `unit = "s"` or `"ms"`.
///
/// ```
/// let started = std::time::Instant::now();
/// signalry::histogram!("db.query.duration", started.elapsed().as_secs_f64(), unit = "s");
/// ```
pub use signalry_macros::histogram;

/// Sets an `f64` gauge to its current value. Same arguments and checks as [`counter!`].
///
/// ```
/// signalry::gauge!("cache.fill.ratio", 0.75, unit = "1");
/// ```
pub use signalry_macros::gauge;

/// Registers a callback that reports a gauge (`f64`) each time metrics are collected: memory
/// in use, a queue's fill level, a temperature. Returns an [`Observation`]; the callback is
/// called until it is dropped.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// let queue_len = Arc::new(AtomicU64::new(0));
/// let seen = Arc::clone(&queue_len);
/// let _observation = signalry::observable_gauge!(
///     "queue.fill.ratio",
///     move |observer| {
///         let len = seen.load(Ordering::Relaxed) as f64;
///         observer.observe(len / 100.0, &[signalry::otel::KeyValue::new("queue.name", "jobs")]);
///     },
///     unit = "1",
///     description = "How full the job queue is"
/// );
/// ```
///
/// `observable_gauge!("name", callback, options...)`: the callback receives an
/// [`Observer`] and reports any number of values, each with its attributes. Options and
/// checks as for [`counter!`], except `attributes(...)`, which the callback gives per value.
/// Registrations made before [`init`] take effect when it runs, and survive a re-`init`.
pub use signalry_macros::observable_gauge;

/// Registers a callback that reports a monotonic sum (`u64`) kept elsewhere, e.g. bytes read
/// by a library. See [`observable_gauge!`].
///
/// ```
/// let _observation = signalry::observable_counter!(
///     "cache.evictions",
///     |observer| observer.observe(42, &[]),
///     unit = "{eviction}"
/// );
/// ```
pub use signalry_macros::observable_counter;

/// Registers a callback that reports a sum that goes up and down (`i64`), e.g. connections
/// open in a pool. See [`observable_gauge!`].
///
/// ```
/// let _observation = signalry::observable_updown!(
///     "db.client.connection.count",
///     |observer| observer.observe(3, &[]),
///     unit = "{connection}"
/// );
/// ```
pub use signalry_macros::observable_updown;

/// Puts an OpenTelemetry span around a function.
///
/// Works on `fn` and `async fn`, free functions and methods (`self`, `&self`, `&mut self`,
/// `self: Box<Self>`, `self: Pin<&mut Self>`), trait impls and `async fn` in traits, generic
/// functions, `unsafe` and `extern` functions, functions returning `impl Future` whose body
/// ends in an `async` block, and methods under `#[async_trait]` (put `#[async_trait]` on the
/// `impl` and `#[traced]` on the method). `return` and `?` in the body keep working.
///
/// ```
/// #[derive(Debug)]
/// struct NotFound;
/// impl std::fmt::Display for NotFound {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("no such order")
///     }
/// }
///
/// #[signalry::traced(kind = server, fields(http.route = "/orders/{id}"))]
/// fn get_order(id: u64, api_token: &str) -> Result<String, NotFound> {
///     if id == 0 {
///         return Err(NotFound);
///     }
///     Ok(format!("order {id}"))
/// }
///
/// let (_, captured) = signalry::testing::capture(|| get_order(0, "s3cret"));
/// let span = captured.span("get_order");
/// assert_eq!(span.attribute("id"), Some(&signalry::otel::Value::I64(0)));
/// assert_eq!(span.attribute("api_token"), None); // looks secret: never recorded
/// assert_eq!(span.status, signalry::otel::trace::Status::error("no such order"));
/// ```
///
/// # What every span carries
/// - Its name: `name = "..."`, else the function's name, prefixed with the type for methods
///   (`Orders::get`; for trait impls the implementing type, generic arguments left out).
/// - `code.function.name` (the full path, e.g. `shop::Orders::get`), `code.file.path` and
///   `code.line.number` (the line of the `fn`), fixed at compile time.
/// - The arguments (see below) and the `fields(...)`.
///
/// # Arguments
/// Arguments whose type maps onto an OpenTelemetry value are recorded under their own name:
/// integers (`u64` past `i64::MAX` as its decimal string), floats, `bool`, `&str`, `String`,
/// `Cow<str>`, references to those, and `Option`s of them (`None` leaves the attribute out).
/// Other types are not recorded, and cost nothing; record one with `fields(?arg)` (its
/// `Debug` text) or `fields(%arg)` (its `Display` text). In generic code an argument of a
/// generic type is never recorded natively. `self`, destructuring patterns and arguments whose
/// name starts with `_` are not recorded.
///
/// **Secrets are never recorded by accident.** An argument whose name contains (case
/// insensitively) `password`, `passwd`, `passphrase`, `secret`, `token`, `api_key`, `apikey`,
/// `access_key`, `private_key`, `privkey`, `auth`, `credential`, `cookie`, `session`,
/// `signature`, `jwt` or `bearer`, or has a word (between `_`) `pwd`, `pin`, `ssn`, `cvv`, or
/// contains `card_number`, is left out unless it is named in `fields(...)`.
///
/// # Options
/// Each at most once, in any order.
///
/// | option | effect |
/// |---|---|
/// | `name = "..."` | the span name |
/// | `kind = server\|client\|producer\|consumer\|internal` | the span kind (default `internal`) |
/// | `skip(a, b)` | do not record these arguments |
/// | `skip_all` | record no argument |
/// | `fields(key = expr, key = %expr, key = ?expr, arg, %arg, ?arg)` | more attributes, evaluated when the span starts; keys may be dotted (`http.route`) or strings (`"db.system.name"`); `expr` must be a native value, `%` records `Display`, `?` records `Debug` |
/// | `err` | record the `Result` even when the return type is an alias the macro cannot recognise (`-> Fallible<T>`) |
/// | `ret` | record the returned value (the `Ok` value of a `Result`) as `return.value`: natively when it can be, else its `Debug` text |
/// | `root` | start a new trace instead of a child of the current span |
/// | `parent = expr` | the parent: a `SpanContext`, a `Context`, or an `Option` of either (borrowed) |
/// | `link = expr` | link to another span (same types as `parent`) |
/// | `leaf` | record the span but never make it current (see *Context*): for hot functions that start no spans of their own |
/// | `crate = path` | where the `signalry` crate is, for crates that re-export it |
///
/// # Status
/// A function returning `Result` (including `io::Result<T>` and the like; use `err` for other
/// aliases) sets status `Error` on `Err`, described by the error's `Display` text (its `Debug`
/// text, or its type name, when it has none), with `error.type` set to the error's type name.
/// On `Ok` the status stays `Unset`, as the specification says. A panic ends the span with
/// status `Error` and `error.type = "panic"`, and keeps unwinding. A future dropped before it
/// completes (cancelled) still ends its span.
///
/// # Context
/// The span is current while the body runs: on the thread for a `fn`, on every poll for an
/// `async fn` or a returned future, so spans created across `.await` and on other worker
/// threads are its children. A task spawned inside it is a child when its future carries the
/// context (`signalry::otel::context::FutureExt::with_current_context`).
///
/// Being current is what a span pays most for: the OpenTelemetry context that every other
/// OpenTelemetry user reads (propagators, `tracing-opentelemetry`, instrumented clients) takes
/// two allocations and a push and pop per span, about half of what a sampled span costs. With
/// `leaf` the span is recorded, timed and exported the same way, a child of the current span,
/// but never made current: code inside the function sees the span's parent as current, so the
/// spans it starts, the events it emits and the trace context it sends are the parent's. Use
/// it on small functions called very often that start no spans of their own.
///
/// ```
/// #[signalry::traced(leaf)]
/// fn score(word: &str) -> usize {
///     word.len()
/// }
///
/// #[signalry::traced]
/// fn rank(words: &[&str]) -> usize {
///     words.iter().map(|w| score(w)).sum()
/// }
///
/// let (_, captured) = signalry::testing::capture(|| rank(&["a", "bc"]));
/// let rank = captured.span("rank");
/// assert_eq!(captured.spans_named("score").filter(|s| s.is_child_of(rank)).count(), 2);
/// ```
///
/// # Compile errors
/// Unknown or repeated options, conflicting options (`skip` with `skip_all`, `root` with
/// `parent`), a `skip` of something that is not an argument, a repeated or malformed field
/// key, `err`/`ret` on a function that returns nothing, and `const fn` are errors at the
/// offending token, all reported at once.
pub use signalry_macros::traced;

use crate::config::{EnvConfig, ExporterKind, Protocol, SamplerConfig, Signal};
use crate::console::ConsoleOutput;
use crate::pipeline::{Pipeline, Settings};

/// Starts telemetry as the environment configures it; the returned [`Guard`] flushes and
/// shuts everything down when dropped. Same as `signalry::builder().init()`.
///
/// ```no_run
/// let _telemetry = signalry::init();
/// ```
pub fn init() -> Guard {
    builder().init()
}

/// Configuration in code, on top of the environment.
///
/// ```no_run
/// use std::time::Duration;
/// let _telemetry = signalry::builder()
///     .service_name("checkout")
///     .service_version(env!("CARGO_PKG_VERSION"))
///     .shutdown_timeout(Duration::from_secs(2))
///     .init();
/// ```
pub fn builder() -> Builder {
    Builder::default()
}

/// Settings in code. Each one wins over the corresponding `OTEL_*` variable.
#[derive(Default)]
#[must_use = "call .init() to start telemetry"]
pub struct Builder {
    service_name: Option<String>,
    service_version: Option<String>,
    resource_attributes: Vec<(String, String)>,
    exporters: Vec<(Signal, Vec<ExporterKind>)>,
    otlp_endpoint: Option<String>,
    otlp_protocol: Option<Protocol>,
    sampler: Option<SamplerConfig>,
    shutdown_timeout: Option<Duration>,
    console: Option<Box<dyn Write + Send>>,
    disabled: Option<bool>,
    custom: custom_export::CustomExporters,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("service_name", &self.service_name)
            .field("exporters", &self.exporters)
            .field("otlp_endpoint", &self.otlp_endpoint)
            .finish_non_exhaustive()
    }
}

/// How long the guard waits for the last export by default.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

impl Builder {
    /// `service.name` (default: `OTEL_SERVICE_NAME`, then the executable's name).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// `service.version`; pass `env!("CARGO_PKG_VERSION")` for your crate's version.
    pub fn service_version(mut self, version: impl Into<String>) -> Self {
        self.service_version = Some(version.into());
        self
    }

    /// One more resource attribute (wins over `OTEL_RESOURCE_ATTRIBUTES`).
    pub fn resource_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.resource_attributes.push((key.into(), value.into()));
        self
    }

    /// The exporters of one signal (`OTEL_{TRACES,METRICS,LOGS}_EXPORTER`); an empty list
    /// turns the signal off.
    pub fn exporters(mut self, signal: Signal, kinds: &[ExporterKind]) -> Self {
        self.exporters.retain(|(s, _)| *s != signal);
        self.exporters.push((signal, kinds.to_vec()));
        self
    }

    /// The OTLP endpoint of all three signals (`OTEL_EXPORTER_OTLP_ENDPOINT`, and it wins over
    /// the per-signal variables too). Signals without an explicit exporter then export OTLP.
    pub fn otlp_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.otlp_endpoint = Some(endpoint.into());
        self
    }

    /// The OTLP transport of all three signals (`OTEL_EXPORTER_OTLP_PROTOCOL`).
    pub fn otlp_protocol(mut self, protocol: Protocol) -> Self {
        self.otlp_protocol = Some(protocol);
        self
    }

    /// The sampler (`OTEL_TRACES_SAMPLER`).
    pub fn sampler(mut self, sampler: SamplerConfig) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// How long dropping the guard may wait for the last exports (default
    /// [`DEFAULT_SHUTDOWN_TIMEOUT`]); after that, unsent data is dropped and the program goes on.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// Where the console exporter writes (default: stderr).
    pub fn console_output(mut self, writer: impl Write + Send + 'static) -> Self {
        self.console = Some(Box::new(writer));
        self
    }

    /// Turns telemetry off (`OTEL_SDK_DISABLED`).
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = Some(disabled);
        self
    }

    /// The configuration this builder would start with: the environment, then the code.
    /// Warnings are one line each.
    pub fn resolve(&self) -> (EnvConfig, Vec<String>) {
        let endpoint_set = self.otlp_endpoint.is_some();
        let protocol = self.otlp_protocol.map(Protocol::as_str);
        let (mut config, warnings) = EnvConfig::from_lookup(|name| {
            let code = match name {
                "OTEL_EXPORTER_OTLP_ENDPOINT" => self.otlp_endpoint.clone(),
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
                | "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"
                | "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"
                    if endpoint_set =>
                {
                    return None
                }
                "OTEL_EXPORTER_OTLP_PROTOCOL" => protocol.map(str::to_owned),
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
                | "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"
                | "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL"
                    if protocol.is_some() =>
                {
                    return None
                }
                _ => None,
            };
            code.or_else(|| std::env::var(name).ok())
        });
        for (signal, kinds) in &self.exporters {
            let slot = match signal {
                Signal::Traces => &mut config.traces_exporter,
                Signal::Metrics => &mut config.metrics_exporter,
                Signal::Logs => &mut config.logs_exporter,
            };
            *slot = Some(kinds.clone());
        }
        if let Some(sampler) = self.sampler {
            config.sampler = sampler;
        }
        if let Some(disabled) = self.disabled {
            config.sdk_disabled = disabled;
        }
        (config, warnings.iter().map(ToString::to_string).collect())
    }

    /// Starts telemetry. Never panics: a bad setting is reported on stderr (one line) and its
    /// default is used; an exporter that cannot be built is reported and left out.
    pub fn init(self) -> Guard {
        let (config, mut warnings) = self.resolve();
        if config.sdk_disabled {
            report(&warnings);
            state::report_disabled("OTEL_SDK_DISABLED is true");
            return Guard {
                pipeline: None,
                shutdown_timeout: Duration::ZERO,
            };
        }
        let resource = resource::build(
            &config,
            self.service_name.as_deref(),
            self.service_version.as_deref(),
            &self.resource_attributes,
        );
        let console = match self.console {
            Some(writer) => ConsoleOutput::to_writer(writer),
            None => ConsoleOutput::stderr(),
        };
        set_propagators(&config);
        let (pipeline, build_warnings) = Pipeline::build(Settings {
            config,
            resource,
            console,
            custom: self.custom,
        });
        warnings.extend(build_warnings);
        report(&warnings);
        let pipeline = Arc::new(pipeline);
        pipeline.set_globals();
        state::install(Arc::clone(&pipeline));
        Guard {
            pipeline: Some(pipeline),
            shutdown_timeout: self.shutdown_timeout.unwrap_or(DEFAULT_SHUTDOWN_TIMEOUT),
        }
    }
}

fn report(warnings: &[String]) {
    for warning in warnings {
        eprintln!("signalry: {warning}");
    }
}

fn set_propagators(config: &EnvConfig) {
    use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
    use opentelemetry_sdk::propagation::{BaggagePropagator, TraceContextPropagator};
    let propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>> = config
        .propagators
        .iter()
        .map(|kind| -> Box<dyn TextMapPropagator + Send + Sync> {
            match kind {
                config::PropagatorKind::TraceContext => Box::new(TraceContextPropagator::new()),
                config::PropagatorKind::Baggage => Box::new(BaggagePropagator::new()),
            }
        })
        .collect();
    opentelemetry::global::set_text_map_propagator(TextMapCompositePropagator::new(propagators));
}

/// Keeps telemetry running; dropping it flushes every signal and shuts the exporters down,
/// waiting at most the shutdown timeout.
#[must_use = "telemetry stops when the guard is dropped: bind it with `let _telemetry = ...`"]
#[derive(Debug)]
pub struct Guard {
    pipeline: Option<Arc<Pipeline>>,
    shutdown_timeout: Duration,
}

impl Guard {
    /// Whether telemetry is running (false when disabled).
    pub fn is_enabled(&self) -> bool {
        self.pipeline.is_some()
    }

    /// Flushes and shuts down now, instead of at drop; returns one line per signal that did
    /// not finish cleanly within the timeout.
    pub fn shutdown(mut self) -> Vec<String> {
        self.stop()
    }

    fn stop(&mut self) -> Vec<String> {
        let Some(pipeline) = self.pipeline.take() else {
            return Vec::new();
        };
        state::uninstall(&pipeline);
        pipeline.shutdown(self.shutdown_timeout)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        for problem in self.stop() {
            eprintln!("signalry: shutdown: {problem}");
        }
    }
}

/// What the macros' generated code uses. Not a public API: it changes without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::logs::{
        truncated, EventAttributes, EventFields, EventSite, EventValue, Flatten, TruncatableText,
        REDACTED,
    };
    pub use crate::metrics::observable::{observe_counter, observe_gauge, observe_updown};
    pub use crate::metrics::{
        CallSite, CounterKind, GaugeKind, HistogramKind, HistogramSite, InstrumentKind,
        MeasuredCall, MetricSite, SumKind, SumSite, UpDownKind,
    };
    pub use crate::state::enabled;
    pub use crate::traces::{
        expect_result, ActiveSpan, IntoSpanContext, LeafSpan, Parent, SpanSite, SpanStart,
        TracedResult,
    };
    pub use crate::values::{
        debug, debug_value, display, display_value, AttributeValue, DescribeDebug, DescribeDisplay,
        DescribeName, Described, FieldValue, Native, NotNative, Recorded, ReturnDebug,
        ReturnNative, ReturnNothing,
    };
    pub use opentelemetry::logs::{AnyValue, Severity};
    pub use opentelemetry::trace::SpanKind;
    pub use opentelemetry::Value;
    pub use opentelemetry::{Key, KeyValue};
}
