//! Traces: the tracer provider's pipeline, and the per-call-site span path of `#[traced]`.
//!
//! # Span lifecycle of a `#[traced]` function
//! 1. The function's expansion holds a `static` [`SpanSite`]: name, kind and code location,
//!    all known at compile time.
//! 2. On a call, [`ActiveSpan::start`] checks whether telemetry is on (one atomic load). If it
//!    is off, the returned value is inert and nothing else happens.
//! 3. Otherwise a span is started as a child of the current context and a new context holding
//!    it is kept in the [`ActiveSpan`]. signalry records the span itself, not through the
//!    SDK's tracer: see [`site`] for how, and how it still reaches the SDK's processors as
//!    standard span data.
//! 4. A sync body runs with that context attached to the thread ([`ActiveSpan::attach`]); an
//!    async body is wrapped so the context is attached on every poll, on whichever thread polls
//!    ([`ActiveSpan::wrap`]).
//! 5. The result is recorded ([`ActiveSpan::record_result`]); dropping the `ActiveSpan` ends
//!    the span, with status `Error` if the thread is panicking. A future dropped before it
//!    completes drops its `ActiveSpan` too, so a cancelled call still ends its span.
//!
//! A `#[traced(leaf)]` function's span is a [`LeafSpan`] instead: the same steps without the
//! context, its record held by the span itself and never made current.

pub(crate) mod console;
pub(crate) mod site;

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context as TaskContext, Poll};

use opentelemetry::context::{ContextGuard, FutureExt, WithContext};
use opentelemetry::trace::{SpanContext, SpanKind, Status, TraceContextExt};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider, SimpleSpanProcessor,
    SpanExporter as _, SpanProcessor,
};
use opentelemetry_sdk::Resource;

use crate::config::{BatchConfig, ExporterKind, ParentRoot, SamplerConfig};
use crate::console::ConsoleOutput;
use crate::pipeline::Exporters;
use crate::state;

/// What a `#[traced]` function knows about its span at compile time.
#[derive(Debug)]
pub struct SpanSite {
    name: Option<&'static str>,
    module: &'static str,
    locate: fn() -> &'static str,
    file: &'static str,
    line: u32,
    kind: SpanKind,
    names: OnceLock<Names>,
}

/// A site's span name and `code.function.name`, worked out on first use.
#[derive(Debug)]
struct Names {
    span: &'static str,
    function: &'static str,
}

impl SpanSite {
    /// A site for a `static`. `locate` returns `std::any::type_name` of a function item
    /// declared in the instrumented function's body: its path names the module, the `impl`
    /// type or trait, and the function, which a macro cannot see from a method's tokens.
    pub const fn new(
        name: Option<&'static str>,
        module: &'static str,
        locate: fn() -> &'static str,
        file: &'static str,
        line: u32,
        kind: SpanKind,
    ) -> Self {
        Self {
            name,
            module,
            locate,
            file,
            line,
            kind,
            names: OnceLock::new(),
        }
    }

    fn names(&self) -> &Names {
        self.names.get_or_init(|| {
            let function = function_path((self.locate)());
            Names {
                span: self
                    .name
                    .unwrap_or_else(|| span_name(self.module, function)),
                function,
            }
        })
    }
}

/// The instrumented function's path from the locator's: `crate::m::S::get::__locator` (or
/// `...::get::{{closure}}::__locator` in an `async fn`) is `crate::m::S::get`.
fn function_path(located: &'static str) -> &'static str {
    let path = located.rsplit_once("::").map_or(located, |(path, _)| path);
    let mut path = path;
    while let Some(outer) = path.strip_suffix("::{{closure}}") {
        path = outer;
    }
    path
}

/// The default span name: the function's name, prefixed with its type for methods
/// (`S::get`, `Vec::len` for `<Vec<_> as Len>::len`); generic arguments are left out.
/// Computed once per call site; the few that need a new string keep it for the program's
/// life, bounded by the number of instrumented functions.
fn span_name(module: &str, function: &'static str) -> &'static str {
    let (owner, name) = match function.strip_prefix('<') {
        // `<crate::m::S as core::fmt::Display>::fmt`: the implementing type owns the method.
        Some(qualified) => match qualified.split_once(" as ") {
            Some((ty, rest)) => (ty, rest.rsplit_once(">::").map_or(rest, |(_, n)| n)),
            None => return function,
        },
        None => match function
            .strip_prefix(module)
            .and_then(|r| r.strip_prefix("::"))
        {
            Some(local) => match local.rsplit_once("::") {
                Some((owner, name)) => (owner, name),
                None => return local,
            },
            None => return function,
        },
    };
    let owner = without_generics(owner);
    let owner = owner.rsplit("::").next().unwrap_or_default();
    Box::leak(format!("{owner}::{name}").into_boxed_str())
}

/// `a::G<_>::b` → `a::G::b`.
fn without_generics(path: &str) -> String {
    let mut depth = 0usize;
    path.chars()
        .filter(|c| {
            match c {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                _ => return depth == 0,
            }
            false
        })
        .collect()
}

/// Where a span's parent comes from.
#[derive(Clone, Debug, Default)]
pub enum Parent {
    /// The current context (the default).
    #[default]
    Current,
    /// No parent: the span starts a new trace (`root`).
    Root,
    /// An explicit parent (`parent = expr`); an invalid span context starts a new trace.
    Explicit(SpanContext),
}

/// Anything that can name a span: a [`SpanContext`], a [`Context`] (its current span), an
/// `Option` of either, or a reference to any of these. Used by `parent = expr` and
/// `link = expr`, which borrow the value and never move it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not identify a span",
    note = "`parent = ...` and `link = ...` take a SpanContext, a Context, or an Option of either"
)]
pub trait IntoSpanContext {
    /// The span context; invalid when there is none.
    fn span_context(&self) -> SpanContext;
}

impl IntoSpanContext for SpanContext {
    fn span_context(&self) -> SpanContext {
        self.clone()
    }
}
impl IntoSpanContext for Context {
    fn span_context(&self) -> SpanContext {
        self.span().span_context().clone()
    }
}
impl<T: IntoSpanContext> IntoSpanContext for Option<T> {
    fn span_context(&self) -> SpanContext {
        self.as_ref()
            .map_or_else(SpanContext::empty_context, IntoSpanContext::span_context)
    }
}
impl<T: IntoSpanContext + ?Sized> IntoSpanContext for &T {
    fn span_context(&self) -> SpanContext {
        (**self).span_context()
    }
}

/// How one call starts its span: parent, links and attributes beyond the site's own.
/// Built only when telemetry is on; the attributes go straight into the span's record, a
/// recycled box, so that none of them is moved again.
#[derive(Debug)]
#[must_use]
pub struct SpanStart {
    record: Box<site::Record>,
    parent: Parent,
    /// Links given at the start; most calls have none, and an empty `Vec` allocates nothing.
    links: Vec<SpanContext>,
}

impl SpanStart {
    /// A start under `parent`.
    #[inline]
    pub fn new(parent: Parent) -> Self {
        Self {
            record: site::Record::take(),
            parent,
            links: Vec::new(),
        }
    }

    /// Links the span to another; an invalid span context is left out.
    #[inline]
    pub fn link(mut self, span_context: SpanContext) -> Self {
        if span_context.is_valid() {
            self.links.push(span_context);
        }
        self
    }

    /// Adds an attribute; `None` (an argument whose type is not recorded, an `Option::None`)
    /// leaves it out.
    #[inline]
    pub fn attribute(mut self, key: &'static str, value: Option<Value>) -> Self {
        if let Some(value) = value {
            self.record.attribute(KeyValue::new(key, value));
        }
        self
    }
}

/// The span of one call of a `#[traced]` function; inert when telemetry is off.
#[derive(Debug)]
#[must_use = "the span ends when this is dropped"]
pub struct ActiveSpan {
    /// The span's context while telemetry is on. `ManuallyDrop`, so that the type has no drop
    /// glue beyond [`Drop::drop`], which takes it out: an inert span's end is one inlined
    /// branch.
    cx: ManuallyDrop<Option<Context>>,
}

impl ActiveSpan {
    /// Starts the span of `site`; `start` is called only when telemetry is on.
    #[inline(always)]
    pub fn start(site: &'static SpanSite, start: impl FnOnce() -> SpanStart) -> Self {
        if !state::enabled() {
            return Self {
                cx: ManuallyDrop::new(None),
            };
        }
        Self::start_enabled(site, start)
    }

    /// Out of line, so that the caller's frame stays that of an inert span.
    #[inline(never)]
    fn start_enabled(site: &'static SpanSite, start: impl FnOnce() -> SpanStart) -> Self {
        Self {
            cx: ManuallyDrop::new(start_span(site, start())),
        }
    }

    /// Makes the span current on this thread until the guard is dropped.
    #[inline(always)]
    pub fn attach(&self) -> Option<ContextGuard> {
        self.cx.as_ref().map(|cx| cx.clone().attach())
    }

    /// Makes the span current whenever `future` is polled. When telemetry is off the future
    /// is polled as it is: no context is captured or attached.
    #[inline]
    pub fn wrap<F: Future>(&self, future: F) -> Wrapped<F> {
        match &*self.cx {
            Some(cx) => Wrapped::Current {
                inner: future.with_context(cx.clone()),
            },
            None => Wrapped::Bare { inner: future },
        }
    }

    /// Records a `Result`: on `Err`, status `Error` with `describe(error)` as description
    /// and `error.type` (the error's type name); on `Ok` nothing, so the status stays
    /// `Unset`, as the specification says.
    #[inline]
    pub fn record_result<R: TracedResult + ?Sized>(
        &self,
        result: &R,
        describe: impl FnOnce(&R::Error) -> String,
    ) {
        if let (Some(cx), Some(error)) = (&*self.cx, result.traced_error()) {
            let span = cx.span();
            let (error_type, status) = failed(std::any::type_name::<R::Error>(), describe(error));
            span.set_attribute(error_type);
            span.set_status(status);
        }
    }

    /// Records the returned value as `return.value` (`ret`).
    #[inline]
    pub fn record_return(&self, value: impl FnOnce() -> Option<Value>) {
        if let Some(cx) = &*self.cx {
            if let Some(value) = value() {
                cx.span()
                    .set_attribute(KeyValue::new("return.value", value));
            }
        }
    }

    /// Whether this call records anything: lets generated code skip work for inert spans.
    #[inline]
    pub fn is_recording(&self) -> bool {
        self.cx.is_some()
    }
}

pin_project_lite::pin_project! {
    /// The body of an async `#[traced]` function: with its span current on every poll, or as
    /// it is when telemetry is off.
    #[project = WrappedProjection]
    #[derive(Debug)]
    pub enum Wrapped<F> {
        /// Telemetry on.
        Current { #[pin] inner: WithContext<F> },
        /// Telemetry off.
        Bare { #[pin] inner: F },
    }
}

impl<F: Future> Future for Wrapped<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        match self.project() {
            WrappedProjection::Current { inner } => inner.poll(cx),
            WrappedProjection::Bare { inner } => inner.poll(cx),
        }
    }
}

/// `Result`s, as `#[traced]` records them: an `Err` becomes the span's status.
#[diagnostic::on_unimplemented(
    message = "`#[traced(err)]` needs a function that returns a `Result`",
    label = "this is not a `Result`",
    note = "remove `err`: errors of functions returning `Result` are recorded without it"
)]
pub trait TracedResult {
    /// The success type.
    type Ok: ?Sized;
    /// The error type.
    type Error: ?Sized;
    /// The error, if this is one.
    fn traced_error(&self) -> Option<&Self::Error>;
    /// The success value, if this is one.
    fn traced_ok(&self) -> Option<&Self::Ok>;
}

/// Fails to compile, at the return type, when `#[traced(err)]` is on a function that does not
/// return a `Result`.
#[inline(always)]
pub const fn expect_result<R: TracedResult + ?Sized>() {}

impl<T, E> TracedResult for Result<T, E> {
    type Ok = T;
    type Error = E;
    #[inline]
    fn traced_error(&self) -> Option<&E> {
        self.as_ref().err()
    }
    #[inline]
    fn traced_ok(&self) -> Option<&T> {
        self.as_ref().ok()
    }
}

impl Drop for ActiveSpan {
    /// Inlined, so that an inert span costs its caller one branch.
    #[inline(always)]
    fn drop(&mut self) {
        if self.cx.is_some() {
            end_span(Option::take(&mut self.cx));
        }
    }
}

/// Out of line, so that the inlined drop of an inert span stays one branch.
#[inline(never)]
fn end_span(cx: Option<Context>) {
    let Some(cx) = cx else { return };
    let span = cx.span();
    if std::thread::panicking() {
        let (error_type, status) = panicked();
        span.set_attribute(error_type);
        span.set_status(status);
    }
    span.end_with_timestamp(crate::clock::wall_now());
}

/// What a span records of an error: its `error.type` and the status `Error`.
fn failed(error_type: &'static str, description: String) -> (KeyValue, Status) {
    (
        KeyValue::new("error.type", error_type),
        Status::error(description),
    )
}

/// What a span records when a panic unwinds through it.
fn panicked() -> (KeyValue, Status) {
    failed("panic", "panicked".to_owned())
}

/// The span of one call of a `#[traced(leaf)]` function. It is recorded and exported like any
/// other, under the same parent, but never made current: it costs no OpenTelemetry context
/// (about half of what a current span costs), and code inside the function sees the span's
/// parent as current, so spans it starts and events it emits belong to that parent. Inert
/// when telemetry is off or the span is not sampled.
#[derive(Debug)]
#[must_use = "the span ends when this is dropped"]
pub struct LeafSpan {
    /// The record while the span is sampled. `ManuallyDrop`, as in [`ActiveSpan`]: an inert
    /// span's end is one inlined branch.
    record: ManuallyDrop<Option<Box<site::Record>>>,
}

impl LeafSpan {
    /// Starts the span of `site`; `start` is called only when telemetry is on. Written out as
    /// [`ActiveSpan::start`] is rather than shared through a generic helper: the helper cost
    /// the inert span 1.3 ns (2.0 → 3.3 ns, bench `span/signalry_disabled`).
    #[inline(always)]
    pub fn start(site: &'static SpanSite, start: impl FnOnce() -> SpanStart) -> Self {
        if !state::enabled() {
            return Self {
                record: ManuallyDrop::new(None),
            };
        }
        Self::start_enabled(site, start)
    }

    /// Out of line, so that the caller's frame stays that of an inert span.
    #[inline(never)]
    fn start_enabled(site: &'static SpanSite, start: impl FnOnce() -> SpanStart) -> Self {
        let start = start();
        Self {
            record: ManuallyDrop::new(
                state::with_current(|pipeline| pipeline.site_spans.start_leaf(site, start))
                    .flatten(),
            ),
        }
    }

    /// The body's future as it is: a leaf span is never made current. Taking the span here
    /// moves it into the block of a returned future, so that it ends when the future does.
    #[inline(always)]
    pub fn wrap<F: Future>(&self, future: F) -> F {
        future
    }

    /// Records a `Result` as [`ActiveSpan::record_result`] does.
    #[inline]
    pub fn record_result<R: TracedResult + ?Sized>(
        &mut self,
        result: &R,
        describe: impl FnOnce(&R::Error) -> String,
    ) {
        if let (Some(record), Some(error)) = (&mut *self.record, result.traced_error()) {
            let (error_type, status) = failed(std::any::type_name::<R::Error>(), describe(error));
            record.attribute(error_type);
            record.set_status(status);
        }
    }

    /// Records the returned value as `return.value` (`ret`).
    #[inline]
    pub fn record_return(&mut self, value: impl FnOnce() -> Option<Value>) {
        if let Some(record) = &mut *self.record {
            if let Some(value) = value() {
                record.attribute(KeyValue::new("return.value", value));
            }
        }
    }

    /// Whether this call records anything.
    #[inline]
    pub fn is_recording(&self) -> bool {
        self.record.is_some()
    }
}

impl Drop for LeafSpan {
    /// Inlined, so that an inert span costs its caller one branch.
    #[inline(always)]
    fn drop(&mut self) {
        if self.record.is_some() {
            end_leaf(Option::take(&mut self.record));
        }
    }
}

/// Out of line, so that the inlined drop of an inert span stays one branch.
#[inline(never)]
fn end_leaf(record: Option<Box<site::Record>>) {
    let Some(mut record) = record else { return };
    if std::thread::panicking() {
        let (error_type, status) = panicked();
        record.attribute(error_type);
        record.set_status(status);
    }
    record.end(crate::clock::now());
}

fn start_span(site: &'static SpanSite, start: SpanStart) -> Option<Context> {
    state::with_current(|pipeline| start_span_in(pipeline, site, start)).flatten()
}

fn start_span_in(
    pipeline: &crate::pipeline::Pipeline,
    site: &'static SpanSite,
    start: SpanStart,
) -> Option<Context> {
    Some(pipeline.site_spans.start(site, start))
}

/// Builds the tracer provider for the chosen exporters.
pub(crate) fn provider(
    kinds: &[ExporterKind],
    exporters: &mut Exporters<'_>,
    sampler: SamplerConfig,
    batch: BatchConfig,
    resource: Resource,
    console: &Arc<ConsoleOutput>,
) -> (SdkTracerProvider, Arc<site::SiteSpans>) {
    let mut processors = crate::pool::Processors::<dyn SpanProcessor> {
        immediate: Vec::new(),
        lanes: Vec::new(),
    };
    for kind in kinds {
        match kind {
            // Console output is for people at a terminal; writing each span as it ends keeps
            // the tree and the events inside it in order.
            ExporterKind::Console => {
                let mut exporter = console::ConsoleSpanExporter::new(Arc::clone(console));
                exporter.set_resource(&resource);
                processors
                    .immediate
                    .push(Box::new(SimpleSpanProcessor::new(exporter)));
            }
            ExporterKind::Otlp => {
                for mut exporter in exporters.otlp_span_lanes(batch.max_concurrent_exports) {
                    exporter.set_resource(&resource);
                    let processor = BatchSpanProcessor::builder(exporter)
                        .with_batch_config(
                            BatchConfigBuilder::default()
                                .with_scheduled_delay(batch.schedule_delay)
                                .with_max_queue_size(batch.max_queue_size)
                                .with_max_export_batch_size(batch.max_export_batch_size)
                                .build(),
                        )
                        .build();
                    processors.lanes.push(Box::new(processor));
                }
            }
            ExporterKind::Prometheus => {}
        }
    }
    let site_spans = Arc::new(site::SiteSpans::new(
        sampler,
        crate::pipeline::scope(),
        processors,
        batch,
    ));
    let provider = SdkTracerProvider::builder()
        .with_resource(resource)
        .with_sampler(to_sampler(sampler))
        .with_span_processor(crate::testing::CaptureSpanProcessor)
        .with_span_processor(site::Registered(Arc::clone(&site_spans)))
        .build();
    (provider, site_spans)
}

fn to_sampler(config: SamplerConfig) -> Sampler {
    match config {
        SamplerConfig::AlwaysOn => Sampler::AlwaysOn,
        SamplerConfig::AlwaysOff => Sampler::AlwaysOff,
        SamplerConfig::TraceIdRatio(r) => Sampler::TraceIdRatioBased(r),
        SamplerConfig::ParentBased(root) => Sampler::ParentBased(Box::new(match root {
            ParentRoot::AlwaysOn => Sampler::AlwaysOn,
            ParentRoot::AlwaysOff => Sampler::AlwaysOff,
            ParentRoot::TraceIdRatio(r) => Sampler::TraceIdRatioBased(r),
        })),
    }
}
