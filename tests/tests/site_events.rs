//! The path `emit()` takes outside the SDK's logger: recorded per thread, collected in the
//! background, turned into the SDK's `SdkLogRecord` for the exporter. What reaches an exporter
//! given in code is checked field by field, for events emitted on threads that have finished
//! before the collection. In a binary of its own, since it starts and stops a pipeline.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use signalry::otel::logs::{AnyValue, Severity};
use signalry::otel::trace::{SpanId, TraceId};
use signalry::otel_sdk::error::OTelSdkResult;
use signalry::otel_sdk::logs::{LogBatch, LogExporter};
use signalry::otel_sdk::trace::{SpanData, SpanExporter};
use signalry::TelemetryEvent as _;

/// What one exported log record said.
#[derive(Debug, Clone)]
struct Seen {
    name: String,
    severity: Option<Severity>,
    timestamp: Option<SystemTime>,
    observed: Option<SystemTime>,
    ids: Option<(TraceId, SpanId)>,
    body: Option<AnyValue>,
    attributes: Vec<(String, AnyValue)>,
    scope: String,
}

#[derive(Debug, Clone, Default)]
struct Keep {
    logs: Arc<Mutex<Vec<Seen>>>,
    spans: Arc<Mutex<Vec<SpanData>>>,
}

impl LogExporter for Keep {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let mut logs = self.logs.lock().expect("exporter lock");
        logs.extend(batch.iter().map(|(record, scope)| {
            Seen {
                name: record.event_name().unwrap_or_default().to_owned(),
                severity: record.severity_number(),
                timestamp: record.timestamp(),
                observed: record.observed_timestamp(),
                ids: record.trace_context().map(|t| (t.trace_id, t.span_id)),
                body: record.body().cloned(),
                attributes: record
                    .attributes_iter()
                    .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                    .collect(),
                scope: scope.name().to_owned(),
            }
        }));
        Ok(())
    }
}

impl SpanExporter for Keep {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.spans.lock().expect("exporter lock").extend(batch);
        Ok(())
    }
}

#[derive(signalry::TelemetryEvent)]
#[event(name = "job.step", severity = warn, body = "step {step} of job {job}")]
struct Step {
    job: u64,
    step: u64,
    label: Option<&'static str>,
}

#[signalry::traced]
fn job(job: u64) {
    for step in 0..250 {
        Step {
            job,
            step,
            label: (step % 2 == 0).then_some("even"),
        }
        .emit();
    }
}

#[test]
fn events_reach_the_exporter_with_their_fields_and_span() {
    let before = SystemTime::now();
    let keep = Keep::default();
    let telemetry = signalry::builder()
        .service_name("site-events-test")
        .exporters(signalry::config::Signal::Metrics, &[])
        .span_exporter(keep.clone())
        .log_exporter(keep.clone())
        .init();
    let threads: Vec<_> = (0..4u64)
        .map(|t| std::thread::spawn(move || (0..4).for_each(|j| job(t * 10 + j))))
        .collect();
    for thread in threads {
        thread.join().expect("thread ran");
    }
    // One outside any span: no ids.
    Step {
        job: 99,
        step: 0,
        label: None,
    }
    .emit();
    // Inside the SDK's own work (telemetry suppressed) nothing is recorded.
    {
        let _suppressed = signalry::otel::Context::enter_telemetry_suppressed_scope();
        job(77);
    }
    assert!(telemetry.shutdown().is_empty());
    let after = SystemTime::now();

    let logs = keep.logs.lock().expect("exporter lock").clone();
    let spans = keep.spans.lock().expect("exporter lock").clone();
    assert_eq!(logs.len(), 16 * 250 + 1);
    assert_eq!(spans.len(), 16);
    let span_of_job: HashMap<i64, (TraceId, SpanId)> = spans
        .iter()
        .map(|span| {
            let job = span
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == "job")
                .and_then(|kv| match kv.value {
                    signalry::otel::Value::I64(job) => Some(job),
                    _ => None,
                })
                .expect("the span records its job");
            (
                job,
                (span.span_context.trace_id(), span.span_context.span_id()),
            )
        })
        .collect();

    let mut last_step: HashMap<i64, i64> = HashMap::new();
    for seen in &logs {
        assert_eq!(seen.name, "job.step");
        assert_eq!(seen.severity, Some(Severity::Warn));
        assert_eq!(seen.scope, "signalry");
        let timestamp = seen.timestamp.expect("a timestamp");
        assert!(before <= timestamp && timestamp <= after);
        assert_eq!(seen.observed, seen.timestamp);
        let attribute = |key: &str| {
            seen.attributes
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let Some(AnyValue::Int(job)) = attribute("job") else {
            panic!("no job in {seen:?}");
        };
        let Some(AnyValue::Int(step)) = attribute("step") else {
            panic!("no step in {seen:?}");
        };
        assert_eq!(
            seen.body,
            Some(AnyValue::String(format!("step {step} of job {job}").into()))
        );
        if job == 99 {
            assert_eq!(seen.ids, None);
            continue;
        }
        assert_eq!(seen.ids, Some(span_of_job[&job]), "{seen:?}");
        let label = attribute("label");
        if step % 2 == 0 {
            assert_eq!(label, Some(AnyValue::String("even".into())));
        } else {
            assert_eq!(label, None, "None fields are left out");
        }
        // A thread's events keep their order.
        let previous = last_step.insert(job, step);
        assert_eq!(previous.map_or(0, |p| p + 1), step);
    }
}
