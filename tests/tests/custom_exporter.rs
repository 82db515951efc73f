//! `Builder::span_exporter` and `Builder::log_exporter`: exporters given in code receive the
//! spans and events, through the batch processors, and everything is flushed when the guard is
//! dropped. In a binary of its own, since it starts and stops a pipeline.

use std::sync::{Arc, Mutex};

use signalry::otel_sdk::error::OTelSdkResult;
use signalry::otel_sdk::logs::{LogBatch, LogExporter};
use signalry::otel_sdk::trace::{SpanData, SpanExporter};
use signalry::TelemetryEvent as _;

/// Keeps the names of what it was given.
#[derive(Debug, Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn names(&self) -> Vec<String> {
        self.0.lock().expect("recorder lock").clone()
    }
}

impl SpanExporter for Recorder {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut names = self.0.lock().expect("recorder lock");
        names.extend(batch.into_iter().map(|span| span.name.into_owned()));
        Ok(())
    }
}

impl LogExporter for Recorder {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let mut names = self.0.lock().expect("recorder lock");
        names.extend(
            batch
                .iter()
                .map(|(record, _scope)| record.event_name().unwrap_or_default().to_owned()),
        );
        Ok(())
    }
}

#[derive(signalry::TelemetryEvent)]
#[event(name = "order.placed")]
struct OrderPlaced {
    items: u32,
}

#[signalry::traced]
fn place_order(items: u32) {
    OrderPlaced { items }.emit();
}

#[test]
fn exporters_given_in_code_receive_every_span_and_event() {
    let spans = Recorder::default();
    let logs = Recorder::default();
    let telemetry = signalry::builder()
        .service_name("custom-exporter-test")
        .exporters(signalry::config::Signal::Metrics, &[])
        .span_exporter(spans.clone())
        .log_exporter(logs.clone())
        .init();
    for items in 0..3 {
        place_order(items);
    }
    let problems = telemetry.shutdown();
    assert!(problems.is_empty(), "{problems:?}");

    assert_eq!(spans.names(), ["place_order"; 3]);
    assert_eq!(logs.names(), ["order.placed"; 3]);
}
