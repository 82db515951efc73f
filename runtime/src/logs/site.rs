//! The events of `TelemetryEvent::emit`, recorded by signalry itself.
//!
//! The SDK's logger hands each record to every processor on the emitting thread, and its batch
//! processor copies the record into a box for its queue. An event's record is instead filled
//! in a box from the thread's spares ([`crate::pool`]): name and severity from the event's
//! static site, the time from the TSC clock, the trace and span ids of the current span, and
//! the attributes straight from the fields. The console and test captures see it at once; the
//! batch processor gets it from the collector thread, as the SDK's own `SdkLogRecord`, a batch
//! at a time.
//!
//! Records that other code emits through the SDK's logger reach the same processors through
//! [`Registered`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::logs::LoggerProvider as _;
use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _};
use opentelemetry::trace::{SpanId, TraceContextExt as _, TraceFlags, TraceId};
use opentelemetry::{Context, InstrumentationScope, Key};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLogger, SdkLoggerProvider};
use opentelemetry_sdk::Resource;

use super::{EventAttributes, EventSite, TelemetryEvent};
use crate::config::BatchConfig;
use crate::pool::{Delivery, Local, Pool, Processors, Reusable};
use crate::testing::CaptureTarget;

/// Where one pipeline's events go.
pub(crate) struct SiteLogs {
    /// Makes the SDK's records; nothing is emitted through it.
    logger: SdkLogger,
    scope: InstrumentationScope,
    processors: Processors<dyn LogProcessor>,
    /// Buffers, batches, lanes and shutdown.
    pub(crate) delivery: Delivery,
}

impl fmt::Debug for SiteLogs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SiteLogs")
            .field("processors", &self.processors)
            .finish_non_exhaustive()
    }
}

/// One emitted event, boxed once and used again.
#[derive(Clone, Default)]
pub(crate) struct EventRecord {
    site: Option<&'static EventSite>,
    timestamp: Option<SystemTime>,
    trace: Option<(TraceId, SpanId, TraceFlags)>,
    body: Option<AnyValue>,
    attributes: Vec<(Key, AnyValue)>,
}

impl Reusable for EventRecord {
    const WHAT: &'static str = "events";
    const QUEUE_VARIABLE: &'static str = "OTEL_BLRP_MAX_QUEUE_SIZE";

    #[inline]
    fn local() -> &'static std::thread::LocalKey<Local<Self>> {
        &LOCAL
    }

    fn clear(&mut self) {
        self.site = None;
        self.timestamp = None;
        self.trace = None;
        self.body = None;
        self.attributes.clear();
    }
}

thread_local! {
    static LOCAL: Local<EventRecord> = const { Local::new() };
}

/// Every thread's emitted events.
static EVENTS: Pool<EventRecord> = Pool::new();

impl SiteLogs {
    pub(crate) fn new(processors: Processors<dyn LogProcessor>, batch: BatchConfig) -> Self {
        let scope = crate::pipeline::scope();
        // A provider without processors, only to make records: `SdkLogRecord` has no public
        // constructor.
        let logger = SdkLoggerProvider::builder()
            .build()
            .logger_with_scope(scope.clone());
        Self {
            logger,
            scope,
            delivery: Delivery::new(batch, processors.lanes.len()),
            processors,
        }
    }

    /// Records `event` with the ids of the current span, and sends it on.
    pub(crate) fn emit<E: TelemetryEvent + ?Sized>(&self, event: &E) {
        let mut record = EVENTS.take();
        let capture = Context::map_current(|cx| {
            // The SDK's own work (an export) emits nothing, so that it never feeds itself.
            if cx.is_telemetry_suppressed() {
                return Err(());
            }
            let span = cx.span();
            let span_context = span.span_context();
            if span_context.is_valid() {
                record.trace = Some((
                    span_context.trace_id(),
                    span_context.span_id(),
                    span_context.trace_flags(),
                ));
            }
            Ok(crate::testing::capture_target(cx))
        });
        let Ok(capture) = capture else {
            record.clear();
            EVENTS.recycle(record);
            return;
        };
        record.site = Some(event.__site());
        record.timestamp = Some(crate::clock::wall_now());
        record.body = event.__body();
        let attributes = &mut record.attributes;
        let mut add = |key: Key, value: AnyValue| attributes.push((key, value));
        event.__attributes(&mut EventAttributes {
            add: &mut add,
            prefix: String::new(),
        });
        self.finish(record, capture);
    }

    fn finish(&self, mut record: Box<EventRecord>, capture: Option<CaptureTarget>) {
        if let Some(capture) = capture {
            capture.log(&self.sdk_record(&mut (*record).clone()));
        }
        for processor in &self.processors.immediate {
            processor.emit(&mut self.sdk_record(&mut (*record).clone()), &self.scope);
        }
        if self.delivery.open() {
            EVENTS.push(record, self.delivery.max_buffered);
        } else {
            record.clear();
            EVENTS.recycle(record);
        }
    }

    /// The SDK's form of an event; the record's attributes are moved out, its vector kept.
    fn sdk_record(&self, record: &mut EventRecord) -> SdkLogRecord {
        let mut sdk = self.logger.create_log_record();
        if let Some(site) = record.site {
            sdk.set_event_name(site.name);
            sdk.set_severity_number(site.severity);
            sdk.set_severity_text(site.severity.name());
        }
        let timestamp = record.timestamp.unwrap_or(UNIX_EPOCH);
        sdk.set_timestamp(timestamp);
        sdk.set_observed_timestamp(timestamp);
        if let Some((trace_id, span_id, flags)) = record.trace {
            sdk.set_trace_context(trace_id, span_id, Some(flags));
        }
        if let Some(body) = record.body.take() {
            sdk.set_body(body);
        }
        sdk.add_attributes(record.attributes.drain(..));
        sdk
    }

    /// Takes every thread's buffered events and hands them to the batch processors.
    pub(crate) fn collect(&self) {
        self.delivery.collect(
            &EVENTS,
            |lane, record| {
                self.processors.lanes[lane].emit(&mut self.sdk_record(record), &self.scope)
            },
            || self.processors.flush_lanes(),
        );
    }
}

/// The pipeline's [`SiteLogs`] as a processor of the SDK's logger provider: records other code
/// emits through the SDK's logger go to the same processors, and flushing or shutting the
/// provider down collects the threads' buffers first.
pub(crate) struct Registered(pub(crate) Arc<SiteLogs>);

impl fmt::Debug for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl LogProcessor for Registered {
    fn emit(&self, record: &mut SdkLogRecord, scope: &InstrumentationScope) {
        for processor in &self.0.processors.immediate {
            processor.emit(record, scope);
        }
        if let Some(lane) = self.0.processors.lanes.first() {
            lane.emit(record, scope);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.collect();
        self.0.processors.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.collect();
        self.0
            .delivery
            .shut(&EVENTS, || self.0.processors.shutdown(timeout))
    }

    /// The exporters were given the resource when the pipeline was built.
    fn set_resource(&mut self, _resource: &Resource) {}
}
