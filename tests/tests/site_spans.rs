//! The path `#[traced]` spans take outside the SDK's tracer: recorded per thread, collected in
//! the background, turned into standard `SpanData` for the exporter. What reaches an exporter
//! given in code is checked field by field, for spans ended on threads that have finished
//! before the collection, for spans changed through the OpenTelemetry API while current, and
//! for each sampler. In a binary of its own, since it starts and stops pipelines.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use signalry::config::{ParentRoot, SamplerConfig};
use signalry::otel::trace::{get_active_span, SpanId, SpanKind, Status, Tracer as _};
use signalry::otel::{Context, KeyValue, Value};
use signalry::otel_sdk::error::OTelSdkResult;
use signalry::otel_sdk::trace::{SpanData, SpanExporter};

/// Keeps every span it is given.
#[derive(Debug, Clone, Default)]
struct Keep(Arc<Mutex<Vec<SpanData>>>);

impl Keep {
    fn spans(&self) -> Vec<SpanData> {
        self.0.lock().expect("exporter lock").clone()
    }
}

impl SpanExporter for Keep {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().expect("exporter lock").extend(batch);
        Ok(())
    }
}

fn start(sampler: SamplerConfig) -> (signalry::Guard, Keep) {
    let keep = Keep::default();
    let guard = signalry::builder()
        .service_name("site-spans-test")
        .exporters(signalry::config::Signal::Metrics, &[])
        .exporters(signalry::config::Signal::Logs, &[])
        .sampler(sampler)
        .span_exporter(keep.clone())
        .init();
    (guard, keep)
}

fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

#[signalry::traced]
fn leaf(n: u64) -> u64 {
    n + 1
}

#[signalry::traced]
fn branch(n: u64) -> u64 {
    leaf(n) + leaf(n + 1)
}

#[signalry::traced]
fn touched_through_the_api() {
    get_active_span(|span| {
        span.set_attribute(KeyValue::new("set.later", 7));
        span.add_event("checkpoint", vec![KeyValue::new("step", 1)]);
        span.update_name("renamed");
        span.set_status(Status::Ok);
    });
    // A span the SDK's tracer makes (as `tracing-opentelemetry` does) nests under this one.
    let tracer = signalry::otel::global::tracer("foreign");
    let foreign = tracer.start_with_context("foreign", &Context::current());
    drop(foreign);
}

fn sampling() {
    // Only the exporter's view matters here: nothing else records in this binary.
    let (telemetry, keep) = start(SamplerConfig::AlwaysOff);
    branch(1);
    assert!(telemetry.shutdown().is_empty());
    assert!(keep.spans().is_empty(), "always_off exported spans");

    let (telemetry, keep) = start(SamplerConfig::TraceIdRatio(0.5));
    for n in 0..2000 {
        leaf(n);
    }
    assert!(telemetry.shutdown().is_empty());
    let kept = keep.spans().len();
    assert!(
        (800..1200).contains(&kept),
        "a ratio of 0.5 kept {kept} of 2000 root spans"
    );

    // Parent-based: children follow the root's decision, whole traces kept or dropped.
    let (telemetry, keep) = start(SamplerConfig::ParentBased(ParentRoot::TraceIdRatio(0.5)));
    for n in 0..400 {
        branch(n);
    }
    assert!(telemetry.shutdown().is_empty());
    let spans = keep.spans();
    let mut per_trace: HashMap<_, usize> = HashMap::new();
    for span in &spans {
        *per_trace.entry(span.span_context.trace_id()).or_default() += 1;
    }
    assert!(
        per_trace.values().all(|&n| n == 3),
        "a trace lost part of its spans: {per_trace:?}"
    );
    assert!(
        (120..280).contains(&per_trace.len()),
        "parent-based 0.5 kept {} of 400 traces",
        per_trace.len()
    );
}

#[test]
fn site_spans_reach_the_exporter_as_standard_span_data() {
    let before = SystemTime::now();
    let (telemetry, keep) = start(SamplerConfig::AlwaysOn);

    // Threads that end before any collection: their buffers are still collected.
    let threads: Vec<_> = (0..4u64)
        .map(|t| std::thread::spawn(move || (0..500).map(|n| branch(t * 1000 + n)).sum::<u64>()))
        .collect();
    for thread in threads {
        thread.join().expect("thread ran");
    }
    touched_through_the_api();
    assert!(telemetry.shutdown().is_empty());
    let after = SystemTime::now();

    let spans = keep.spans();
    let by_id: HashMap<SpanId, &SpanData> = spans
        .iter()
        .map(|s| (s.span_context.span_id(), s))
        .collect();
    assert_eq!(by_id.len(), spans.len(), "span ids are unique");
    let branches: Vec<_> = spans.iter().filter(|s| s.name == "branch").collect();
    let leaves: Vec<_> = spans.iter().filter(|s| s.name == "leaf").collect();
    assert_eq!(branches.len(), 2000);
    assert_eq!(leaves.len(), 4000);

    for span in &spans {
        assert!(span.span_context.is_sampled());
        assert!(span.start_time >= before && span.end_time <= after);
        assert!(span.start_time <= span.end_time);
        let scope = if span.name == "foreign" {
            "foreign"
        } else {
            "signalry"
        };
        assert_eq!(span.instrumentation_scope.name(), scope);
    }
    for leaf in &leaves {
        let parent = by_id[&leaf.parent_span_id];
        assert_eq!(parent.name, "branch");
        assert_eq!(parent.span_context.trace_id(), leaf.span_context.trace_id());
        assert!(!leaf.parent_span_is_remote);
        assert!(parent.start_time <= leaf.start_time && leaf.end_time <= parent.end_time);
        assert_eq!(leaf.span_kind, SpanKind::Internal);
        // The site's attributes first, then the argument.
        let keys: Vec<_> = leaf.attributes.iter().map(|kv| kv.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "code.function.name",
                "code.file.path",
                "code.line.number",
                "n"
            ]
        );
        assert_eq!(
            attribute(leaf, "code.function.name")
                .map(Value::as_str)
                .as_deref(),
            Some("site_spans::leaf")
        );
    }
    for branch in &branches {
        assert_eq!(branch.parent_span_id, SpanId::INVALID);
    }

    let touched = spans
        .iter()
        .find(|s| s.name == "renamed")
        .expect("the renamed span was exported");
    assert_eq!(attribute(touched, "set.later"), Some(&Value::I64(7)));
    assert_eq!(touched.events.events.len(), 1);
    assert_eq!(touched.events.events[0].name, "checkpoint");
    assert_eq!(touched.status, Status::Ok);
    let foreign = spans
        .iter()
        .find(|s| s.name == "foreign")
        .expect("the SDK tracer's span was exported too");
    assert_eq!(foreign.parent_span_id, touched.span_context.span_id());
    assert_eq!(
        foreign.span_context.trace_id(),
        touched.span_context.trace_id()
    );
    assert!(!foreign.parent_span_is_remote);

    sampling();
}
