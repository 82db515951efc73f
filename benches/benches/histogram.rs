//! Group 2, a duration histogram per call. Every variant is an `#[inline(never)]` function with
//! the same body ([`common::body`]), timed and recorded in seconds:
//!
//! | bench | recording |
//! |---|---|
//! | `bare` | none: the baseline |
//! | `floor` | two `Instant::now()`, then a bucket increment and a sum in a `static` [`common::FixedHistogram`] |
//! | `signalry_0_attrs` | `#[metric(histogram)]` |
//! | `signalry_2_attrs` | `#[metric(histogram, attributes(k = "literal", k = "literal"))]` |
//! | `otel_2_attrs` | `Instant::now()` before, `Histogram::record(elapsed, &attrs)` after, 2 `KeyValue`s built once |
//! | `otel_bound_2_attrs` | the same with a `BoundHistogram` (SDK feature `experimental_metrics_bound_instruments`) |
//! | `metrics_2_labels` | `Instant::now()` before, `metrics::histogram!("name", "k" => "v", "k" => "v").record(elapsed)` after |
//! | `metrics_cached_handle` | the same histogram's handle, resolved once |
//!
//! signalry and the SDK histograms use the same 14 bucket boundaries (5 ms to 10 s), on a meter
//! provider with one cumulative periodic reader (60 s); `metrics` records into
//! [`common::FixedHistogram`] through [`common::BenchRecorder`].

mod common;

use std::hint::black_box;

use common::bare;
use common::timed::*;
use common::DURATION_BOUNDARIES;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::KeyValue;

fn main() {
    let mut c = common::criterion();
    let _signalry = common::signalry_metrics();
    let provider = common::sdk_meter_provider();
    let meter = provider.meter("bench");
    common::install_metrics_recorder();

    let mut group = c.benchmark_group("histogram");
    group.bench_function("bare", |b| b.iter(|| bare(black_box(1))));
    group.bench_function("floor", |b| b.iter(|| floor(black_box(1))));
    group.bench_function("signalry_0_attrs", |b| {
        b.iter(|| signalry_0_attrs(black_box(1)))
    });
    group.bench_function("signalry_2_attrs", |b| {
        b.iter(|| signalry_2_attrs(black_box(1)))
    });
    let histogram = meter
        .f64_histogram("bench.otel.duration")
        .with_unit("s")
        .with_boundaries(DURATION_BOUNDARIES.to_vec())
        .build();
    let attributes = [
        KeyValue::new("bench.kind", "static"),
        KeyValue::new("bench.site", "histogram"),
    ];
    group.bench_function("otel_2_attrs", |b| {
        b.iter(|| otel(&histogram, &attributes, black_box(1)))
    });
    let bound = histogram.bind(&attributes);
    group.bench_function("otel_bound_2_attrs", |b| {
        b.iter(|| otel_bound(&bound, black_box(1)))
    });
    group.bench_function("metrics_2_labels", |b| {
        b.iter(|| metrics_2_labels(black_box(1)))
    });
    let handle = metrics::histogram!(
        "bench_metrics_duration", "bench.kind" => "static", "bench.site" => "histogram"
    );
    group.bench_function("metrics_cached_handle", |b| {
        b.iter(|| metrics_cached(&handle, black_box(1)))
    });
    group.finish();
    c.final_summary();
}
