//! Metrics: the meter provider's pipeline, and per-call-site instrument handles.
//!
//! Each recording site is a `static`. Counters and up-down counters are [`SumSite`]s: signalry
//! keeps their sums in per-site cells and reports them at collection ([`sums`]). Histograms
//! are [`HistogramSite`]s: with literal attributes their values wait in per-site bucket cells
//! until a collection empties them into the OpenTelemetry histogram ([`histograms`]); with
//! computed attributes they go to it at once. Gauges, and those histograms, go through a
//! [`MetricSite`].
//!
//! A [`MetricSite`] holds the instrument's name, unit and description. On first use under a pipeline it creates its OpenTelemetry instrument and keeps
//! it in a `OnceLock`, tagged with the pipeline's generation: later calls find it with two
//! atomic loads, no name lookup and no lock. A later `init` (tests re-initialise) bumps the
//! generation, and the site then keeps an instrument of the new pipeline behind a mutex
//! instead of writing to a dead provider: correct, and only slower in programs that
//! initialise more than once.

pub(crate) mod console;
pub(crate) mod histograms;
pub(crate) mod observable;
pub(crate) mod prometheus;
pub(crate) mod shapes;
pub(crate) mod sums;

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use opentelemetry::metrics::{
    BoundCounter, BoundGauge, BoundHistogram, BoundUpDownCounter, Counter, Gauge, Histogram, Meter,
    UpDownCounter,
};
use opentelemetry::KeyValue;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::Resource;

use crate::config::ExporterKind;
use crate::console::ConsoleOutput;
use crate::pipeline::Exporters;
use crate::state;

pub use self::histograms::HistogramSite;
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
    /// The instrument bound to one attribute set: recording skips the attribute lookup.
    type Bound: Send + Sync;
    /// Binds `instrument` to `attributes`.
    fn bind(instrument: &Self::Instrument, attributes: &[KeyValue]) -> Self::Bound;
    /// Records one measurement on the bound instrument.
    fn record_bound(bound: &Self::Bound, value: Self::Value);
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
    ($kind:ty, $name:literal, $value:ty, $instrument:ty, $bound:ty, $builder:ident, $record:ident) => {
        instrument_kind!(
            $kind,
            $name,
            $value,
            $instrument,
            $bound,
            $builder,
            $record,
            |b, _u| b
        );
    };
    ($kind:ty, $name:literal, $value:ty, $instrument:ty, $bound:ty, $builder:ident, $record:ident,
     |$b:ident, $u:ident| $customise:expr) => {
        impl InstrumentKind for $kind {
            type Value = $value;
            type Instrument = $instrument;
            type Bound = $bound;
            const NAME: &'static str = $name;
            fn build(meter: &Meter, site: &MetricSite<Self>) -> Self::Instrument {
                let mut builder = meter.$builder(site.id.name);
                if !site.id.unit.is_empty() {
                    builder = builder.with_unit(site.id.unit);
                }
                if !site.id.description.is_empty() {
                    builder = builder.with_description(site.id.description);
                }
                let $b = builder;
                let $u = site.id.unit;
                $customise.build()
            }
            fn record(instrument: &Self::Instrument, value: $value, attributes: &[KeyValue]) {
                instrument.$record(value, attributes);
            }
            fn bind(instrument: &Self::Instrument, attributes: &[KeyValue]) -> $bound {
                instrument.bind(attributes)
            }
            #[inline]
            fn record_bound(bound: &$bound, value: $value) {
                bound.$record(value);
            }
        }
    };
}

instrument_kind!(
    CounterKind,
    "counter",
    u64,
    Counter<u64>,
    BoundCounter<u64>,
    u64_counter,
    add
);
instrument_kind!(
    UpDownKind,
    "updown",
    i64,
    UpDownCounter<i64>,
    BoundUpDownCounter<i64>,
    i64_up_down_counter,
    add
);
instrument_kind!(
    HistogramKind,
    "histogram",
    f64,
    Histogram<f64>,
    BoundHistogram<f64>,
    f64_histogram,
    record,
    |builder, unit| match duration_boundaries(unit) {
        Some(boundaries) => builder.with_boundaries(boundaries),
        None => builder,
    }
);
instrument_kind!(
    GaugeKind,
    "gauge",
    f64,
    Gauge<f64>,
    BoundGauge<f64>,
    f64_gauge,
    record
);

/// Bucket boundaries for durations (`s` or `ms`), the same [`HistogramSite`]'s cells use.
fn duration_boundaries(unit: &str) -> Option<Vec<f64>> {
    match unit {
        "s" => Some(histograms::SECONDS.to_vec()),
        "ms" => Some(histograms::MILLISECONDS.to_vec()),
        _ => None,
    }
}

/// What a metric call site knows at compile time: the instrument's name, unit and
/// description, the attribute keys written there, and where it is.
#[derive(Clone, Copy)]
pub(crate) struct Identity {
    /// Instrument name (checked at compile time by the macros).
    pub(crate) name: &'static str,
    /// Unit (UCUM), or empty.
    pub(crate) unit: &'static str,
    /// Description, or empty.
    pub(crate) description: &'static str,
    /// The attribute keys written at the call site.
    keys: &'static [&'static str],
    /// `module_path!()` of the call site.
    module: &'static str,
}

impl Identity {
    pub(crate) const fn new(
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
        }
    }

    /// Declares the shape this site records (kind, unit, keys) for the conflict check.
    pub(crate) fn declare(&self, kind: &'static str) {
        shapes::declare(shapes::Shape {
            name: self.name,
            kind,
            unit: self.unit,
            keys: self.keys,
            module: self.module,
        });
    }

    /// `Type { kind, name, unit, .. }`.
    pub(crate) fn debug(
        &self,
        f: &mut fmt::Formatter<'_>,
        type_name: &str,
        kind: &str,
    ) -> fmt::Result {
        f.debug_struct(type_name)
            .field("kind", &kind)
            .field("name", &self.name)
            .field("unit", &self.unit)
            .finish_non_exhaustive()
    }
}

/// One recording site: a `static` in the code that records.
pub struct MetricSite<K: InstrumentKind> {
    pub(crate) id: Identity,
    first: OnceLock<(u64, K::Instrument)>,
    reinitialised: Mutex<Option<(u64, K::Instrument)>>,
    /// The literal attributes, built once.
    fixed_attributes: OnceLock<Box<[KeyValue]>>,
    /// The first pipeline's instrument bound to the literal attributes, with its generation.
    bound: OnceLock<(u64, K::Bound)>,
    kind: PhantomData<K>,
}

impl<K: InstrumentKind> fmt::Debug for MetricSite<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id.debug(f, "MetricSite", K::NAME)
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
            id: Identity::new(name, unit, description, keys, module),
            first: OnceLock::new(),
            reinitialised: Mutex::new(None),
            fixed_attributes: OnceLock::new(),
            bound: OnceLock::new(),
            kind: PhantomData,
        }
    }

    /// The literal attributes, built once.
    pub(crate) fn fixed_attributes(
        &self,
        attributes: impl FnOnce() -> Vec<KeyValue>,
    ) -> &[KeyValue] {
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
            self.id.name,
            self.id.unit,
            value.into(),
            attributes,
        );
        self.record_uncaptured(state::generation(), value, attributes);
    }

    /// Records `value` with the site's literal attributes, which `attributes` builds the first
    /// time, through an instrument bound to them: no attribute lookup per call.
    #[inline]
    pub fn record_fixed(&self, value: K::Value, attributes: impl FnOnce() -> Vec<KeyValue>) {
        if !state::enabled() {
            return;
        }
        let attributes = self.fixed_attributes(attributes);
        if crate::testing::capturing() {
            crate::testing::capture_measurement(
                K::NAME,
                self.id.name,
                self.id.unit,
                value.into(),
                attributes,
            );
        }
        let generation = state::generation();
        match self.bound.get() {
            Some((bound_in, bound)) if *bound_in == generation => K::record_bound(bound, value),
            _ => self.bind_and_record(generation, value, attributes),
        }
    }

    /// The first record of the literal attributes under a pipeline: binds them, under the
    /// first pipeline; under a later one records unbound.
    #[cold]
    fn bind_and_record(&self, generation: u64, value: K::Value, attributes: &[KeyValue]) {
        if let Some(first) = self.instrument(generation) {
            if first.0 == generation {
                let bound = self
                    .bound
                    .get_or_init(|| (generation, K::bind(&first.1, attributes)));
                if bound.0 == generation {
                    K::record_bound(&bound.1, value);
                    return;
                }
            }
        }
        self.record_uncaptured(generation, value, attributes);
    }

    /// The instrument of the first pipeline the site recorded under, built on first use.
    fn instrument(&self, generation: u64) -> Option<&(u64, K::Instrument)> {
        if let Some(first) = self.first.get() {
            return Some(first);
        }
        let pipeline = state::current()?;
        let built = K::build(&pipeline.meter, self);
        Some(self.first.get_or_init(|| {
            self.id.declare(K::NAME);
            (generation, built)
        }))
    }

    fn record_uncaptured(&self, generation: u64, value: K::Value, attributes: &[KeyValue]) {
        let Some(first) = self.instrument(generation) else {
            return;
        };
        if first.0 == generation {
            K::record(&first.1, value, attributes);
            return;
        }
        self.record_after_reinit(generation, value, attributes);
    }

    #[cold]
    fn record_after_reinit(&self, generation: u64, value: K::Value, attributes: &[KeyValue]) {
        if let Some(instrument) = self.reinitialised_instrument(generation) {
            K::record(&instrument, value, attributes);
        }
    }

    /// The instrument of a pipeline installed after the first, built on first use. It is
    /// built with no lock of the site's held: building takes the SDK pipeline's lock, which
    /// a collection holds while [`histograms`] empties cells through this site.
    fn reinitialised_instrument(&self, generation: u64) -> Option<K::Instrument> {
        let built = |slot: &Option<(u64, K::Instrument)>| {
            slot.as_ref()
                .filter(|(g, _)| *g == generation)
                .map(|(_, instrument)| instrument.clone())
        };
        let lock = || {
            self.reinitialised
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(instrument) = built(&lock()) {
            return Some(instrument);
        }
        let pipeline = state::current()?;
        let instrument = K::build(&pipeline.meter, self);
        *lock() = Some((generation, instrument.clone()));
        Some(instrument)
    }

    /// Makes the instrument of pipeline `generation` (and, for the first pipeline, the one
    /// bound to `attributes`) ready, outside any collection; `false` when there is no such
    /// pipeline any more.
    pub(crate) fn prepare(&self, generation: u64, attributes: &[KeyValue]) -> bool {
        match self.instrument(generation) {
            Some(first) if first.0 == generation => {
                self.bound
                    .get_or_init(|| (generation, K::bind(&first.1, attributes)));
                true
            }
            Some(_) => self.reinitialised_instrument(generation).is_some(),
            None => false,
        }
    }

    /// The literal attributes, if they were built.
    pub(crate) fn built_fixed_attributes(&self) -> Option<&[KeyValue]> {
        self.fixed_attributes.get().map(|attributes| &**attributes)
    }

    /// Records on the instrument [`prepare`](Self::prepare) made ready for `generation`;
    /// builds nothing.
    pub(crate) fn record_ready(&self, generation: u64, value: K::Value, attributes: &[KeyValue]) {
        if let Some((bound_in, bound)) = self.bound.get() {
            if *bound_in == generation {
                K::record_bound(bound, value);
                return;
            }
        }
        if let Some((first_in, instrument)) = self.first.get() {
            if *first_in == generation {
                K::record(instrument, value, attributes);
                return;
            }
        }
        let slot = self
            .reinitialised
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, instrument)) = slot.as_ref().filter(|(g, _)| *g == generation) {
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

    /// Ends a successful call without moving what it kept, when the site can (a counter with
    /// literal attributes); `false` leaves it to [`end`](Self::end). Moving the kept value out
    /// of its `Option` costs the caller more than the count itself. Returns `true` only when
    /// `started` owns nothing that needs dropping: the caller forgets it then.
    #[inline(always)]
    fn end_in_place(&'static self, started: &Self::Started) -> bool {
        let _ = started;
        false
    }
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

    #[inline(always)]
    fn end_in_place(&'static self, started: &Self::Started) -> bool {
        if started.is_none() {
            self.add_prepared(1);
            return true;
        }
        false
    }

    /// Out of line: per-call attributes, or a failed call.
    #[inline(never)]
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
/// `error.type` when the call failed. Timed with the TSC clock where the CPU has an invariant
/// one (see `clock`), else the system's monotonic clock.
impl CallSite for HistogramSite {
    /// The attributes when built per call, and when the call started.
    type Started = (Option<Vec<KeyValue>>, u64);

    #[inline]
    fn start(
        &'static self,
        fixed: bool,
        attributes: impl FnOnce() -> Vec<KeyValue>,
    ) -> Self::Started {
        let attributes = (!fixed).then(attributes);
        (attributes, crate::clock::ticks())
    }

    #[inline]
    fn end(&'static self, (attributes, started): Self::Started, error_type: Option<&'static str>) {
        let elapsed = crate::clock::elapsed(started, crate::clock::ticks());
        let value = if self.unit() == "ms" {
            elapsed.as_secs_f64() * 1_000.0
        } else {
            elapsed.as_secs_f64()
        };
        match (attributes, error_type) {
            (None, None) => self.record_fixed(value, Vec::new),
            (attributes, error_type) => self.record_failed(value, attributes, error_type),
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

    /// Ends a call that returned normally; the expansion calls it after the body. Inlined,
    /// so that a successful call with literal attributes costs its caller no call of its own
    /// and no check for a panic. A call that unwinds or returns early ends in `Drop`.
    #[inline(always)]
    pub fn finish(self) {
        let mut call = std::mem::ManuallyDrop::new(self);
        let error_type = call.error_type.get();
        call.end(error_type);
    }

    /// The end of the call; what it kept is dropped, or needs no drop
    /// ([`CallSite::end_in_place`]).
    #[inline(always)]
    fn end(&mut self, error_type: Option<&'static str>) {
        let Some(started) = &self.started else {
            return;
        };
        if error_type.is_none() && self.site.end_in_place(started) {
            return;
        }
        if let Some(started) = self.started.take() {
            self.site.end(started, error_type);
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
    #[inline(always)]
    fn drop(&mut self) {
        if self.started.is_none() {
            return;
        }
        let error_type = if std::thread::panicking() {
            Some("panic")
        } else {
            self.error_type.get()
        };
        self.end(error_type);
    }
}
