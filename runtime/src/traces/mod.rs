//! Traces: the tracer provider's pipeline, and the per-call-site span path of `#[traced]`.
//!
//! # Span lifecycle of a `#[traced]` function
//! 1. The function's expansion holds a `static` [`SpanSite`]: name, kind and code location,
//!    all known at compile time.
//! 2. On a call, [`ActiveSpan::start`] checks whether telemetry is on (one atomic load). If it
//!    is off, the returned value is inert and nothing else happens.
//! 3. Otherwise a span is started as a child of the current context, with the site's static
//!    attributes, and a new context holding it is kept in the [`ActiveSpan`].
//! 4. A sync body runs with that context attached to the thread ([`ActiveSpan::attach`]); an
//!    async body is wrapped so the context is attached on every poll, on whichever thread polls
//!    ([`ActiveSpan::wrap`]).
//! 5. The result is recorded ([`ActiveSpan::record_result`]); dropping the `ActiveSpan` ends
//!    the span, with status `Error` if the thread is panicking. A future dropped before it
//!    completes drops its `ActiveSpan` too, so a cancelled call still ends its span.

pub(crate) mod console;

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;

use opentelemetry::context::{ContextGuard, FutureExt, WithContext};
use opentelemetry::trace::{SpanKind, Status, TraceContextExt, Tracer as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider,
};
use opentelemetry_sdk::Resource;

use crate::config::{BatchConfig, ExporterKind, ParentRoot, SamplerConfig};
use crate::console::ConsoleOutput;
use crate::pipeline::Exporters;
use crate::state;

/// What a `#[traced]` function knows about its span at compile time.
#[derive(Debug)]
pub struct SpanSite {
    /// Span name.
    pub name: &'static str,
    /// `code.function.name`: module path and function name.
    pub function: &'static str,
    /// `code.file.path`.
    pub file: &'static str,
    /// `code.line.number`.
    pub line: u32,
    /// Span kind.
    pub kind: SpanKind,
}

/// The span of one call of a `#[traced]` function; inert when telemetry is off.
#[derive(Debug)]
#[must_use = "the span ends when this is dropped"]
pub struct ActiveSpan {
    cx: Option<Context>,
}

impl ActiveSpan {
    /// Starts the span of `site` as a child of the current context.
    #[inline]
    pub fn start(site: &'static SpanSite) -> Self {
        if !state::enabled() {
            return Self { cx: None };
        }
        Self {
            cx: start_span(site),
        }
    }

    /// Makes the span current on this thread until the guard is dropped.
    #[inline]
    pub fn attach(&self) -> Option<ContextGuard> {
        self.cx.as_ref().map(|cx| cx.clone().attach())
    }

    /// Makes the span current whenever `future` is polled.
    #[inline]
    pub fn wrap<F: Future>(&self, future: F) -> WithContext<F> {
        future.with_context(self.cx.clone().unwrap_or_default())
    }

    /// Records a `Result`: on `Err`, status `Error` with the error's `Display` text, and
    /// `error.type`; on `Ok` the status stays `Unset`, as the specification says.
    #[inline]
    pub fn record_result<T, E: Display>(&self, result: &Result<T, E>) {
        if let (Some(cx), Err(error)) = (&self.cx, result) {
            let span = cx.span();
            span.set_attribute(KeyValue::new("error.type", std::any::type_name::<E>()));
            span.set_status(Status::error(error.to_string()));
        }
    }
}

impl Drop for ActiveSpan {
    fn drop(&mut self) {
        if let Some(cx) = self.cx.take() {
            let span = cx.span();
            if std::thread::panicking() {
                span.set_attribute(KeyValue::new("error.type", "panic"));
                span.set_status(Status::error("panicked"));
            }
            span.end();
        }
    }
}

fn start_span(site: &'static SpanSite) -> Option<Context> {
    let pipeline = state::current()?;
    let parent = Context::current();
    let builder = pipeline
        .tracer
        .span_builder(site.name)
        .with_kind(site.kind.clone())
        .with_attributes([
            KeyValue::new("code.function.name", site.function),
            KeyValue::new("code.file.path", site.file),
            KeyValue::new("code.line.number", i64::from(site.line)),
        ]);
    let span = pipeline.tracer.build_with_context(builder, &parent);
    Some(parent.with_span(span))
}

/// Builds the tracer provider for the chosen exporters.
pub(crate) fn provider(
    kinds: &[ExporterKind],
    exporters: &mut Exporters<'_>,
    sampler: SamplerConfig,
    batch: BatchConfig,
    resource: Resource,
    console: &Arc<ConsoleOutput>,
) -> SdkTracerProvider {
    let mut builder = SdkTracerProvider::builder()
        .with_resource(resource)
        .with_sampler(to_sampler(sampler))
        .with_span_processor(crate::testing::CaptureSpanProcessor);
    for kind in kinds {
        match kind {
            // Console output is for people at a terminal; writing each span as it ends keeps
            // the tree and the events inside it in order.
            ExporterKind::Console => {
                builder = builder
                    .with_simple_exporter(console::ConsoleSpanExporter::new(Arc::clone(console)));
            }
            ExporterKind::Otlp => {
                if let Some(exporter) = exporters.otlp_spans() {
                    let processor = BatchSpanProcessor::builder(exporter)
                        .with_batch_config(
                            BatchConfigBuilder::default()
                                .with_scheduled_delay(batch.schedule_delay)
                                .with_max_queue_size(batch.max_queue_size)
                                .with_max_export_batch_size(batch.max_export_batch_size)
                                .build(),
                        )
                        .build();
                    builder = builder.with_span_processor(processor);
                }
            }
            ExporterKind::Prometheus => {}
        }
    }
    builder.build()
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
