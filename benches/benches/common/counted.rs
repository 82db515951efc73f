//! The counted functions of groups 1 and 5: one per way of counting calls, same body.

use std::sync::atomic::{AtomicU64, Ordering};

use opentelemetry::metrics::{BoundCounter, Counter};
use opentelemetry::KeyValue;

use super::body;

static CALLS: AtomicU64 = AtomicU64::new(0);

#[inline(never)]
pub fn atomic_floor(x: u64) -> u64 {
    CALLS.fetch_add(1, Ordering::Relaxed);
    body(x)
}

#[inline(never)]
#[signalry::metric(counter)]
pub fn signalry_0_attrs(x: u64) -> u64 {
    body(x)
}

#[inline(never)]
#[signalry::metric(counter, attributes(bench.kind = "static", bench.site = "counter"))]
pub fn signalry_2_attrs(x: u64) -> u64 {
    body(x)
}

#[inline(never)]
pub fn otel(counter: &Counter<u64>, attributes: &[KeyValue], x: u64) -> u64 {
    counter.add(1, attributes);
    body(x)
}

#[inline(never)]
pub fn otel_bound(counter: &BoundCounter<u64>, x: u64) -> u64 {
    counter.add(1);
    body(x)
}

#[inline(never)]
pub fn metrics_2_labels(x: u64) -> u64 {
    metrics::counter!("bench_metrics_calls", "bench.kind" => "static", "bench.site" => "counter")
        .increment(1);
    body(x)
}

#[inline(never)]
pub fn metrics_cached(counter: &metrics::Counter, x: u64) -> u64 {
    counter.increment(1);
    body(x)
}
