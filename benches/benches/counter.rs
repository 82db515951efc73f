//! Group 1, a counter per call. Every variant is an `#[inline(never)]` function with the same
//! body ([`common::body`]); what differs is how it counts its calls:
//!
//! | bench | counting |
//! |---|---|
//! | `bare` | none: the baseline every overhead is measured from |
//! | `atomic_floor` | `static AtomicU64::fetch_add(1, Relaxed)`: the least any counter can cost |
//! | `signalry_0_attrs` | `#[metric(counter)]` |
//! | `signalry_2_attrs` | `#[metric(counter, attributes(k = "literal", k = "literal"))]` |
//! | `otel_0_attrs` | OpenTelemetry SDK `Counter::add(1, &[])` |
//! | `otel_2_attrs` | `Counter::add(1, &attrs)` with 2 `KeyValue`s built once, outside the loop |
//! | `otel_bound_2_attrs` | `BoundCounter::add(1)` (SDK feature `experimental_metrics_bound_instruments`) |
//! | `metrics_2_labels` | `metrics::counter!("name", "k" => "v", "k" => "v").increment(1)` |
//! | `metrics_cached_handle` | the same counter's handle, resolved once, `.increment(1)` |
//!
//! signalry and the SDK counters each have a meter provider with one cumulative periodic
//! reader (60 s); the `metrics` crate has [`common::BenchRecorder`].

mod common;

use std::hint::black_box;

use common::bare;
use common::counted::*;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::KeyValue;

fn main() {
    let mut c = common::criterion();
    let _signalry = common::signalry_metrics();
    let provider = common::sdk_meter_provider();
    let meter = provider.meter("bench");
    common::install_metrics_recorder();

    let mut group = c.benchmark_group("counter");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(1))));
    group.bench_function("atomic_floor", |b| b.iter(|| atomic_floor(black_box(1))));
    group.bench_function("signalry_0_attrs", |b| {
        b.iter(|| signalry_0_attrs(black_box(1)))
    });
    group.bench_function("signalry_2_attrs", |b| {
        b.iter(|| signalry_2_attrs(black_box(1)))
    });
    let counter = meter.u64_counter("bench.otel.calls").build();
    let attributes = [
        KeyValue::new("bench.kind", "static"),
        KeyValue::new("bench.site", "counter"),
    ];
    group.bench_function("otel_0_attrs", |b| {
        b.iter(|| otel(&counter, &[], black_box(1)))
    });
    group.bench_function("otel_2_attrs", |b| {
        b.iter(|| otel(&counter, &attributes, black_box(1)))
    });
    let bound = counter.bind(&attributes);
    group.bench_function("otel_bound_2_attrs", |b| {
        b.iter(|| otel_bound(&bound, black_box(1)))
    });
    group.bench_function("metrics_2_labels", |b| {
        b.iter(|| metrics_2_labels(black_box(1)))
    });
    let handle = metrics::counter!(
        "bench_metrics_calls", "bench.kind" => "static", "bench.site" => "counter"
    );
    group.bench_function("metrics_cached_handle", |b| {
        b.iter(|| metrics_cached(&handle, black_box(1)))
    });
    group.finish();
    c.final_summary();
}
