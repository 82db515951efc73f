//! Exporters given in code ([`Builder::span_exporter`], [`Builder::log_exporter`]): they take
//! the place of the OTLP transport, behind the same batch processors.
//!
//! The SDK's exporter traits return `impl Future`, so they cannot be boxed as they are; the
//! erased forms here box the future of each exported *batch* (never anything per span or per
//! record), which lets a [`Builder`] that is not generic hold any exporter.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use opentelemetry::logs::Severity;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogBatch, LogExporter};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use crate::config::{ExporterKind, Signal};
use crate::Builder;

type ExportFuture<'a> = Pin<Box<dyn Future<Output = OTelSdkResult> + Send + 'a>>;

impl Builder {
    /// Exports spans with `exporter` instead of over OTLP, through the same batch span
    /// processor (`OTEL_BSP_*` settings apply): for a transport or vendor exporter signalry
    /// does not ship, or for an exporter that discards everything when measuring overhead.
    ///
    /// Sets the traces exporter to `otlp`; a later [`Builder::exporters`] call for
    /// [`Signal::Traces`] decides again, and `exporter` is used wherever `otlp` is listed.
    ///
    /// ```no_run
    /// use signalry::otel_sdk::error::OTelSdkResult;
    /// use signalry::otel_sdk::trace::{SpanData, SpanExporter};
    ///
    /// #[derive(Debug)]
    /// struct Discard;
    ///
    /// impl SpanExporter for Discard {
    ///     async fn export(&self, _batch: Vec<SpanData>) -> OTelSdkResult {
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let _telemetry = signalry::builder().span_exporter(Discard).init();
    /// ```
    pub fn span_exporter(mut self, exporter: impl SpanExporter + 'static) -> Self {
        self.custom.spans = Some(BoxedSpanExporter::new(exporter));
        self.exporters(Signal::Traces, &[ExporterKind::Otlp])
    }

    /// Exports log records and events with `exporter` instead of over OTLP, through the same
    /// batch log processor (`OTEL_BLRP_*` settings apply). Sets the logs exporter to `otlp`,
    /// as [`Builder::span_exporter`] does for traces.
    ///
    /// ```no_run
    /// use signalry::otel_sdk::error::OTelSdkResult;
    /// use signalry::otel_sdk::logs::{LogBatch, LogExporter};
    ///
    /// #[derive(Debug)]
    /// struct Discard;
    ///
    /// impl LogExporter for Discard {
    ///     async fn export(&self, _batch: LogBatch<'_>) -> OTelSdkResult {
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let _telemetry = signalry::builder().log_exporter(Discard).init();
    /// ```
    pub fn log_exporter(mut self, exporter: impl LogExporter + 'static) -> Self {
        self.custom.logs = Some(BoxedLogExporter::new(exporter));
        self.exporters(Signal::Logs, &[ExporterKind::Otlp])
    }
}

/// The exporters given in code, per signal.
#[derive(Debug, Default)]
pub(crate) struct CustomExporters {
    pub(crate) spans: Option<BoxedSpanExporter>,
    pub(crate) logs: Option<BoxedLogExporter>,
}

/// [`SpanExporter`] without its `impl Future`, so that it can be boxed.
trait ErasedSpanExporter: Send + Sync + fmt::Debug {
    fn export(&self, batch: Vec<SpanData>) -> ExportFuture<'_>;
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult;
    fn force_flush(&self) -> OTelSdkResult;
    fn set_resource(&mut self, resource: &Resource);
}

impl<T: SpanExporter> ErasedSpanExporter for T {
    fn export(&self, batch: Vec<SpanData>) -> ExportFuture<'_> {
        Box::pin(SpanExporter::export(self, batch))
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        SpanExporter::shutdown_with_timeout(self, timeout)
    }
    fn force_flush(&self) -> OTelSdkResult {
        SpanExporter::force_flush(self)
    }
    fn set_resource(&mut self, resource: &Resource) {
        SpanExporter::set_resource(self, resource);
    }
}

/// Any span exporter, boxed.
#[derive(Debug)]
pub(crate) struct BoxedSpanExporter(Box<dyn ErasedSpanExporter>);

impl BoxedSpanExporter {
    pub(crate) fn new(exporter: impl SpanExporter + 'static) -> Self {
        Self(Box::new(exporter))
    }
}

impl SpanExporter for BoxedSpanExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        self.0.export(batch)
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }
    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}

/// [`LogExporter`] without its `impl Future`, so that it can be boxed.
trait ErasedLogExporter: Send + Sync + fmt::Debug {
    fn export<'a>(&'a self, batch: LogBatch<'a>) -> ExportFuture<'a>;
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult;
    fn event_enabled(&self, level: Severity, target: &str, name: Option<&str>) -> bool;
    fn set_resource(&mut self, resource: &Resource);
}

impl<T: LogExporter> ErasedLogExporter for T {
    fn export<'a>(&'a self, batch: LogBatch<'a>) -> ExportFuture<'a> {
        Box::pin(LogExporter::export(self, batch))
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        LogExporter::shutdown_with_timeout(self, timeout)
    }
    fn event_enabled(&self, level: Severity, target: &str, name: Option<&str>) -> bool {
        LogExporter::event_enabled(self, level, target, name)
    }
    fn set_resource(&mut self, resource: &Resource) {
        LogExporter::set_resource(self, resource);
    }
}

/// Any log exporter, boxed.
#[derive(Debug)]
pub(crate) struct BoxedLogExporter(Box<dyn ErasedLogExporter>);

impl BoxedLogExporter {
    pub(crate) fn new(exporter: impl LogExporter + 'static) -> Self {
        Self(Box::new(exporter))
    }
}

impl LogExporter for BoxedLogExporter {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        self.0.export(batch).await
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
    fn event_enabled(&self, level: Severity, target: &str, name: Option<&str>) -> bool {
        self.0.event_enabled(level, target, name)
    }
    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}
