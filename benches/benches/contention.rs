//! Group 5, contention: the counters, histograms and spans of groups 1 to 3, with both cores
//! calling the same call site at once. Each sample starts two threads that wait on a barrier,
//! then each makes N calls; the time reported per call is the wall time from the first
//! thread's start to the last thread's end divided by N, the figure to compare with the uncontended groups (equal
//! means the two callers never slowed each other down).
//!
//! The set-up is the same as in the uncontended groups: signalry with spans sampled to a
//! discarding exporter and metrics read every 60 s; the SDK's providers built the same way;
//! `tracing-opentelemetry` as global default; fastrace with a discarding reporter.

mod common;

use std::hint::black_box;

use common::two_threads;
use common::{counted, spanned, timed};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::KeyValue;
use signalry::config::SamplerConfig;

/// Benchmarks `call` made by two threads at once.
fn contended(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, call: impl Fn() + Sync) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            two_threads(iters, || {
                |n| {
                    for _ in 0..n {
                        call();
                    }
                }
            })
        })
    });
}

fn main() {
    let mut c: Criterion = common::criterion();
    let _signalry = common::signalry_spans(SamplerConfig::AlwaysOn);
    let meter_provider = common::sdk_meter_provider();
    let meter = meter_provider.meter("bench");
    common::install_metrics_recorder();
    let tracer_provider = common::sdk_tracer_provider();
    let tracing_provider = common::sdk_tracer_provider();
    tracing::dispatcher::set_global_default(spanned::tracing_otel_dispatch(
        tracing_provider.tracer("bench"),
    ))
    .expect("the tracing dispatcher is set once");
    spanned::install_fastrace();

    let mut group = c.benchmark_group("contention");

    // Two threads sharing nothing: what running both at once costs by itself.
    contended(&mut group, "counter/bare", || {
        black_box(common::bare(black_box(1)));
    });
    contended(&mut group, "counter/atomic_floor", || {
        black_box(counted::atomic_floor(black_box(1)));
    });
    contended(&mut group, "counter/signalry_2_attrs", || {
        black_box(counted::signalry_2_attrs(black_box(1)));
    });
    let counter = meter.u64_counter("bench.otel.calls").build();
    let counter_attributes = [
        KeyValue::new("bench.kind", "static"),
        KeyValue::new("bench.site", "counter"),
    ];
    contended(&mut group, "counter/otel_2_attrs", || {
        black_box(counted::otel(&counter, &counter_attributes, black_box(1)));
    });
    let bound_counter = counter.bind(&counter_attributes);
    contended(&mut group, "counter/otel_bound_2_attrs", || {
        black_box(counted::otel_bound(&bound_counter, black_box(1)));
    });
    let metrics_counter = metrics::counter!(
        "bench_metrics_calls", "bench.kind" => "static", "bench.site" => "counter"
    );
    contended(&mut group, "counter/metrics_cached_handle", || {
        black_box(counted::metrics_cached(&metrics_counter, black_box(1)));
    });

    contended(&mut group, "histogram/floor", || {
        black_box(timed::floor(black_box(1)));
    });
    contended(&mut group, "histogram/signalry_2_attrs", || {
        black_box(timed::signalry_2_attrs(black_box(1)));
    });
    let histogram = meter
        .f64_histogram("bench.otel.duration")
        .with_unit("s")
        .with_boundaries(common::DURATION_BOUNDARIES.to_vec())
        .build();
    let histogram_attributes = [
        KeyValue::new("bench.kind", "static"),
        KeyValue::new("bench.site", "histogram"),
    ];
    contended(&mut group, "histogram/otel_2_attrs", || {
        black_box(timed::otel(&histogram, &histogram_attributes, black_box(1)));
    });
    let bound_histogram = histogram.bind(&histogram_attributes);
    contended(&mut group, "histogram/otel_bound_2_attrs", || {
        black_box(timed::otel_bound(&bound_histogram, black_box(1)));
    });

    contended(&mut group, "span/signalry_sampled", || {
        black_box(spanned::signalry_traced(black_box(1)));
    });
    contended(&mut group, "span/signalry_leaf", || {
        black_box(spanned::signalry_leaf(black_box(1)));
    });
    contended(&mut group, "span/tracing_otel", || {
        black_box(spanned::tracing_instrumented(black_box(1)));
    });
    group.bench_function("span/fastrace", |b| {
        b.iter_custom(|iters| two_threads(iters, || spanned::fastrace_calls))
    });
    let tracer = tracer_provider.tracer("bench");
    contended(&mut group, "span/raw_otel", || {
        black_box(spanned::raw_otel(&tracer, black_box(1)));
    });
    group.finish();
    c.final_summary();
}
