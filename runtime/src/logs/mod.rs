//! Logs: the logger provider's pipeline, and the emission path of structured events.
//!
//! An event is an OpenTelemetry LogRecord with an event name. Emitting one inside a span
//! correlates it with that span: the SDK copies the current trace and span ids into the record.

pub(crate) mod console;

use std::sync::Arc;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, Severity};
use opentelemetry::Key;
use opentelemetry_sdk::logs::{BatchConfigBuilder, BatchLogProcessor, SdkLoggerProvider};
use opentelemetry_sdk::Resource;

use crate::config::{BatchConfig, ExporterKind};
use crate::console::ConsoleOutput;
use crate::pipeline::Exporters;
use crate::state;

/// What an event knows at compile time.
#[derive(Debug)]
pub struct EventSite {
    /// The event name (OTLP `event_name`).
    pub name: &'static str,
    /// Severity.
    pub severity: Severity,
}

impl EventSite {
    /// Emits one event with `body` and `attributes`; does nothing when telemetry is off.
    #[inline]
    pub fn emit(
        &'static self,
        body: Option<AnyValue>,
        attributes: impl FnOnce() -> Vec<(Key, AnyValue)>,
    ) {
        if !state::enabled() {
            return;
        }
        let Some(pipeline) = state::current() else {
            return;
        };
        let mut record = pipeline.logger.create_log_record();
        record.set_event_name(self.name);
        record.set_target(self.name);
        record.set_severity_number(self.severity);
        record.set_severity_text(self.severity.name());
        record.set_timestamp(std::time::SystemTime::now());
        if let Some(body) = body {
            record.set_body(body);
        }
        record.add_attributes(attributes());
        pipeline.logger.emit(record);
    }
}

/// Builds the logger provider for the chosen exporters.
pub(crate) fn provider(
    kinds: &[ExporterKind],
    exporters: &mut Exporters<'_>,
    batch: BatchConfig,
    resource: Resource,
    console: &Arc<ConsoleOutput>,
) -> SdkLoggerProvider {
    let mut builder = SdkLoggerProvider::builder()
        .with_resource(resource)
        .with_log_processor(crate::testing::CaptureLogProcessor);
    for kind in kinds {
        match kind {
            // Written as emitted, so that an event lands inside its span's tree.
            ExporterKind::Console => {
                builder = builder
                    .with_simple_exporter(console::ConsoleLogExporter::new(Arc::clone(console)));
            }
            ExporterKind::Otlp => {
                if let Some(exporter) = exporters.otlp_logs() {
                    let processor = BatchLogProcessor::builder(exporter)
                        .with_batch_config(
                            BatchConfigBuilder::default()
                                .with_scheduled_delay(batch.schedule_delay)
                                .with_max_queue_size(batch.max_queue_size)
                                .with_max_export_batch_size(batch.max_export_batch_size)
                                .build(),
                        )
                        .build();
                    builder = builder.with_log_processor(processor);
                }
            }
            ExporterKind::Prometheus => {}
        }
    }
    builder.build()
}
