//! Observable instruments: values read by a callback when metrics are collected (memory in
//! use, queue depth, a counter kept elsewhere).
//!
//! A registration lives in a process-wide list, so it works whether it is made before or after
//! `init`, and survives a re-`init`: every pipeline registers the whole list on its meter when
//! it is built, and a registration made later is added to the running pipeline at once.
//! Dropping the returned [`Observation`] stops its callback from being called.

use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use opentelemetry::metrics::{AsyncInstrument, Meter};
use opentelemetry::KeyValue;

use crate::state;

/// What a callback reports its values to.
pub struct Observer<'a, T> {
    instrument: &'a dyn AsyncInstrument<T>,
}

impl<T> fmt::Debug for Observer<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}

impl<T> Observer<'_, T> {
    /// Reports one value, for one attribute set.
    pub fn observe(&self, value: T, attributes: &[KeyValue]) {
        self.instrument.observe(value, attributes);
    }
}

type Callback<T> = Arc<dyn Fn(&Observer<'_, T>) + Send + Sync>;

#[derive(Clone)]
enum Kind {
    Counter(Callback<u64>),
    UpDown(Callback<i64>),
    Gauge(Callback<f64>),
}

#[derive(Clone)]
struct Registration {
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    kind: Kind,
    active: Arc<AtomicBool>,
}

static REGISTERED: Mutex<Vec<Registration>> = Mutex::new(Vec::new());

/// Keeps an observable instrument's callback registered; dropping it stops the callback.
#[must_use = "the callback stops being called when this is dropped"]
#[derive(Debug)]
pub struct Observation {
    active: Arc<AtomicBool>,
}

impl Drop for Observation {
    fn drop(&mut self) {
        self.active.store(false, Ordering::Release);
        let mut registered = REGISTERED.lock().unwrap_or_else(PoisonError::into_inner);
        registered.retain(|r| !Arc::ptr_eq(&r.active, &self.active));
    }
}

fn register(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    module: &'static str,
    kind: Kind,
) -> Observation {
    super::shapes::declare(super::shapes::Shape {
        name,
        kind: match kind {
            Kind::Counter(_) => "observable counter",
            Kind::UpDown(_) => "observable updown",
            Kind::Gauge(_) => "observable gauge",
        },
        unit,
        keys: &[],
        module,
    });
    register_undeclared(name, unit, description, kind)
}

/// Registers `kind` under `name`, whose shape its caller declares.
fn register_undeclared(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    kind: Kind,
) -> Observation {
    let active = Arc::new(AtomicBool::new(true));
    let registration = Registration {
        name,
        unit,
        description,
        kind,
        active: Arc::clone(&active),
    };
    if let Some(pipeline) = state::current() {
        pipeline.keep_observable(build(&pipeline.meter, &registration));
    }
    REGISTERED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(registration);
    Observation { active }
}

/// Registers a callback reporting a monotonic `u64` sum (`observable_counter!`).
pub fn observe_counter(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    module: &'static str,
    callback: impl Fn(&Observer<'_, u64>) + Send + Sync + 'static,
) -> Observation {
    register(
        name,
        unit,
        description,
        module,
        Kind::Counter(Arc::new(callback)),
    )
}

/// Registers a callback reporting an `i64` sum that goes up and down
/// (`observable_updown!`).
pub fn observe_updown(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    module: &'static str,
    callback: impl Fn(&Observer<'_, i64>) + Send + Sync + 'static,
) -> Observation {
    register(
        name,
        unit,
        description,
        module,
        Kind::UpDown(Arc::new(callback)),
    )
}

/// Registers a callback reporting an `f64` gauge (`observable_gauge!`).
pub fn observe_gauge(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    module: &'static str,
    callback: impl Fn(&Observer<'_, f64>) + Send + Sync + 'static,
) -> Observation {
    register(
        name,
        unit,
        description,
        module,
        Kind::Gauge(Arc::new(callback)),
    )
}

/// The instrument through which signalry's own counters (`counter!`, `#[metric(counter)]`)
/// reach the SDK: their sites declare their shape themselves.
pub(crate) fn observe_sum_u64(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    callback: impl Fn(&Observer<'_, u64>) + Send + Sync + 'static,
) -> Observation {
    register_undeclared(name, unit, description, Kind::Counter(Arc::new(callback)))
}

/// The instrument through which signalry's own up-down counters reach the SDK.
pub(crate) fn observe_sum_i64(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    callback: impl Fn(&Observer<'_, i64>) + Send + Sync + 'static,
) -> Observation {
    register_undeclared(name, unit, description, Kind::UpDown(Arc::new(callback)))
}

/// Runs `callback` at every collection, before the SDK reads its instruments, through an
/// observable instrument named `name` that reports nothing (and so is never exported).
pub(crate) fn observe_collection(
    name: &'static str,
    callback: impl Fn() + Send + Sync + 'static,
) -> Observation {
    register_undeclared(
        name,
        "",
        "",
        Kind::Gauge(Arc::new(move |_: &Observer<'_, f64>| callback())),
    )
}

/// Registers every observable instrument on a new pipeline's meter; the returned instruments
/// are kept by the pipeline.
pub(crate) fn register_all(meter: &Meter) -> Vec<Box<dyn Any + Send + Sync>> {
    let registered = REGISTERED.lock().unwrap_or_else(PoisonError::into_inner);
    registered.iter().map(|r| build(meter, r)).collect()
}

macro_rules! build_with {
    ($meter:expr, $registration:expr, $builder:ident, $callback:expr) => {{
        let active = Arc::clone(&$registration.active);
        let callback = Arc::clone($callback);
        let mut builder = $meter.$builder($registration.name);
        if !$registration.unit.is_empty() {
            builder = builder.with_unit($registration.unit);
        }
        if !$registration.description.is_empty() {
            builder = builder.with_description($registration.description);
        }
        let instrument = builder
            .with_callback(move |instrument| {
                if active.load(Ordering::Acquire) {
                    callback(&Observer { instrument });
                }
            })
            .build();
        Box::new(instrument) as Box<dyn Any + Send + Sync>
    }};
}

fn build(meter: &Meter, registration: &Registration) -> Box<dyn Any + Send + Sync> {
    match &registration.kind {
        Kind::Counter(callback) => {
            build_with!(meter, registration, u64_observable_counter, callback)
        }
        Kind::UpDown(callback) => {
            build_with!(
                meter,
                registration,
                i64_observable_up_down_counter,
                callback
            )
        }
        Kind::Gauge(callback) => build_with!(meter, registration, f64_observable_gauge, callback),
    }
}
