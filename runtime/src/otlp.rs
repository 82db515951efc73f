//! OTLP exporters for the three signals, and the small Tokio runtime they run on.
//!
//! The SDK's batch processors and periodic reader export from threads of their own, outside any
//! async runtime, but tonic (gRPC) and the async HTTP client need a Tokio reactor and timer. So
//! signalry owns one Tokio runtime with a single worker thread (`signalry-export`), builds the
//! exporters inside it and polls every export future with that runtime entered ([`InRuntime`]).
//! The application's own runtime, if it has one, is never used: telemetry neither depends on it
//! nor competes with it, and a program without Tokio exports the same way.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use opentelemetry_otlp::{WithExportConfig, WithHttpConfig, WithTonicConfig};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::logs::{LogBatch, LogExporter};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;
use tokio::runtime::{Handle, Runtime};

use crate::config::{Compression, OtlpConfig, Protocol};
use crate::custom_export::{BoxedLogExporter, BoxedSpanExporter};

/// The Tokio runtime every OTLP exporter runs on.
pub(crate) struct ExportRuntime {
    runtime: Option<Runtime>,
}

impl fmt::Debug for ExportRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExportRuntime")
    }
}

impl ExportRuntime {
    pub(crate) fn start() -> Result<Self, String> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("signalry-export")
            .enable_all()
            .build()
            .map(|runtime| Self {
                runtime: Some(runtime),
            })
            .map_err(|e| format!("cannot start the export runtime: {e}"))
    }

    fn handle(&self) -> Option<Handle> {
        self.runtime.as_ref().map(|r| r.handle().clone())
    }
}

impl Drop for ExportRuntime {
    fn drop(&mut self) {
        // The guard may be dropped inside the application's async code, where blocking on a
        // runtime's shutdown is not allowed; by now every provider has been shut down.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Polls a future with the export runtime entered, so that tonic and hyper find their reactor.
struct InRuntime<'a> {
    handle: Handle,
    future: Pin<Box<dyn Future<Output = OTelSdkResult> + Send + 'a>>,
}

impl Future for InRuntime<'_> {
    type Output = OTelSdkResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<OTelSdkResult> {
        let this = &mut *self;
        let _entered = this.handle.enter();
        this.future.as_mut().poll(cx)
    }
}

/// An OTLP exporter of any signal, driven by the export runtime.
pub(crate) struct OnRuntime<E> {
    inner: E,
    handle: Handle,
    /// `OTEL_BSP_EXPORT_TIMEOUT`, `OTEL_BLRP_EXPORT_TIMEOUT` or `OTEL_METRIC_EXPORT_TIMEOUT`:
    /// the SDK's thread-based processors do not enforce it, so every export is bounded here.
    export_timeout: Duration,
}

impl<E> fmt::Debug for OnRuntime<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtlpExporter")
    }
}

impl<E> OnRuntime<E> {
    /// Runs `export` on the export runtime, giving up after the export timeout.
    fn run<'a>(&self, export: impl Future<Output = OTelSdkResult> + Send + 'a) -> InRuntime<'a> {
        let limit = self.export_timeout;
        InRuntime {
            handle: self.handle.clone(),
            // Async, so that the timer is created on first poll, inside the runtime.
            future: Box::pin(async move {
                tokio::time::timeout(limit, export)
                    .await
                    .unwrap_or(Err(OTelSdkError::Timeout(limit)))
            }),
        }
    }

    fn entered<T>(&self, f: impl FnOnce(&E) -> T) -> T {
        let _entered = self.handle.enter();
        f(&self.inner)
    }
}

impl<E: SpanExporter> SpanExporter for OnRuntime<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.run(self.inner.export(batch)).await
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.entered(|e| e.shutdown_with_timeout(timeout))
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.entered(SpanExporter::force_flush)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

impl<E: LogExporter> LogExporter for OnRuntime<E> {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        self.run(self.inner.export(batch)).await
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.entered(|e| e.shutdown_with_timeout(timeout))
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

impl PushMetricExporter for OnRuntime<opentelemetry_otlp::MetricExporter> {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        self.run(self.inner.export(metrics)).await
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.entered(PushMetricExporter::force_flush)
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.entered(|e| e.shutdown_with_timeout(timeout))
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
}

/// Applies one signal's [`OtlpConfig`] to an OTLP exporter builder of either transport.
macro_rules! build_exporter {
    ($builder:expr, $config:expr) => {{
        let config: &OtlpConfig = $config;
        let builder = $builder;
        match config.protocol {
            Protocol::Grpc => {
                let mut tonic = builder
                    .with_tonic()
                    .with_endpoint(config.endpoint.clone())
                    .with_timeout(config.timeout)
                    .with_metadata(metadata(&config.headers));
                if let Some(channel) = crate::grpc::channel(&config.endpoint, config.timeout) {
                    tonic = tonic.with_channel(channel);
                }
                if config.compression == Compression::Gzip {
                    tonic = tonic.with_compression(opentelemetry_otlp::Compression::Gzip);
                }
                tonic.build()
            }
            Protocol::HttpProtobuf | Protocol::HttpJson => {
                let protocol = if config.protocol == Protocol::HttpJson {
                    opentelemetry_otlp::Protocol::HttpJson
                } else {
                    opentelemetry_otlp::Protocol::HttpBinary
                };
                let mut http = builder
                    .with_http()
                    .with_protocol(protocol)
                    .with_endpoint(config.endpoint.clone())
                    .with_timeout(config.timeout)
                    .with_headers(config.headers.iter().cloned().collect::<HashMap<_, _>>());
                if config.compression == Compression::Gzip {
                    http = http.with_compression(opentelemetry_otlp::Compression::Gzip);
                }
                http.build()
            }
        }
        .map_err(|e| {
            format!(
                "cannot build the OTLP exporter for {}: {e}",
                config.endpoint
            )
        })
    }};
}

/// Header pairs as gRPC metadata.
fn metadata(
    headers: &[(String, String)],
) -> opentelemetry_otlp::tonic_types::metadata::MetadataMap {
    opentelemetry_otlp::tonic_types::metadata::MetadataMap::from_headers(header_map(headers))
}

/// Header pairs as HTTP headers; pairs that are not valid headers were already reported by
/// the configuration reader, so they are skipped here.
fn header_map(headers: &[(String, String)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    map
}

impl ExportRuntime {
    /// An exporter made by `build` inside the runtime (tonic and hyper look for its reactor
    /// when they are built), to be driven by it.
    fn on_runtime<E>(
        &self,
        export_timeout: Duration,
        build: impl FnOnce() -> Result<E, String>,
    ) -> Result<OnRuntime<E>, String> {
        let handle = self.handle().ok_or("the export runtime has stopped")?;
        let _entered = handle.enter();
        Ok(OnRuntime {
            inner: build()?,
            handle: handle.clone(),
            export_timeout,
        })
    }

    /// signalry's own exporter where it sends spans itself (`otlp_export`), else the SDK's.
    pub(crate) fn span_exporter(
        &self,
        config: &OtlpConfig,
        export_timeout: Duration,
    ) -> Result<OnRuntime<BoxedSpanExporter>, String> {
        self.on_runtime(
            export_timeout,
            || match crate::otlp_export::SpanExporter::new(config, header_map(&config.headers)) {
                Some(exporter) => Ok(BoxedSpanExporter::new(exporter)),
                None => build_exporter!(opentelemetry_otlp::SpanExporter::builder(), config)
                    .map(BoxedSpanExporter::new),
            },
        )
    }

    /// The same for log records.
    pub(crate) fn log_exporter(
        &self,
        config: &OtlpConfig,
        export_timeout: Duration,
    ) -> Result<OnRuntime<BoxedLogExporter>, String> {
        self.on_runtime(
            export_timeout,
            || match crate::otlp_export::LogExporter::new(config, header_map(&config.headers)) {
                Some(exporter) => Ok(BoxedLogExporter::new(exporter)),
                None => build_exporter!(opentelemetry_otlp::LogExporter::builder(), config)
                    .map(BoxedLogExporter::new),
            },
        )
    }

    pub(crate) fn metric_exporter(
        &self,
        config: &OtlpConfig,
        export_timeout: Duration,
    ) -> Result<OnRuntime<opentelemetry_otlp::MetricExporter>, String> {
        self.on_runtime(export_timeout, || {
            build_exporter!(opentelemetry_otlp::MetricExporter::builder(), config)
        })
    }
}
