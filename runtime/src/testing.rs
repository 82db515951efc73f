//! Capture the telemetry that a piece of code produces, in memory, for assertions in tests.
//!
//! [`capture`] runs a closure and [`capture_future`] awaits a future; each returns the value
//! and a [`Captured`] with the spans, metric measurements and log records produced *by that
//! code*: a capture marks the context it runs in, and only telemetry created under that mark
//! is collected. Tests that capture in parallel in one test binary therefore never see each
//! other's data.
//!
//! If no pipeline is installed when a capture starts, a quiet one is installed (no exporters),
//! so a test needs no `init`. Work that leaves the captured context (a thread spawned without
//! carrying the context along) is not captured. Captures also work under a pipeline started
//! with [`crate::init`]; but a test that drops its own guard stops telemetry for the whole
//! process for a moment, so keep such tests in a test binary of their own.
//!
//! ```
//! #[signalry::traced]
//! fn checkout(items: u32) -> u32 {
//!     items * 2
//! }
//!
//! let (total, captured) = signalry::testing::capture(|| checkout(3));
//! assert_eq!(total, 6);
//! let span = captured.span("checkout");
//! assert!(span.parent_span_id == signalry::otel::trace::SpanId::INVALID);
//! assert!(span.attribute("code.function.name").is_some());
//! ```

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::SystemTime;

use opentelemetry::context::FutureExt as _;
use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry::trace::{Span as _, SpanId, SpanKind, Status, TraceId};
use opentelemetry::{Context, InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord};
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

use crate::state;

/// How many captures are running: the processors do nothing while it is zero.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// Whether any capture is running: what the hot paths check before the capture hooks.
#[inline]
pub(crate) fn capturing() -> bool {
    ACTIVE.load(Ordering::Relaxed) != 0
}

/// Runs `f` and returns what it returned together with the telemetry it produced.
pub fn capture<R>(f: impl FnOnce() -> R) -> (R, Captured) {
    let session = Session::begin();
    let value = {
        let _attached = session.cx.clone().attach();
        f()
    };
    (value, session.finish())
}

/// Awaits `future` and returns its output together with the telemetry it produced, across
/// `.await` points and threads of a multi-threaded runtime.
pub async fn capture_future<F: Future>(future: F) -> (F::Output, Captured) {
    let session = Session::begin();
    let value = future.with_context(session.cx.clone()).await;
    (value, session.finish())
}

/// Every metric name this process has seen recorded with two kinds, units or attribute sets
/// (by call sites in different crates: within a crate that is a compile error), one line each.
pub fn metric_conflicts() -> Vec<String> {
    crate::metrics::shapes::conflicts()
}

/// Fails the test if any metric name was recorded with two kinds, units or attribute sets;
/// run it after the code under test has recorded.
///
/// # Panics
/// With the conflicts, one per line.
#[track_caller]
pub fn assert_consistent_metrics() {
    let conflicts = metric_conflicts();
    assert!(
        conflicts.is_empty(),
        "inconsistent metrics:\n{}",
        conflicts.join("\n")
    );
}

/// The mark a capture puts in the context.
#[derive(Clone)]
struct CaptureKey(Arc<Buffer>);

#[derive(Default)]
struct Buffer {
    spans: Mutex<Vec<CapturedSpan>>,
    metrics: Mutex<Vec<CapturedMeasurement>>,
    logs: Mutex<Vec<CapturedLog>>,
}

struct Session {
    cx: Context,
    buffer: Arc<Buffer>,
}

impl Session {
    fn begin() -> Self {
        ensure_pipeline();
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        let buffer = Arc::new(Buffer::default());
        let cx = Context::current().with_value(CaptureKey(Arc::clone(&buffer)));
        Self { cx, buffer }
    }

    fn finish(self) -> Captured {
        fn take<T>(items: &Mutex<Vec<T>>) -> Vec<T> {
            std::mem::take(&mut *items.lock().unwrap_or_else(PoisonError::into_inner))
        }
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
        // Spans of this capture still open are not captured: forget whose they were.
        span_owners()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, owner| !Arc::ptr_eq(owner, &self.buffer));
        let mut spans: Vec<CapturedSpan> = take(&self.buffer.spans);
        spans.sort_by_key(|s| s.start_time);
        Captured {
            spans,
            metrics: take(&self.buffer.metrics),
            logs: take(&self.buffer.logs),
        }
    }
}

/// Installs a pipeline without exporters when none is installed: built once per process, and
/// installed again if a test's own `init` guard has since been dropped.
fn ensure_pipeline() {
    static QUIET: OnceLock<Arc<crate::pipeline::Pipeline>> = OnceLock::new();
    if state::current().is_some() {
        return;
    }
    let pipeline = QUIET.get_or_init(|| {
        let (config, _) = crate::config::EnvConfig::from_lookup(|name| match name {
            "OTEL_TRACES_EXPORTER" | "OTEL_METRICS_EXPORTER" | "OTEL_LOGS_EXPORTER" => {
                Some("none".to_owned())
            }
            "OTEL_TRACES_SAMPLER" => Some("always_on".to_owned()),
            _ => None,
        });
        let resource = crate::resource::build(&config, Some("signalry-test"), None, &[]);
        let (pipeline, _) = crate::pipeline::Pipeline::build(crate::pipeline::Settings {
            config,
            resource,
            console: crate::console::ConsoleOutput::stderr(),
            custom: Default::default(),
        });
        Arc::new(pipeline)
    });
    state::install(Arc::clone(pipeline));
}

fn current_buffer() -> Option<Arc<Buffer>> {
    Context::map_current(|cx| cx.get::<CaptureKey>().map(|k| Arc::clone(&k.0)))
}

/// Everything one capture collected.
#[derive(Debug, Default, Clone)]
#[non_exhaustive]
pub struct Captured {
    /// Ended spans, in order of start time.
    pub spans: Vec<CapturedSpan>,
    /// Every measurement recorded, in order.
    pub metrics: Vec<CapturedMeasurement>,
    /// Emitted log records, in order.
    pub logs: Vec<CapturedLog>,
}

impl Captured {
    /// The one span called `name`.
    ///
    /// # Panics
    /// If there is no such span or more than one, listing the spans there are: this is for tests.
    #[track_caller]
    pub fn span(&self, name: &str) -> &CapturedSpan {
        let found: Vec<&CapturedSpan> = self.spans.iter().filter(|s| s.name == name).collect();
        match found.as_slice() {
            [one] => one,
            _ => panic!(
                "expected exactly one span named {name:?}, found {}; captured spans: {:?}",
                found.len(),
                self.spans
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
            ),
        }
    }

    /// The spans called `name`.
    pub fn spans_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a CapturedSpan> + 'a {
        self.spans.iter().filter(move |s| s.name == name)
    }

    /// The measurements of the instrument called `name`.
    pub fn measurements<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a CapturedMeasurement> + 'a {
        self.metrics.iter().filter(move |m| m.name == name)
    }

    /// The sum of every measurement of the instrument called `name`.
    pub fn sum(&self, name: &str) -> f64 {
        self.measurements(name).map(|m| m.value.as_f64()).sum()
    }

    /// The log records whose event name is `name`.
    pub fn events<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a CapturedLog> + 'a {
        self.logs.iter().filter(move |l| l.event_name == Some(name))
    }
}

/// One ended span.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CapturedSpan {
    /// Span name.
    pub name: String,
    /// Trace id.
    pub trace_id: TraceId,
    /// Span id.
    pub span_id: SpanId,
    /// The parent's span id; [`SpanId::INVALID`] for a root span.
    pub parent_span_id: SpanId,
    /// Span kind.
    pub kind: SpanKind,
    /// Status.
    pub status: Status,
    /// Attributes, in the order they were set.
    pub attributes: Vec<KeyValue>,
    /// Events: name and attributes.
    pub events: Vec<(String, Vec<KeyValue>)>,
    /// Linked span contexts: trace id and span id.
    pub links: Vec<(TraceId, SpanId)>,
    /// Start time.
    pub start_time: SystemTime,
    /// End time.
    pub end_time: SystemTime,
}

impl CapturedSpan {
    /// The value of attribute `key`, if set.
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .rev()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    }

    /// Whether `self` is a direct child of `parent`.
    pub fn is_child_of(&self, parent: &CapturedSpan) -> bool {
        self.trace_id == parent.trace_id && self.parent_span_id == parent.span_id
    }
}

impl From<SpanData> for CapturedSpan {
    fn from(data: SpanData) -> Self {
        Self {
            name: data.name.into_owned(),
            trace_id: data.span_context.trace_id(),
            span_id: data.span_context.span_id(),
            parent_span_id: data.parent_span_id,
            kind: data.span_kind,
            status: data.status,
            attributes: data.attributes,
            events: data
                .events
                .events
                .into_iter()
                .map(|e| (e.name.into_owned(), e.attributes))
                .collect(),
            links: data
                .links
                .links
                .into_iter()
                .map(|l| (l.span_context.trace_id(), l.span_context.span_id()))
                .collect(),
            start_time: data.start_time,
            end_time: data.end_time,
        }
    }
}

/// A recorded value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricValue {
    /// From a counter.
    U64(u64),
    /// From an up-down counter.
    I64(i64),
    /// From a histogram or gauge.
    F64(f64),
}

impl MetricValue {
    /// The value as `f64`, for sums and comparisons.
    #[allow(clippy::cast_precision_loss)] // test assertions, on small values
    pub fn as_f64(self) -> f64 {
        match self {
            Self::U64(v) => v as f64,
            Self::I64(v) => v as f64,
            Self::F64(v) => v,
        }
    }
}

impl From<u64> for MetricValue {
    fn from(v: u64) -> Self {
        Self::U64(v)
    }
}
impl From<i64> for MetricValue {
    fn from(v: i64) -> Self {
        Self::I64(v)
    }
}
impl From<f64> for MetricValue {
    fn from(v: f64) -> Self {
        Self::F64(v)
    }
}

/// One measurement as recorded (before aggregation).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CapturedMeasurement {
    /// Instrument kind: `counter`, `updown`, `histogram` or `gauge`.
    pub kind: &'static str,
    /// Instrument name.
    pub name: &'static str,
    /// Unit, or empty.
    pub unit: &'static str,
    /// The value.
    pub value: MetricValue,
    /// Attributes.
    pub attributes: Vec<KeyValue>,
}

impl CapturedMeasurement {
    /// The value of attribute `key`, if set.
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    }
}

/// One emitted log record.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CapturedLog {
    /// Event name, if the record is an event.
    pub event_name: Option<&'static str>,
    /// Severity.
    pub severity: Option<Severity>,
    /// Body.
    pub body: Option<AnyValue>,
    /// Attributes.
    pub attributes: Vec<(String, AnyValue)>,
    /// Trace id of the span it was emitted in.
    pub trace_id: Option<TraceId>,
    /// Span id of the span it was emitted in.
    pub span_id: Option<SpanId>,
}

impl CapturedLog {
    /// The value of attribute `key`, if set.
    pub fn attribute(&self, key: &str) -> Option<&AnyValue> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// Called by metric sites: adds the measurement to the capture running in this context.
pub(crate) fn capture_measurement(
    kind: &'static str,
    name: &'static str,
    unit: &'static str,
    value: MetricValue,
    attributes: &[KeyValue],
) {
    if ACTIVE.load(Ordering::Relaxed) == 0 {
        return;
    }
    if let Some(buffer) = current_buffer() {
        buffer
            .metrics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(CapturedMeasurement {
                kind,
                name,
                unit,
                value,
                attributes: attributes.to_vec(),
            });
    }
}

/// Remembers, at span start, which capture a span belongs to (its parent context says), and
/// hands the span to that capture when it ends.
pub(crate) struct CaptureSpanProcessor;

fn span_owners() -> &'static Mutex<HashMap<SpanId, Arc<Buffer>>> {
    static OWNERS: OnceLock<Mutex<HashMap<SpanId, Arc<Buffer>>>> = OnceLock::new();
    OWNERS.get_or_init(Mutex::default)
}

impl fmt::Debug for CaptureSpanProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CaptureSpanProcessor")
    }
}

impl SpanProcessor for CaptureSpanProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        if ACTIVE.load(Ordering::Relaxed) == 0 {
            return;
        }
        if let Some(key) = cx.get::<CaptureKey>() {
            span_owners()
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(span.span_context().span_id(), Arc::clone(&key.0));
        }
    }

    fn on_end(&self, span: SpanData) {
        // Outside tests no capture ever runs: no lock then.
        if !capturing() {
            return;
        }
        let owner = {
            let mut owners = span_owners().lock().unwrap_or_else(PoisonError::into_inner);
            if owners.is_empty() {
                return;
            }
            owners.remove(&span.span_context.span_id())
        };
        if let Some(buffer) = owner {
            buffer
                .spans
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(CapturedSpan::from(span));
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// The capture a `#[traced]` span was started under: its spans skip the SDK's processors, so
/// they are handed over here when they end.
#[derive(Clone)]
pub(crate) struct CaptureTarget(Arc<Buffer>);

/// The capture whose context `cx` is, if any capture is running.
#[inline]
pub(crate) fn capture_target(cx: &Context) -> Option<CaptureTarget> {
    if !capturing() {
        return None;
    }
    cx.get::<CaptureKey>()
        .map(|key| CaptureTarget(Arc::clone(&key.0)))
}

impl CaptureTarget {
    pub(crate) fn log(&self, record: &SdkLogRecord) {
        let trace = record.trace_context();
        let captured = CapturedLog {
            event_name: record.event_name(),
            severity: record.severity_number(),
            body: record.body().cloned(),
            attributes: record
                .attributes_iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                .collect(),
            trace_id: trace.map(|t| t.trace_id),
            span_id: trace.map(|t| t.span_id),
        };
        self.0
            .logs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(captured);
    }

    pub(crate) fn span(&self, span: SpanData) {
        self.0
            .spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(CapturedSpan::from(span));
    }
}

/// Hands each log record emitted under a capture's context to that capture.
#[derive(Debug)]
pub(crate) struct CaptureLogProcessor;

impl LogProcessor for CaptureLogProcessor {
    fn emit(&self, record: &mut SdkLogRecord, _scope: &InstrumentationScope) {
        if ACTIVE.load(Ordering::Relaxed) == 0 {
            return;
        }
        let Some(buffer) = current_buffer() else {
            return;
        };
        CaptureTarget(buffer).log(record);
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
}
