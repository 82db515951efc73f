//! Metrics: the meter provider's pipeline, and per-call-site instrument handles.
//!
//! A recording site is a `static` [`MetricSite`] holding the instrument's name, unit and
//! description. On first use under a pipeline it creates its OpenTelemetry instrument and keeps
//! it in a `OnceLock`, tagged with the pipeline's generation: later calls find it with two
//! atomic loads, no name lookup and no lock. A later `init` (tests re-initialise) bumps the
//! generation, and the site then keeps an instrument of the new pipeline behind a mutex
//! instead of writing to a dead provider: correct, and only slower in programs that
//! initialise more than once.

pub(crate) mod console;
pub(crate) mod observable;
pub(crate) mod prometheus;
pub(crate) mod shapes;
pub(crate) mod sums;

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use opentelemetry::metrics::{Counter, Gauge, Histogram, Meter, UpDownCounter};
use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::Resource;

use crate::config::ExporterKind;
use crate::console::ConsoleOutput;
use crate::pipeline::Exporters;
use crate::state;

pub use self::sums::{SumKind, SumSite};

/// An instrument kind a [`MetricSite`] can hold.
pub trait InstrumentKind: 'static {
    /// The value recorded.
    type Value: Copy + Into<crate::testing::MetricValue>;
    /// The OpenTelemetry instrument.
    type Instrument: Send + Sync + Clone;
    /// The kind's name, as shown in captures: `counter`, `updown`, `histogram`, `gauge`.
    const NAME: &'static str;
    /// Creates the instrument.
    fn build(meter: &Meter, site: &MetricSite<Self>) -> Self::Instrument
    where
        Self: Sized;
    /// Records one measurement.
    fn record(instrument: &Self::Instrument, value: Self::Value, attributes: &[KeyValue]);
}

/// A monotonic sum of `u64`.
#[derive(Debug)]
pub enum CounterKind {}
/// A sum of `i64` that goes up and down.
#[derive(Debug)]
pub enum UpDownKind {}
/// A distribution of `f64`.
#[derive(Debug)]
pub enum HistogramKind {}
/// The last value of an `f64`.
#[derive(Debug)]
pub enum GaugeKind {}

macro_rules! instrument_kind {
    ($kind:ty, $name:literal, $value:ty, $instrument:ty, $builder:ident, $record:ident) => {
        instrument_kind!(
            $kind,
            $name,
            $value,
            $instrument,
            $builder,
            $record,
            |b, _u| b
        );
    };
    ($kind:ty, $name:literal, $value:ty, $instrument:ty, $builder:ident, $record:ident,
     |$b:ident, $u:ident| $customise:expr) => {
        impl InstrumentKind for $kind {
            type Value = $value;
            type Instrument = $instrument;
            const NAME: &'static str = $name;
            fn build(meter: &Meter, site: &MetricSite<Self>) -> Self::Instrument {
                let mut builder = meter.$builder(site.name);
                if !site.unit.is_empty() {
                    builder = builder.with_unit(site.unit);
                }
                if !site.description.is_empty() {
                    builder = builder.with_description(site.description);
                }
                let $b = builder;
                let $u = site.unit;
                $customise.build()
            }
            fn record(instrument: &Self::Instrument, value: $value, attributes: &[KeyValue]) {
                instrument.$record(value, attributes);
            }
        }
    };
}

instrument_kind!(CounterKind, "counter", u64, Counter<u64>, u64_counter, add);
instrument_kind!(
    UpDownKind,
    "updown",
    i64,
    UpDownCounter<i64>,
    i64_up_down_counter,
    add
);
instrument_kind!(
    HistogramKind,
    "histogram",
    f64,
    Histogram<f64>,
    f64_histogram,
    record,
    |builder, unit| match duration_boundaries(unit) {
        Some(boundaries) => builder.with_boundaries(boundaries),
        None => builder,
    }
);
instrument_kind!(GaugeKind, "gauge", f64, Gauge<f64>, f64_gauge, record);

/// Bucket boundaries for durations, from the HTTP semantic conventions (5 ms to 10 s): the
/// SDK's defaults (0 to 10 000) suit milliseconds-as-integers, not seconds.
fn duration_boundaries(unit: &str) -> Option<Vec<f64>> {
    const SECONDS: [f64; 14] = [
        0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    ];
    match unit {
        "s" => Some(SECONDS.to_vec()),
        "ms" => Some(SECONDS.iter().map(|b| b * 1_000.0).collect()),
        _ => None,
    }
}

/// One recording site: a `static` in the code that records.
pub struct MetricSite<K: InstrumentKind> {
    /// Instrument name (checked at compile time by the macros).
    pub name: &'static str,
    /// Unit (UCUM), or empty.
    pub unit: &'static str,
    /// Description, or empty.
    pub description: &'static str,
    /// The attribute keys written at the call site.
    keys: &'static [&'static str],
    /// `module_path!()` of the call site.
    module: &'static str,
    first: OnceLock<(u64, K::Instrument)>,
    reinitialised: Mutex<Option<(u64, K::Instrument)>>,
    /// The literal attributes of a measured function, built once.
    fixed_attributes: OnceLock<Box<[KeyValue]>>,
    kind: PhantomData<K>,
}

impl<K: InstrumentKind> fmt::Debug for MetricSite<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricSite")
            .field("kind", &K::NAME)
            .field("name", &self.name)
            .field("unit", &self.unit)
            .finish_non_exhaustive()
    }
}

impl<K: InstrumentKind> MetricSite<K> {
    /// A site for a `static`.
    pub const fn new(
        name: &'static str,
        unit: &'static str,
        description: &'static str,
        keys: &'static [&'static str],
        module: &'static str,
    ) -> Self {
        Self {
            name,
            unit,
            description,
            keys,
            module,
            first: OnceLock::new(),
            reinitialised: Mutex::new(None),
            fixed_attributes: OnceLock::new(),
            kind: PhantomData,
        }
    }

    /// The literal attributes, built once.
    fn fixed_attributes(&self, attributes: impl FnOnce() -> Vec<KeyValue>) -> &[KeyValue] {
        self.fixed_attributes
            .get_or_init(|| attributes().into_boxed_slice())
    }

    /// Records `value` with `attributes`.
    #[inline]
    pub fn record(&self, value: K::Value, attributes: &[KeyValue]) {
        if !state::enabled() {
            return;
        }
        self.record_enabled(value, attributes);
    }

    fn record_enabled(&self, value: K::Value, attributes: &[KeyValue]) {
        crate::testing::capture_measurement(
            K::NAME,
            self.name,
            self.unit,
            value.into(),
            attributes,
        );
        let generation = state::generation();
        let first = match self.first.get() {
            Some(first) => first,
            None => {
                let Some(pipeline) = state::current() else {
                    return;
                };
                let built = K::build(&pipeline.meter, self);
                self.first.get_or_init(|| {
                    shapes::declare(shapes::Shape {
                        name: self.name,
                        kind: K::NAME,
                        unit: self.unit,
                        keys: self.keys,
                        module: self.module,
                    });
                    (generation, built)
                })
            }
        };
        if first.0 == generation {
            K::record(&first.1, value, attributes);
            return;
        }
        self.record_after_reinit(generation, value, attributes);
    }

    #[cold]
    fn record_after_reinit(&self, generation: u64, value: K::Value, attributes: &[KeyValue]) {
        let mut slot = self
            .reinitialised
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_none_or(|(g, _)| *g != generation) {
            let Some(pipeline) = state::current() else {
                return;
            };
            *slot = Some((generation, K::build(&pipeline.meter, self)));
        }
        if let Some((_, instrument)) = slot.as_ref() {
            K::record(instrument, value, attributes);
        }
    }
}

/// Builds the meter provider for the chosen exporters.
pub(crate) fn provider(
    kinds: &[ExporterKind],
    exporters: &mut Exporters<'_>,
    interval: std::time::Duration,
    resource: Resource,
    console: &Arc<ConsoleOutput>,
) -> SdkMeterProvider {
    let mut builder = SdkMeterProvider::builder().with_resource(resource);
    for kind in kinds {
        match kind {
            ExporterKind::Console => {
                let exporter = console::ConsoleMetricExporter::new(Arc::clone(console));
                builder = builder.with_reader(
                    PeriodicReader::builder(exporter)
                        .with_interval(interval)
                        .build(),
                );
            }
            ExporterKind::Otlp => {
                if let Some(exporter) = exporters.otlp_metrics() {
                    builder = builder.with_reader(
                        PeriodicReader::builder(exporter)
                            .with_interval(interval)
                            .build(),
                    );
                }
            }
            ExporterKind::Prometheus => {
                if let Some(reader) = exporters.prometheus_reader() {
                    builder = builder.with_reader(reader);
                }
            }
        }
    }
    builder.build()
}

/// A site that `#[metric(...)]` measures each call of a function at.
pub trait CallSite: Sync + 'static {
    /// What one call keeps from its start to its end.
    type Started;

    /// A call starts. `fixed` says the attributes are literals: the site builds them once.
    fn start(
        &'static self,
        fixed: bool,
        attributes: impl FnOnce() -> Vec<KeyValue>,
    ) -> Self::Started;

    /// The call ended; `error_type` is set when it failed.
    fn end(&'static self, started: Self::Started, error_type: Option<&'static str>);
}

/// `#[metric(counter)]`: one per call, with `error.type` when the call failed.
impl CallSite for SumSite<CounterKind> {
    /// The attributes, when built per call.
    type Started = Option<Vec<KeyValue>>;

    #[inline]
    fn start(
        &'static self,
        fixed: bool,
        attributes: impl FnOnce() -> Vec<KeyValue>,
    ) -> Self::Started {
        if fixed {
            self.fixed_attributes(attributes);
            None
        } else {
            Some(attributes())
        }
    }

    #[inline]
    fn end(&'static self, started: Self::Started, error_type: Option<&'static str>) {
        match (started, error_type) {
            (None, None) => self.add_prepared(1),
            (Some(attributes), None) => self.add(1, &attributes),
            (attributes, Some(error_type)) => {
                let attributes =
                    attributes.unwrap_or_else(|| self.fixed_attributes(Vec::new).to_vec());
                self.add(1, &with_error_type(attributes, Some(error_type)));
            }
        }
    }
}

/// `#[metric(updown)]`: +1 when a call starts, -1 when it ends, on the same attributes so the
/// two always cancel out.
impl CallSite for SumSite<UpDownKind> {
    /// The attributes, when built per call.
    type Started = Option<Vec<KeyValue>>;

    #[inline]
    fn start(
        &'static self,
        fixed: bool,
        attributes: impl FnOnce() -> Vec<KeyValue>,
    ) -> Self::Started {
        if fixed {
            self.add_fixed(1, attributes);
            None
        } else {
            let attributes = attributes();
            self.add(1, &attributes);
            Some(attributes)
        }
    }

    #[inline]
    fn end(&'static self, started: Self::Started, _error_type: Option<&'static str>) {
        match started {
            None => self.add_prepared(-1),
            Some(attributes) => self.add(-1, &attributes),
        }
    }
}

/// `#[metric(histogram)]`: the call's duration in the site's unit (`s`, or `ms`), with
/// `error.type` when the call failed.
impl CallSite for MetricSite<HistogramKind> {
    /// The attributes when built per call, and when the call started.
    type Started = (Option<Vec<KeyValue>>, Instant);

    #[inline]
    fn start(
        &'static self,
        fixed: bool,
        attributes: impl FnOnce() -> Vec<KeyValue>,
    ) -> Self::Started {
        let attributes = if fixed {
            self.fixed_attributes(attributes);
            None
        } else {
            Some(attributes())
        };
        (attributes, Instant::now())
    }

    fn end(&'static self, (attributes, started): Self::Started, error_type: Option<&'static str>) {
        let elapsed = started.elapsed();
        let value = if self.unit == "ms" {
            elapsed.as_secs_f64() * 1_000.0
        } else {
            elapsed.as_secs_f64()
        };
        match (attributes, error_type) {
            (None, None) => self.record(value, self.fixed_attributes(Vec::new)),
            (attributes, error_type) => {
                let attributes =
                    attributes.unwrap_or_else(|| self.fixed_attributes(Vec::new).to_vec());
                self.record(value, &with_error_type(attributes, error_type));
            }
        }
    }
}

fn with_error_type(
    mut attributes: Vec<KeyValue>,
    error_type: Option<&'static str>,
) -> Vec<KeyValue> {
    if let Some(error_type) = error_type {
        attributes.push(KeyValue::new("error.type", error_type));
    }
    attributes
}

/// One call of a `#[metric(...)]` function; records when dropped, so that `return`, `?`, a
/// panic (`error.type = "panic"`) and a cancelled future all end the measurement. Inert when
/// telemetry is off.
#[must_use = "the call is measured when this is dropped"]
pub struct MeasuredCall<S: CallSite> {
    site: &'static S,
    started: Option<S::Started>,
    error_type: Cell<Option<&'static str>>,
}

impl<S: CallSite + fmt::Debug> fmt::Debug for MeasuredCall<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeasuredCall")
            .field("site", &self.site)
            .field("recording", &self.started.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: CallSite> MeasuredCall<S> {
    /// Starts measuring a call; `attributes` runs only when telemetry is on, and for literal
    /// attributes (`fixed`) only once per site.
    #[inline]
    pub fn start(
        site: &'static S,
        fixed: bool,
        attributes: impl FnOnce() -> Vec<KeyValue>,
    ) -> Self {
        Self {
            site,
            started: state::enabled().then(|| site.start(fixed, attributes)),
            error_type: Cell::new(None),
        }
    }

    /// Marks the call failed when `result` is an `Err`: `error.type` is the error's type name.
    #[inline]
    pub fn record_result<R: crate::traces::TracedResult + ?Sized>(&self, result: &R) {
        if self.started.is_some() && result.traced_error().is_some() {
            self.error_type.set(Some(std::any::type_name::<R::Error>()));
        }
    }
}

impl<S: CallSite> Drop for MeasuredCall<S> {
    #[inline]
    fn drop(&mut self) {
        if let Some(started) = self.started.take() {
            let error_type = if std::thread::panicking() {
                Some("panic")
            } else {
                self.error_type.get()
            };
            self.site.end(started, error_type);
        }
    }
}
