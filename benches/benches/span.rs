//! Group 3, a span per call. Every variant is an `#[inline(never)]` function with the same body
//! ([`common::body`]), taking one `u64` argument:
//!
//! | bench | span |
//! |---|---|
//! | `bare` | none: the baseline |
//! | `signalry_disabled` | `#[traced]` before any `init`: telemetry off |
//! | `signalry_sampled` | `#[traced]`, sampler `always_on`, batch span processor to a discarding exporter |
//! | `signalry_not_sampled` | the same with sampler `always_off` |
//! | `signalry_leaf` | `#[traced(leaf)]`, sampled as `signalry_sampled`: the span is recorded and exported but never made current, so it has no OpenTelemetry context |
//! | `tracing_otel` | `#[tracing::instrument]`, `tracing-opentelemetry` layer (the only layer of a `Registry`, global default) on an SDK tracer provider built like signalry's (always on, batch processor, discarding exporter) |
//! | `fastrace` | `#[fastrace::trace]`, a child of a root span (a new root per 256 calls, amortised), reporter that discards |
//! | `raw_otel` | `tracer.start(name)` then `span.end()` on the same SDK set-up: no attributes, not made current |
//! | `otel_context_floor` | a span that records nothing, put into the OpenTelemetry context, made current and ended as signalry's is: what any span in that context costs, before ids, clock and record |
//!
//! signalry, `tracing` and the raw SDK span are roots (no parent) and carry what their
//! framework records: signalry the argument and three `code.*` attributes, `tracing` the
//! argument (and `tracing-opentelemetry` its `code.*` attributes), the raw span nothing.
//! fastrace records no argument.

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::bare;
use common::spanned::*;
use opentelemetry::trace::TracerProvider as _;
use signalry::config::SamplerConfig;

fn main() {
    let mut c = common::criterion();
    let mut group = c.benchmark_group("span");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(1))));
    group.bench_function("signalry_disabled", |b| {
        b.iter(|| signalry_traced(black_box(1)))
    });

    let sampled = common::signalry_spans(SamplerConfig::AlwaysOn);
    group.bench_function("signalry_sampled", |b| {
        b.iter(|| signalry_traced(black_box(1)))
    });
    group.bench_function("signalry_leaf", |b| b.iter(|| signalry_leaf(black_box(1))));
    drop(sampled);
    let not_sampled = common::signalry_spans(SamplerConfig::AlwaysOff);
    group.bench_function("signalry_not_sampled", |b| {
        b.iter(|| signalry_traced(black_box(1)))
    });
    drop(not_sampled);

    let tracing_provider = common::sdk_tracer_provider();
    tracing::dispatcher::set_global_default(tracing_otel_dispatch(
        tracing_provider.tracer("bench"),
    ))
    .expect("the tracing dispatcher is set once");
    group.bench_function("tracing_otel", |b| {
        b.iter(|| tracing_instrumented(black_box(1)))
    });

    install_fastrace();
    group.bench_function("fastrace", |b| {
        b.iter_custom(|iters| {
            let started = Instant::now();
            fastrace_calls(iters);
            started.elapsed()
        })
    });

    let raw_provider = common::sdk_tracer_provider();
    let tracer = raw_provider.tracer("bench");
    group.bench_function("raw_otel", |b| b.iter(|| raw_otel(&tracer, black_box(1))));
    let floor = opentelemetry::trace::SpanContext::new(
        opentelemetry::trace::TraceId::from(1u128),
        opentelemetry::trace::SpanId::from(1u64),
        opentelemetry::trace::TraceFlags::SAMPLED,
        false,
        Default::default(),
    );
    group.bench_function("otel_context_floor", |b| {
        b.iter(|| otel_context_floor(&floor, black_box(1)))
    });
    group.finish();
    c.final_summary();
}
