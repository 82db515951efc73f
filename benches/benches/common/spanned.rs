//! The spanned functions of groups 3 and 5: one per way of putting a span around a call, same
//! body, each recording the argument where the framework records arguments.

use std::hint::black_box;

use opentelemetry::trace::{Span as _, SpanContext, TraceContextExt as _, Tracer as _};
use opentelemetry::Context;
use opentelemetry_sdk::trace::SdkTracer;

use super::body;

#[inline(never)]
#[signalry::traced]
pub fn signalry_traced(x: u64) -> u64 {
    body(x)
}

/// The same span, recorded but never made current: no OpenTelemetry context.
#[inline(never)]
#[signalry::traced(leaf)]
pub fn signalry_leaf(x: u64) -> u64 {
    body(x)
}

#[inline(never)]
#[tracing::instrument(level = "info")]
pub fn tracing_instrumented(x: u64) -> u64 {
    body(x)
}

#[inline(never)]
#[fastrace::trace]
pub fn fastrace_traced(x: u64) -> u64 {
    body(x)
}

/// A span started and ended by hand with the SDK's tracer: no attributes, not made current.
#[inline(never)]
pub fn raw_otel(tracer: &SdkTracer, x: u64) -> u64 {
    let mut span = tracer.start("raw_otel");
    let result = body(x);
    span.end();
    result
}

/// What any span that lives in the OpenTelemetry context costs, whoever records it: a span
/// object that records nothing put into a child of the current context (`with_span`: the
/// context's two allocations), made current for the body (`attach`), ended through the context
/// (`span().end()`: the span's lock), and dropped. No ids, clock or record.
#[inline(never)]
pub fn otel_context_floor(span_context: &SpanContext, x: u64) -> u64 {
    let cx = Context::map_current(|cx| cx.with_span(FloorSpan(span_context.clone())));
    let result = {
        let _attached = cx.clone().attach();
        body(x)
    };
    cx.span().end_with_timestamp(std::time::UNIX_EPOCH);
    result
}

/// A span that records nothing: see [`otel_context_floor`].
#[derive(Debug)]
struct FloorSpan(SpanContext);

impl opentelemetry::trace::Span for FloorSpan {
    fn add_event_with_timestamp<T>(
        &mut self,
        _name: T,
        _timestamp: std::time::SystemTime,
        _attributes: Vec<opentelemetry::KeyValue>,
    ) where
        T: Into<std::borrow::Cow<'static, str>>,
    {
    }

    fn span_context(&self) -> &SpanContext {
        &self.0
    }

    fn is_recording(&self) -> bool {
        true
    }

    fn set_attribute(&mut self, _attribute: opentelemetry::KeyValue) {}

    fn set_status(&mut self, _status: opentelemetry::trace::Status) {}

    fn update_name<T>(&mut self, _new_name: T)
    where
        T: Into<std::borrow::Cow<'static, str>>,
    {
    }

    fn add_link(&mut self, _span_context: SpanContext, _attributes: Vec<opentelemetry::KeyValue>) {}

    fn end_with_timestamp(&mut self, timestamp: std::time::SystemTime) {
        black_box(timestamp);
    }
}

/// How many `#[fastrace::trace]` calls share one root span in [`fastrace_calls`].
pub const FASTRACE_CALLS_PER_ROOT: u64 = 256;

/// Makes `calls` calls of [`fastrace_traced`]: fastrace records nothing without a parent, so
/// they run under a root span, a new one every [`FASTRACE_CALLS_PER_ROOT`] calls (its start,
/// and the hand-over of its spans to the collector, amortised over those calls).
pub fn fastrace_calls(calls: u64) {
    let mut left = calls;
    while left > 0 {
        let n = left.min(FASTRACE_CALLS_PER_ROOT);
        let root = fastrace::Span::root("root", fastrace::collector::SpanContext::random());
        {
            let _parent = root.set_local_parent();
            for _ in 0..n {
                black_box(fastrace_traced(black_box(1)));
            }
        }
        drop(root);
        left -= n;
    }
}

/// A fastrace reporter that drops every batch.
#[derive(Debug)]
pub struct DiscardFastrace;

impl fastrace::collector::Reporter for DiscardFastrace {
    fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
        black_box(spans);
    }
}

/// Installs [`DiscardFastrace`] as fastrace's reporter.
pub fn install_fastrace() {
    fastrace::set_reporter(DiscardFastrace, fastrace::collector::Config::default());
}

/// A `tracing` dispatcher whose only layer is `tracing-opentelemetry` on `tracer`.
pub fn tracing_otel_dispatch(tracer: SdkTracer) -> tracing::Dispatch {
    use tracing_subscriber::layer::SubscriberExt as _;
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    tracing::Dispatch::new(subscriber)
}
