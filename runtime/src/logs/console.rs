//! The console log exporter: each log record (each `TelemetryEvent`) as one `• event` line.
//!
//! ```text
//! • event app.started INFO ready {port=8080}
//! ```
//!
//! A record emitted inside a sampled span, while a console span exporter draws the trees,
//! waits in the shared [`TraceBuffers`](crate::console::TraceBuffers) and is printed inside
//! its span's tree. Any other record is printed at once; when it carries a trace context,
//! that is printed too, to find the trace elsewhere.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::logs::{LogBatch, LogExporter, SdkLogRecord, TraceContext};

use crate::console::{
    attributes_text, event_text, push_plain, ConsoleOutput, ConsoleValue as _, Palette,
    PendingEvent, Style,
};

/// Prints log records to the shared console; meant for the SDK's simple log processor.
#[derive(Debug)]
pub(crate) struct ConsoleLogExporter {
    out: Arc<ConsoleOutput>,
    shut_down: AtomicBool,
}

impl ConsoleLogExporter {
    /// An exporter printing to `out`.
    pub(crate) fn new(out: Arc<ConsoleOutput>) -> Self {
        Self {
            out,
            shut_down: AtomicBool::new(false),
        }
    }
}

impl LogExporter for ConsoleLogExporter {
    fn export(&self, batch: LogBatch<'_>) -> impl Future<Output = OTelSdkResult> + Send {
        let result = if self.shut_down.load(Ordering::Acquire) {
            Err(OTelSdkError::AlreadyShutdown)
        } else {
            let palette = self.out.palette();
            let mut state = self.out.lock();
            for (record, scope) in batch.iter() {
                let text = record_text(palette, record, scope);
                let Some(context) = sampled_context(record) else {
                    state.write(&format!("{text}\n"));
                    continue;
                };
                let event = PendingEvent {
                    span_id: context.span_id,
                    time: record
                        .timestamp()
                        .or(record.observed_timestamp())
                        .unwrap_or_else(SystemTime::now),
                    text,
                };
                if let Err(event) = state.traces.push_event(context.trace_id, event) {
                    let ids = format!("(trace {} span {})", context.trace_id, context.span_id);
                    let line = format!("{}  {}\n", event.text, palette.paint(Style::Dim, &ids));
                    state.write(&line);
                }
            }
            Ok(())
        };
        std::future::ready(result)
    }

    /// Records waiting for their trace stay with it: the span exporter prints them with the
    /// trace, or at its own shutdown.
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        if self.shut_down.swap(true, Ordering::AcqRel) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        Ok(())
    }
}

/// The record's trace context, when it belongs to a sampled span (only those are exported,
/// so only those will have a tree to be printed in).
fn sampled_context(record: &SdkLogRecord) -> Option<&TraceContext> {
    record.trace_context().filter(|context| {
        context.trace_id != opentelemetry::trace::TraceId::INVALID
            && context.span_id != opentelemetry::trace::SpanId::INVALID
            && context.trace_flags.is_some_and(|flags| flags.is_sampled())
    })
}

/// `• event <name> <SEVERITY> <body> {attributes}`; the name is the event name, else the
/// target (a module path, for records bridged from `log` or `tracing`), else the scope.
fn record_text(palette: Palette, record: &SdkLogRecord, scope: &InstrumentationScope) -> String {
    let name = record
        .event_name()
        .or_else(|| record.target().map(|target| target.as_ref()))
        .unwrap_or_else(|| scope.name());

    let severity = record
        .severity_text()
        .or_else(|| record.severity_number().map(|number| number.name()))
        .unwrap_or_default();
    let style = match record.severity_number() {
        Some(number) if number >= Severity::Error => Style::Red,
        Some(number) if number >= Severity::Warn => Style::Yellow,
        Some(number) if number >= Severity::Info => Style::Green,
        _ => Style::Dim,
    };

    let mut body = String::new();
    match record.body() {
        // A message reads best as it is; only a structured body is formatted as a value.
        Some(AnyValue::String(message)) => push_plain(&mut body, message.as_str()),
        Some(value) => value.write_console(&mut body),
        None => {}
    }

    let attributes = attributes_text(record.attributes_iter().map(|(key, value)| (key, value)));
    event_text(
        palette,
        name,
        &[
            &palette.paint(style, severity),
            &body,
            &palette.paint(Style::Dim, &attributes),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::tests::{poll_ready, SharedBuffer};
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
    };
    use opentelemetry::Context;
    use opentelemetry_sdk::logs::SdkLoggerProvider;
    use std::collections::HashMap;

    fn provider() -> (SharedBuffer, SdkLoggerProvider) {
        let buffer = SharedBuffer::default();
        let out = ConsoleOutput::to_writer(Box::new(buffer.clone()));
        let provider = SdkLoggerProvider::builder()
            .with_simple_exporter(ConsoleLogExporter::new(out))
            .build();
        (buffer, provider)
    }

    #[test]
    fn records_are_printed_at_once_with_their_trace_context() {
        let (buffer, provider) = provider();
        let logger = provider.logger("shop");

        let mut record = logger.create_log_record();
        record.set_event_name("cart.updated");
        record.set_severity_number(Severity::Info);
        record.set_body("3 items, 1 new".into());
        record.add_attribute("cart.id", 42);
        record.add_attribute("user", "ada lovelace");
        logger.emit(record);

        // Without a console span exporter no tree will come, so the record does not wait.
        let span = SpanContext::new(
            TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
            SpanId::from(0x00f0_67aa_0ba9_02b7),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        );
        {
            let _attached = Context::new().with_remote_span_context(span).attach();
            let mut record = logger.create_log_record();
            record.set_target("shop::payments");
            record.set_severity_number(Severity::Error);
            record.set_severity_text("error");
            record.set_body("declined:\ninsufficient funds".into());
            logger.emit(record);
        }

        let mut record = logger.create_log_record();
        let structured: HashMap<_, AnyValue> = [("code".into(), 402.into())].into_iter().collect();
        record.set_body(AnyValue::Map(Box::new(structured)));
        logger.emit(record);

        provider.shutdown().expect("shutdown");
        assert_eq!(
            buffer.text(),
            "\
• event cart.updated INFO 3 items, 1 new {cart.id=42, user=\"ada lovelace\"}
• event shop::payments error declined:\\ninsufficient funds  (trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7)
• event shop {code=402}
"
        );
    }

    #[test]
    fn nothing_is_exported_after_shutdown() {
        let (buffer, provider) = provider();
        let record = provider.logger("shop").create_log_record();
        let scope = InstrumentationScope::builder("shop").build();
        let exporter = ConsoleLogExporter::new(ConsoleOutput::to_writer(Box::new(buffer.clone())));
        assert!(exporter.shutdown().is_ok());
        assert!(matches!(
            exporter.shutdown(),
            Err(OTelSdkError::AlreadyShutdown)
        ));
        let exported = poll_ready(exporter.export(LogBatch::new(&[(&record, &scope)])));
        assert!(matches!(exported, Err(OTelSdkError::AlreadyShutdown)));
        assert_eq!(buffer.text(), "");
    }
}
