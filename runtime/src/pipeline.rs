//! One installed telemetry pipeline: the three providers, their exporters, and shutdown.

use std::any::Any;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use opentelemetry::metrics::{Meter, MeterProvider as _};
use opentelemetry::InstrumentationScope;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;

use crate::config::{EnvConfig, ExporterKind, Signal};
use crate::console::ConsoleOutput;
use crate::custom_export::{BoxedLogExporter, BoxedSpanExporter, CustomExporters};

/// The providers every call site records through.
#[derive(Debug)]
pub(crate) struct Pipeline {
    /// Where `#[traced]` spans go.
    pub(crate) site_spans: Arc<crate::traces::site::SiteSpans>,
    /// Where events go.
    pub(crate) site_logs: Arc<crate::logs::site::SiteLogs>,
    pub(crate) meter: Meter,
    tracer_provider: SdkTracerProvider,
    meter_provider: SdkMeterProvider,
    logger_provider: SdkLoggerProvider,
    /// The `/metrics` endpoint when metrics go to Prometheus; stopped first on shutdown.
    prometheus: Option<crate::metrics::prometheus::PrometheusEndpoint>,
    /// The observable instruments registered on `meter`, kept for the pipeline's life.
    observables: Mutex<Vec<Box<dyn Any + Send + Sync>>>,
    /// Stopped by [`Pipeline::shutdown`] once the providers' final exports are done (or given
    /// up), not when the pipeline is dropped: a pipeline that was installed is kept for the
    /// process's life (see `state`), its threads are not.
    #[cfg(feature = "otlp")]
    export_runtime: Mutex<Option<crate::otlp::ExportRuntime>>,
}

/// Everything a pipeline is built from: the resolved configuration plus what only code can say.
pub(crate) struct Settings {
    pub(crate) config: EnvConfig,
    pub(crate) resource: opentelemetry_sdk::Resource,
    pub(crate) console: Arc<ConsoleOutput>,
    /// Exporters given in code, which take the place of the OTLP transport.
    pub(crate) custom: CustomExporters,
}

/// The instrumentation scope of everything signalry records.
pub(crate) fn scope() -> InstrumentationScope {
    InstrumentationScope::builder("signalry")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}

/// Builds OTLP exporters on demand, starting the export runtime the first time one is needed,
/// and collects what went wrong as warnings.
pub(crate) struct Exporters<'a> {
    config: &'a EnvConfig,
    warnings: Vec<String>,
    prometheus: Option<crate::metrics::prometheus::PrometheusEndpoint>,
    custom: CustomExporters,
    #[cfg(feature = "otlp")]
    runtime: Option<crate::otlp::ExportRuntime>,
}

impl Exporters<'_> {
    /// Starts the Prometheus endpoint (once) and returns the reader to register on the meter
    /// provider; the endpoint is kept here until the pipeline takes it.
    pub(crate) fn prometheus_reader(
        &mut self,
    ) -> Option<crate::metrics::prometheus::PrometheusReader> {
        if self.prometheus.is_some() {
            return None;
        }
        let started = crate::metrics::prometheus::start(
            &self.config.prometheus_host,
            self.config.prometheus_port,
        );
        match started {
            Ok((endpoint, reader)) => {
                self.prometheus = Some(endpoint);
                Some(reader)
            }
            Err(e) => {
                self.warnings.push(e);
                None
            }
        }
    }

    #[cfg(feature = "otlp")]
    fn runtime(&mut self) -> Option<&crate::otlp::ExportRuntime> {
        if self.runtime.is_none() {
            match crate::otlp::ExportRuntime::start() {
                Ok(runtime) => self.runtime = Some(runtime),
                Err(e) => self.warnings.push(e),
            }
        }
        self.runtime.as_ref()
    }
}

impl Exporters<'_> {
    /// Span exporters for `lanes` exports in flight: the one given in code alone, else one
    /// OTLP transport (a connection) per lane.
    pub(crate) fn otlp_span_lanes(&mut self, lanes: usize) -> Vec<BoxedSpanExporter> {
        if let Some(custom) = self.custom.spans.take() {
            return vec![custom];
        }
        (0..lanes.max(1))
            .map_while(|_| self.otlp_transport_spans().map(BoxedSpanExporter::new))
            .collect()
    }

    /// Log exporters for `lanes` exports in flight, as [`Self::otlp_span_lanes`].
    pub(crate) fn otlp_log_lanes(&mut self, lanes: usize) -> Vec<BoxedLogExporter> {
        if let Some(custom) = self.custom.logs.take() {
            return vec![custom];
        }
        (0..lanes.max(1))
            .map_while(|_| self.otlp_transport_logs().map(BoxedLogExporter::new))
            .collect()
    }
}

#[cfg(feature = "otlp")]
macro_rules! otlp_exporter {
    ($self:ident, $config:ident, $timeout:expr, $build:ident) => {{
        let config = $self.config.$config.clone();
        let timeout = $timeout;
        let built = $self.runtime()?.$build(&config, timeout);
        built.map_err(|e| $self.warnings.push(e)).ok()
    }};
}

#[cfg(feature = "otlp")]
impl Exporters<'_> {
    fn otlp_transport_spans(
        &mut self,
    ) -> Option<impl opentelemetry_sdk::trace::SpanExporter + 'static> {
        otlp_exporter!(
            self,
            otlp_traces,
            self.config.span_batch.export_timeout,
            span_exporter
        )
    }

    pub(crate) fn otlp_metrics(
        &mut self,
    ) -> Option<impl opentelemetry_sdk::metrics::exporter::PushMetricExporter> {
        otlp_exporter!(
            self,
            otlp_metrics,
            self.config.metric_export_timeout,
            metric_exporter
        )
    }

    fn otlp_transport_logs(
        &mut self,
    ) -> Option<impl opentelemetry_sdk::logs::LogExporter + 'static> {
        otlp_exporter!(
            self,
            otlp_logs,
            self.config.log_batch.export_timeout,
            log_exporter
        )
    }
}

#[cfg(not(feature = "otlp"))]
impl Exporters<'_> {
    fn without_otlp(&mut self) {
        let message =
            "otlp: signalry was built without its `otlp` feature; nothing is exported over OTLP";
        if !self.warnings.iter().any(|w| w == message) {
            self.warnings.push(message.to_owned());
        }
    }

    fn otlp_transport_spans(&mut self) -> Option<crate::traces::console::ConsoleSpanExporter> {
        self.without_otlp();
        None
    }

    pub(crate) fn otlp_metrics(
        &mut self,
    ) -> Option<crate::metrics::console::ConsoleMetricExporter> {
        self.without_otlp();
        None
    }

    fn otlp_transport_logs(&mut self) -> Option<crate::logs::console::ConsoleLogExporter> {
        self.without_otlp();
        None
    }
}

/// The exporters of one signal: the variable if set, else OTLP when an OTLP endpoint is
/// configured, else the console, so that a newcomer sees telemetry without a collector.
pub(crate) fn exporters_for(config: &EnvConfig, signal: Signal) -> Vec<ExporterKind> {
    let chosen = match signal {
        Signal::Traces => &config.traces_exporter,
        Signal::Metrics => &config.metrics_exporter,
        Signal::Logs => &config.logs_exporter,
    };
    match chosen {
        Some(kinds) => kinds.clone(),
        None if config.otlp_endpoint_set => vec![ExporterKind::Otlp],
        None => vec![ExporterKind::Console],
    }
}

impl Pipeline {
    /// Builds a pipeline; the strings are warnings for the user (one line each).
    pub(crate) fn build(settings: Settings) -> (Self, Vec<String>) {
        // The clock calibrates on first use: here, not in an instrumented call.
        crate::clock::anchor();
        let Settings {
            config,
            resource,
            console,
            custom,
        } = settings;
        let mut exporters = Exporters {
            config: &config,
            warnings: Vec::new(),
            prometheus: None,
            custom,
            #[cfg(feature = "otlp")]
            runtime: None,
        };
        let (tracer_provider, site_spans) = crate::traces::provider(
            &exporters_for(&config, Signal::Traces),
            &mut exporters,
            config.sampler,
            config.span_batch,
            resource.clone(),
            &console,
        );
        let meter_provider = crate::metrics::provider(
            &exporters_for(&config, Signal::Metrics),
            &mut exporters,
            config.metric_export_interval,
            resource.clone(),
            &console,
        );
        let (logger_provider, site_logs) = crate::logs::provider(
            &exporters_for(&config, Signal::Logs),
            &mut exporters,
            config.log_batch,
            resource,
            &console,
        );
        let warnings = std::mem::take(&mut exporters.warnings);
        let prometheus = exporters.prometheus.take();
        #[cfg(feature = "otlp")]
        let export_runtime = exporters.runtime.take();
        let pipeline = Self::from_providers(
            tracer_provider,
            site_spans,
            site_logs,
            meter_provider,
            logger_provider,
            prometheus,
            #[cfg(feature = "otlp")]
            export_runtime,
        );
        (pipeline, warnings)
    }

    fn from_providers(
        tracer_provider: SdkTracerProvider,
        site_spans: Arc<crate::traces::site::SiteSpans>,
        site_logs: Arc<crate::logs::site::SiteLogs>,
        meter_provider: SdkMeterProvider,
        logger_provider: SdkLoggerProvider,
        prometheus: Option<crate::metrics::prometheus::PrometheusEndpoint>,
        #[cfg(feature = "otlp")] export_runtime: Option<crate::otlp::ExportRuntime>,
    ) -> Self {
        let scope = scope();
        let meter = meter_provider.meter_with_scope(scope.clone());
        Self {
            site_spans,
            site_logs,
            observables: Mutex::new(crate::metrics::observable::register_all(&meter)),
            meter,
            tracer_provider,
            meter_provider,
            logger_provider,
            prometheus,
            #[cfg(feature = "otlp")]
            export_runtime: Mutex::new(export_runtime),
        }
    }

    /// How often the collector thread empties the threads' buffers.
    pub(crate) fn collect_every(&self) -> std::time::Duration {
        self.site_spans
            .delivery
            .every
            .min(self.site_logs.delivery.every)
    }

    /// Hands what the threads buffered to the batch processors.
    pub(crate) fn collect(&self) {
        self.site_spans.collect();
        self.site_logs.collect();
    }

    /// Keeps an observable instrument registered after the pipeline was built.
    pub(crate) fn keep_observable(&self, instrument: Box<dyn Any + Send + Sync>) {
        self.observables
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(instrument);
    }

    /// Makes these providers the OpenTelemetry globals too, so that code using the
    /// `opentelemetry` API directly (or a bridge such as `tracing-opentelemetry`) lands in the
    /// same pipeline.
    pub(crate) fn set_globals(&self) {
        opentelemetry::global::set_tracer_provider(self.tracer_provider.clone());
        opentelemetry::global::set_meter_provider(self.meter_provider.clone());
    }

    /// Flushes and shuts down the three providers in parallel, giving up after `timeout` so
    /// that a slow or unreachable collector never holds the program's exit. Returns a line per
    /// signal that did not finish cleanly.
    pub(crate) fn shutdown(&self, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        let (done, results) = mpsc::channel::<(Signal, Result<(), String>)>();
        let mut pending = Vec::new();
        let mut problems = Vec::new();
        // No scrape should find the meter provider half shut down.
        if let Some(endpoint) = &self.prometheus {
            problems.extend(endpoint.shutdown(timeout).err());
        }
        let mut spawn = |signal: Signal, shutdown: Box<dyn FnOnce() -> OTelSdkResult + Send>| {
            let done = done.clone();
            let spawned = std::thread::Builder::new()
                .name("signalry-shutdown".into())
                .spawn(move || {
                    // After the deadline nobody listens any more; the result is not needed then.
                    let _ = done.send((signal, shutdown().map_err(|e| e.to_string())));
                });
            match spawned {
                Ok(_) => pending.push(signal),
                Err(e) => problems.push(format!("{signal:?}: cannot start shutdown: {e}")),
            }
        };
        let traces = self.tracer_provider.clone();
        spawn(
            Signal::Traces,
            Box::new(move || traces.shutdown_with_timeout(timeout)),
        );
        let metrics = self.meter_provider.clone();
        spawn(
            Signal::Metrics,
            Box::new(move || metrics.shutdown_with_timeout(timeout)),
        );
        let logs = self.logger_provider.clone();
        spawn(
            Signal::Logs,
            Box::new(move || logs.shutdown_with_timeout(timeout)),
        );
        drop(done);
        while !pending.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match results.recv_timeout(left) {
                Ok((signal, result)) => {
                    pending.retain(|s| *s != signal);
                    if let Err(e) = result {
                        problems.push(format!("{signal:?}: {e}"));
                    }
                }
                Err(_) => {
                    for signal in pending.drain(..) {
                        problems.push(format!(
                            "{signal:?}: not flushed within {timeout:?}; unsent data is dropped"
                        ));
                    }
                }
            }
        }
        #[cfg(feature = "otlp")]
        drop(
            self.export_runtime
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        problems
    }
}
