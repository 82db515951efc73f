//! What every bench target shares: criterion's settings, exporters that discard, the peers'
//! pipelines built the same way as signalry's, and the two-thread contention driver.
//!
//! Each bench target includes this with `mod common;` and uses only part of it.
#![allow(dead_code)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::Criterion;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{BatchLogProcessor, LogBatch, LogExporter, SdkLoggerProvider};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider, SpanData, SpanExporter};
use signalry::config::{ExporterKind, SamplerConfig, Signal};

pub mod counted;
pub mod spanned;
pub mod timed;

/// Warm-up 1 s and 2 s of measurement per bench, 50 samples, no plots: the whole
/// `cargo bench -p signalry-benches` stays within minutes on two cores. Command-line options
/// (`--measurement-time`, a filter...) still win.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
        .without_plots()
        .configure_from_args()
}

/// The body every instrumented variant wraps: cheap, but not foldable by the optimiser.
#[inline(always)]
pub fn body(x: u64) -> u64 {
    black_box(x)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(7)
}

/// The uninstrumented function: the baseline every overhead is measured from.
#[inline(never)]
pub fn bare(x: u64) -> u64 {
    body(x)
}

/// A span exporter that drops every batch: what is measured is the instrumented call and the
/// batch processor's queue, not a transport.
#[derive(Debug, Default)]
pub struct DiscardSpans;

impl SpanExporter for DiscardSpans {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        black_box(batch);
        Ok(())
    }
}

/// A log exporter that drops every batch.
#[derive(Debug, Default)]
pub struct DiscardLogs;

impl LogExporter for DiscardLogs {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        black_box(&batch);
        Ok(())
    }
}

/// A push metric exporter that drops every collection, cumulative like signalry's console
/// exporter.
#[derive(Debug, Default)]
pub struct DiscardMetrics;

impl PushMetricExporter for DiscardMetrics {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        black_box(metrics);
        Ok(())
    }
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

/// signalry with metrics only, read every 60 s (the default) by its console exporter, whose
/// output goes nowhere. Traces and logs off.
pub fn signalry_metrics() -> signalry::Guard {
    signalry::builder()
        .service_name("bench")
        .exporters(Signal::Traces, &[])
        .exporters(Signal::Logs, &[])
        .exporters(Signal::Metrics, &[ExporterKind::Console])
        .console_output(std::io::sink())
        .init()
}

/// signalry with spans (and metrics, for the contention bench) on: spans go through the batch
/// span processor to [`DiscardSpans`], sampled with `sampler`.
pub fn signalry_spans(sampler: SamplerConfig) -> signalry::Guard {
    signalry::builder()
        .service_name("bench")
        .exporters(Signal::Logs, &[])
        .exporters(Signal::Metrics, &[ExporterKind::Console])
        .console_output(std::io::sink())
        .sampler(sampler)
        .span_exporter(DiscardSpans)
        .init()
}

/// signalry with logs only: the batch log processor to [`DiscardLogs`].
pub fn signalry_logs() -> signalry::Guard {
    signalry::builder()
        .service_name("bench")
        .exporters(Signal::Traces, &[])
        .exporters(Signal::Metrics, &[])
        .log_exporter(DiscardLogs)
        .init()
}

/// The OpenTelemetry SDK's meter provider as a plain SDK user builds it: one periodic reader
/// (60 s, cumulative), exporting nowhere.
pub fn sdk_meter_provider() -> SdkMeterProvider {
    SdkMeterProvider::builder()
        .with_reader(
            PeriodicReader::builder(DiscardMetrics)
                .with_interval(Duration::from_secs(60))
                .build(),
        )
        .build()
}

/// The SDK's tracer provider as a plain SDK user builds it: always on, batch span processor
/// (default settings, as signalry's) to [`DiscardSpans`].
pub fn sdk_tracer_provider() -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_span_processor(BatchSpanProcessor::builder(DiscardSpans).build())
        .build()
}

/// The SDK's logger provider: batch log processor (default settings) to [`DiscardLogs`].
pub fn sdk_logger_provider() -> SdkLoggerProvider {
    SdkLoggerProvider::builder()
        .with_log_processor(BatchLogProcessor::builder(DiscardLogs).build())
        .build()
}

/// Times `iters` calls made by each of two threads at once, started together by a barrier,
/// and returns the wall time from the first thread's start to the last one's end: per call,
/// that is what each caller pays while the other hammers the same call site. `setup` prepares
/// a thread first and is not timed; the `FnMut(u64)` it returns makes the calls.
pub fn two_threads<S, R>(iters: u64, setup: S) -> Duration
where
    S: Fn() -> R + Sync,
    R: FnMut(u64),
{
    let barrier = Barrier::new(2);
    let spans: Vec<(Instant, Instant)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut run = setup();
                    barrier.wait();
                    let start = Instant::now();
                    run(iters);
                    (start, Instant::now())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a bench thread panicked"))
            .collect()
    });
    let start = spans.iter().map(|s| s.0).min();
    let end = spans.iter().map(|s| s.1).max();
    match (start, end) {
        (Some(start), Some(end)) => end.saturating_duration_since(start),
        _ => Duration::ZERO,
    }
}

/// The histogram floor's buckets: the same 14 boundaries (seconds) signalry gives durations.
pub const DURATION_BOUNDARIES: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The cheapest honest duration histogram: one bucket count per boundary (plus overflow) and
/// a sum, all atomics.
#[derive(Debug, Default)]
pub struct FixedHistogram {
    buckets: [AtomicU64; 15],
    sum_nanos: AtomicU64,
}

impl FixedHistogram {
    /// A histogram for a `static`.
    pub const fn new() -> Self {
        Self {
            buckets: [const { AtomicU64::new(0) }; 15],
            sum_nanos: AtomicU64::new(0),
        }
    }

    /// Counts `seconds` in its bucket and adds it to the sum.
    #[inline]
    pub fn record(&self, seconds: f64) {
        let index = DURATION_BOUNDARIES
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(DURATION_BOUNDARIES.len());
        self.buckets[index].fetch_add(1, Ordering::Relaxed);
        self.sum_nanos
            .fetch_add((seconds * 1e9) as u64, Ordering::Relaxed);
    }
}

impl metrics::HistogramFn for FixedHistogram {
    fn record(&self, value: f64) {
        FixedHistogram::record(self, value);
    }
}

/// The `metrics` crate's recorder for these benches: `metrics_util::registry::Registry` (the
/// sharded registry that `metrics`' exporters are built on) with `AtomicU64` counters and
/// gauges and a [`FixedHistogram`] per histogram, so that memory stays bounded however many
/// values are recorded (`metrics_util`'s default `AtomicBucket` keeps every value until a
/// scrape drains it).
#[derive(Debug)]
pub struct BenchRecorder {
    registry: metrics_util::registry::Registry<metrics::Key, BenchStorage>,
}

/// Storage of [`BenchRecorder`].
#[derive(Debug)]
pub struct BenchStorage;

impl metrics_util::registry::Storage<metrics::Key> for BenchStorage {
    type Counter = Arc<AtomicU64>;
    type Gauge = Arc<AtomicU64>;
    type Histogram = Arc<FixedHistogram>;

    fn counter(&self, _key: &metrics::Key) -> Self::Counter {
        Arc::new(AtomicU64::new(0))
    }
    fn gauge(&self, _key: &metrics::Key) -> Self::Gauge {
        Arc::new(AtomicU64::new(0))
    }
    fn histogram(&self, _key: &metrics::Key) -> Self::Histogram {
        Arc::new(FixedHistogram::new())
    }
}

impl metrics::Recorder for BenchRecorder {
    fn describe_counter(
        &self,
        _key: metrics::KeyName,
        _unit: Option<metrics::Unit>,
        _description: metrics::SharedString,
    ) {
    }
    fn describe_gauge(
        &self,
        _key: metrics::KeyName,
        _unit: Option<metrics::Unit>,
        _description: metrics::SharedString,
    ) {
    }
    fn describe_histogram(
        &self,
        _key: metrics::KeyName,
        _unit: Option<metrics::Unit>,
        _description: metrics::SharedString,
    ) {
    }
    fn register_counter(
        &self,
        key: &metrics::Key,
        _metadata: &metrics::Metadata<'_>,
    ) -> metrics::Counter {
        self.registry
            .get_or_create_counter(key, |c| metrics::Counter::from_arc(Arc::clone(c)))
    }
    fn register_gauge(
        &self,
        key: &metrics::Key,
        _metadata: &metrics::Metadata<'_>,
    ) -> metrics::Gauge {
        self.registry
            .get_or_create_gauge(key, |g| metrics::Gauge::from_arc(Arc::clone(g)))
    }
    fn register_histogram(
        &self,
        key: &metrics::Key,
        _metadata: &metrics::Metadata<'_>,
    ) -> metrics::Histogram {
        self.registry
            .get_or_create_histogram(key, |h| metrics::Histogram::from_arc(Arc::clone(h)))
    }
}

/// Installs [`BenchRecorder`] as the `metrics` crate's global recorder.
pub fn install_metrics_recorder() {
    let recorder = BenchRecorder {
        registry: metrics_util::registry::Registry::new(BenchStorage),
    };
    metrics::set_global_recorder(recorder).expect("the metrics recorder is installed once");
}
