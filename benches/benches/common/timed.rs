//! The timed functions of groups 2 and 5: one per way of recording a call's duration, same
//! body.

use std::time::Instant;

use opentelemetry::metrics::{BoundHistogram, Histogram};
use opentelemetry::KeyValue;

use super::{body, FixedHistogram};

static FLOOR: FixedHistogram = FixedHistogram::new();

#[inline(never)]
pub fn floor(x: u64) -> u64 {
    let started = Instant::now();
    let result = body(x);
    FLOOR.record(started.elapsed().as_secs_f64());
    result
}

#[inline(never)]
#[signalry::metric(histogram)]
pub fn signalry_0_attrs(x: u64) -> u64 {
    body(x)
}

#[inline(never)]
#[signalry::metric(histogram, attributes(bench.kind = "static", bench.site = "histogram"))]
pub fn signalry_2_attrs(x: u64) -> u64 {
    body(x)
}

#[inline(never)]
pub fn otel(histogram: &Histogram<f64>, attributes: &[KeyValue], x: u64) -> u64 {
    let started = Instant::now();
    let result = body(x);
    histogram.record(started.elapsed().as_secs_f64(), attributes);
    result
}

#[inline(never)]
pub fn otel_bound(histogram: &BoundHistogram<f64>, x: u64) -> u64 {
    let started = Instant::now();
    let result = body(x);
    histogram.record(started.elapsed().as_secs_f64());
    result
}

#[inline(never)]
pub fn metrics_2_labels(x: u64) -> u64 {
    let started = Instant::now();
    let result = body(x);
    metrics::histogram!(
        "bench_metrics_duration", "bench.kind" => "static", "bench.site" => "histogram"
    )
    .record(started.elapsed().as_secs_f64());
    result
}

#[inline(never)]
pub fn metrics_cached(histogram: &metrics::Histogram, x: u64) -> u64 {
    let started = Instant::now();
    let result = body(x);
    histogram.record(started.elapsed().as_secs_f64());
    result
}
