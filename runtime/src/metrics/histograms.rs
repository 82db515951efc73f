//! Histograms whose attributes are literals, kept by signalry between collections: each call
//! site counts into bucket cells of its own, striped over cache lines by thread, and when
//! metrics are collected the cells are emptied into the site's OpenTelemetry histogram.
//!
//! A record is a bucket search and a few relaxed atomics on a line no other thread writes: no
//! attribute lookup and no lock. The OpenTelemetry histogram still does the aggregation every
//! exporter reads, so temporality, readers and the Prometheus endpoint work as for any
//! histogram; what it is given at collection is, per bucket, as many values as were counted
//! there, placed so that the count of every bucket, the sum, the minimum and the maximum are
//! those of the values recorded. (A value recorded while a collection empties the cells may
//! see its count and its share of the sum reported one collection apart.)
//!
//! Emptying runs in the SDK's collection (in the callback of an observable instrument that
//! reports nothing), so it never builds an instrument there: the SDK's pipeline is locked
//! then. Each site builds its instrument for the current pipeline on its hot path's slow
//! branch, and a site whose instrument is not ready keeps its counts for the next collection.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, Once, PoisonError};

use opentelemetry::KeyValue;

use super::sums::{stripe, SHARED, STRIPES};
use super::{HistogramKind, InstrumentKind as _, MetricSite};
use crate::state;

/// Buckets a histogram may have: the SDK's default 15 boundaries, and one bucket above.
const MAX_BUCKETS: usize = 16;

/// Bucket boundaries for durations in seconds, from the HTTP semantic conventions (5 ms to
/// 10 s): the SDK's defaults (0 to 10 000) suit milliseconds-as-integers, not seconds.
pub(crate) const SECONDS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
/// The same in milliseconds.
pub(crate) const MILLISECONDS: [f64; 14] = [
    5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1_000.0, 2_500.0, 5_000.0, 7_500.0,
    10_000.0,
];
/// The SDK's default boundaries, for any other unit.
const DEFAULT: [f64; 15] = [
    0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1_000.0, 2_500.0, 5_000.0,
    7_500.0, 10_000.0,
];

/// The boundaries a histogram of `unit` has (the same the site's instrument is built with).
pub(crate) const fn boundaries(unit: &str) -> &'static [f64] {
    match unit.as_bytes() {
        b"s" => &SECONDS,
        b"ms" => &MILLISECONDS,
        _ => &DEFAULT,
    }
}

/// One thread's counts, alone on their cache lines.
///
/// A cell a thread holds alone ([`stripe`]) is written by that thread only, with plain loads
/// and stores: its bucket counts and sum only grow, and collection reads them and keeps what
/// it read, to report the difference next time; its minimum and maximum belong to the
/// collection interval in `epoch`, and the thread starts them afresh when it sees a new one.
/// The shared cell is written with atomic read-modify-writes and emptied by collection.
#[repr(align(128))]
struct Stripe {
    /// `f64` bits.
    sum: AtomicU64,
    min: AtomicU64,
    max: AtomicU64,
    /// The interval `min` and `max` belong to (held cells only).
    epoch: AtomicU64,
    buckets: [AtomicU64; MAX_BUCKETS],
}

const EMPTY_MIN: u64 = f64::INFINITY.to_bits();
const EMPTY_MAX: u64 = f64::NEG_INFINITY.to_bits();

/// The current collection interval: collection moves it on before it reads the cells.
static EPOCH: AtomicU64 = AtomicU64::new(0);

impl Stripe {
    const fn new() -> Self {
        Self {
            sum: AtomicU64::new(0),
            min: AtomicU64::new(EMPTY_MIN),
            max: AtomicU64::new(EMPTY_MAX),
            epoch: AtomicU64::new(0),
            buckets: [const { AtomicU64::new(0) }; MAX_BUCKETS],
        }
    }

    /// Adds a value to a cell this thread holds alone.
    #[inline]
    fn record_held(&self, bucket: usize, value: f64) {
        let count = &self.buckets[bucket];
        count.store(count.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        let sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
        self.sum.store((sum + value).to_bits(), Ordering::Relaxed);
        let epoch = EPOCH.load(Ordering::Relaxed);
        if self.epoch.load(Ordering::Relaxed) != epoch {
            self.min.store(value.to_bits(), Ordering::Relaxed);
            self.max.store(value.to_bits(), Ordering::Relaxed);
            self.epoch.store(epoch, Ordering::Release);
            return;
        }
        if value < f64::from_bits(self.min.load(Ordering::Relaxed)) {
            self.min.store(value.to_bits(), Ordering::Relaxed);
        }
        if value > f64::from_bits(self.max.load(Ordering::Relaxed)) {
            self.max.store(value.to_bits(), Ordering::Relaxed);
        }
    }

    /// Adds a value to the shared cell.
    fn record_shared(&self, bucket: usize, value: f64) {
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        update(&self.sum, |sum| sum + value);
        if value < f64::from_bits(self.min.load(Ordering::Relaxed)) {
            update(&self.min, |min| min.min(value));
        }
        if value > f64::from_bits(self.max.load(Ordering::Relaxed)) {
            update(&self.max, |max| max.max(value));
        }
    }
}

/// What the cells held when they were emptied.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Drained {
    pub(crate) buckets: [u64; MAX_BUCKETS],
    pub(crate) sum: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

impl Drained {
    fn empty() -> Self {
        Self {
            buckets: [0; MAX_BUCKETS],
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }
}

/// The bucket cells of one site.
struct Cells {
    bounds: &'static [f64],
    stripes: [Stripe; STRIPES],
    /// What collection last read of the held cells' growing counts and sums.
    read: Mutex<([u64; MAX_BUCKETS], [f64; STRIPES])>,
}

impl Cells {
    const fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            stripes: [const { Stripe::new() }; STRIPES],
            read: Mutex::new(([0; MAX_BUCKETS], [0.0; STRIPES])),
        }
    }

    #[inline]
    fn record(&self, value: f64) {
        let index = stripe();
        let bucket = bucket(self.bounds, value);
        if index == SHARED {
            self.stripes[index].record_shared(bucket, value);
        } else {
            self.stripes[index].record_held(bucket, value);
        }
    }

    /// What was recorded since the last drain; `epoch` is the interval that collection has
    /// just closed (see [`close_interval`]). A thread that records meanwhile starts its minimum
    /// and maximum afresh; one that was in the middle of a record may leave its extreme to the
    /// next interval (its count and sum are never lost: the next drain finds them).
    fn drain(&self, epoch: u64) -> Drained {
        let mut drained = Drained::empty();
        let mut read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        let (buckets_read, sums_read) = &mut *read;
        let mut buckets_now = [0u64; MAX_BUCKETS];
        for (index, stripe) in self.stripes.iter().enumerate() {
            if index == SHARED {
                for (total, bucket) in drained.buckets.iter_mut().zip(&stripe.buckets) {
                    *total += bucket.swap(0, Ordering::Relaxed);
                }
                drained.sum += f64::from_bits(stripe.sum.swap(0, Ordering::Relaxed));
                drained.min = drained.min.min(f64::from_bits(
                    stripe.min.swap(EMPTY_MIN, Ordering::Relaxed),
                ));
                drained.max = drained.max.max(f64::from_bits(
                    stripe.max.swap(EMPTY_MAX, Ordering::Relaxed),
                ));
                continue;
            }
            for (total, bucket) in buckets_now.iter_mut().zip(&stripe.buckets) {
                *total += bucket.load(Ordering::Relaxed);
            }
            let sum = f64::from_bits(stripe.sum.load(Ordering::Relaxed));
            drained.sum += sum - sums_read[index];
            sums_read[index] = sum;
            if stripe.epoch.load(Ordering::Acquire) == epoch {
                drained.min = drained
                    .min
                    .min(f64::from_bits(stripe.min.load(Ordering::Relaxed)));
                drained.max = drained
                    .max
                    .max(f64::from_bits(stripe.max.load(Ordering::Relaxed)));
            }
        }
        for ((total, now), before) in drained
            .buckets
            .iter_mut()
            .zip(&buckets_now)
            .zip(buckets_read.iter_mut())
        {
            *total += now - *before;
            *before = *now;
        }
        drained.keep_extremes_in_buckets(self.bounds);
        drained
    }
}

/// Moves every site on to a new interval; returns the one closed. Once per collection, before
/// any site is drained.
fn close_interval() -> u64 {
    EPOCH.fetch_add(1, Ordering::AcqRel)
}

impl Drained {
    /// A minimum or maximum left to the next interval (see [`Cells::drain`]) may not match the
    /// buckets counted: each is moved to the nearest value its lowest (highest) bucket holds.
    fn keep_extremes_in_buckets(&mut self, bounds: &[f64]) {
        let Some(lowest) = self.buckets.iter().position(|&n| n > 0) else {
            return;
        };
        let highest = self.buckets.iter().rposition(|&n| n > 0).unwrap_or(lowest);
        let bucket_of = |v: f64| bounds.partition_point(|b| *b < v);
        if !self.min.is_finite() || bucket_of(self.min) != lowest {
            self.min = match lowest.checked_sub(1) {
                Some(below) => bounds[below].next_up(),
                None => bounds.first().copied().unwrap_or(0.0),
            };
        }
        if !self.max.is_finite() || bucket_of(self.max) != highest {
            self.max = bounds
                .get(highest)
                .copied()
                .unwrap_or_else(|| bounds.last().map_or(0.0, |b| b.next_up()));
        }
    }
}

/// The bucket of `value`: how many boundaries are below it (the bucket `i` holds the values in
/// `(bounds[i-1], bounds[i]]`). Counted with independent comparisons rather than a binary
/// search, whose dependent steps cost more over 15 boundaries.
#[inline]
fn bucket(bounds: &[f64], value: f64) -> usize {
    bounds.iter().map(|bound| usize::from(*bound < value)).sum()
}

/// Applies `f` to the `f64` in `cell`.
#[inline]
fn update(cell: &AtomicU64, f: impl Fn(f64) -> f64) {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let next = f(f64::from_bits(current)).to_bits();
        match cell.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(actual) => current = actual,
        }
    }
}

/// Values that reproduce `drained` in a histogram with `bounds`: `(value, times)` pairs whose
/// bucket counts are those drained, whose sum is the drained sum (to rounding), and whose
/// smallest and largest values are the drained minimum and maximum.
pub(crate) fn synthetic(bounds: &[f64], drained: &Drained) -> Vec<(f64, u64)> {
    let count = drained.count();
    if count == 0 {
        return Vec::new();
    }
    if count == 1 {
        return vec![(drained.sum, 1)];
    }
    let (min, max) = (drained.min, drained.max);
    // The minimum and the maximum are values of their own; the rest start as low as their
    // bucket allows and are raised, bucket by bucket, until the sum is met.
    let mut rest = drained.buckets;
    rest[bounds.partition_point(|b| *b < min)] -= 1;
    rest[bounds.partition_point(|b| *b < max)] -= 1;
    let range = |bucket: usize| {
        // Bucket `i` holds values in (bounds[i-1], bounds[i]]: a value at the lower bound
        // belongs to the bucket below, so the lowest one here is just above it.
        let low = bucket
            .checked_sub(1)
            .map_or(min, |i| bounds[i].next_up().max(min));
        let high = bounds.get(bucket).map_or(max, |b| b.min(max));
        (low, high.max(low))
    };
    let mut values: Vec<(f64, u64)> = Vec::with_capacity(MAX_BUCKETS + 2);
    let mut placed = min + max;
    for (bucket, &times) in rest.iter().enumerate() {
        if times > 0 {
            placed += range(bucket).0 * times as f64;
        }
    }
    let mut missing = drained.sum - placed;
    for (bucket, &times) in rest.iter().enumerate() {
        if times == 0 {
            continue;
        }
        let (low, high) = range(bucket);
        let room = (high - low) * times as f64;
        let raise = missing.clamp(0.0, room);
        missing -= raise;
        values.push((low + raise / times as f64, times));
    }
    values.push((min, 1));
    values.push((max, 1));
    values
}

/// One histogram site: a `static` in the code that records.
pub struct HistogramSite {
    site: MetricSite<HistogramKind>,
    cells: Cells,
    /// The pipeline generation the site's instrument is ready for (0: none yet).
    ready: AtomicU64,
    registered: AtomicBool,
}

impl fmt::Debug for HistogramSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.site.fmt(f)
    }
}

impl HistogramSite {
    /// A site for a `static`.
    pub const fn new(
        name: &'static str,
        unit: &'static str,
        description: &'static str,
        keys: &'static [&'static str],
        module: &'static str,
    ) -> Self {
        Self {
            site: MetricSite::new(name, unit, description, keys, module),
            cells: Cells::new(boundaries(unit)),
            ready: AtomicU64::new(0),
            registered: AtomicBool::new(false),
        }
    }

    /// The site's unit.
    pub(crate) fn unit(&self) -> &'static str {
        self.site.id.unit
    }

    /// Records `value` with `attributes`, computed per call, on the OpenTelemetry histogram.
    #[inline]
    pub fn record(&self, value: f64, attributes: &[KeyValue]) {
        self.site.record(value, attributes);
    }

    /// Records `value` with the site's literal attributes, which `attributes` builds the first
    /// time, into the site's cells. Only while telemetry is on: the caller checks `enabled()`
    /// first.
    #[inline]
    pub fn record_fixed(&'static self, value: f64, attributes: impl FnOnce() -> Vec<KeyValue>) {
        if !value.is_finite() {
            // The SDK drops such values too.
            return;
        }
        self.cells.record(value);
        if self.ready.load(Ordering::Relaxed) != state::generation() || crate::testing::capturing()
        {
            self.after_record(value, attributes);
        }
    }

    /// A measured call with attributes built per call, or one that failed: on the
    /// OpenTelemetry histogram, with `error.type` added.
    #[cold]
    pub(crate) fn record_failed(
        &self,
        value: f64,
        attributes: Option<Vec<KeyValue>>,
        error_type: Option<&'static str>,
    ) {
        let mut attributes =
            attributes.unwrap_or_else(|| self.site.fixed_attributes(Vec::new).to_vec());
        if let Some(error_type) = error_type {
            attributes.push(KeyValue::new("error.type", error_type));
        }
        self.site.record(value, &attributes);
    }

    /// First use under a pipeline (instrument, bound instrument, registration for emptying),
    /// and the test capture hook.
    #[cold]
    fn after_record(&'static self, value: f64, attributes: impl FnOnce() -> Vec<KeyValue>) {
        let attributes = self.site.fixed_attributes(attributes);
        crate::testing::capture_measurement(
            HistogramKind::NAME,
            self.site.id.name,
            self.site.id.unit,
            value.into(),
            attributes,
        );
        let generation = state::generation();
        if self.ready.load(Ordering::Acquire) != generation
            && self.site.prepare(generation, attributes)
        {
            self.ready.store(generation, Ordering::Release);
        }
        if !self.registered.swap(true, Ordering::AcqRel) {
            register(self);
        }
    }

    /// Empties the cells into the instrument last made ready: the current pipeline's, or at
    /// shutdown (when none is current any more) the one shutting down.
    fn empty(&self, epoch: u64) {
        let generation = self.ready.load(Ordering::Acquire);
        if generation == 0 {
            return;
        }
        let Some(attributes) = self.site.built_fixed_attributes() else {
            return;
        };
        let drained = self.cells.drain(epoch);
        for (value, times) in synthetic(self.cells.bounds, &drained) {
            for _ in 0..times {
                self.site.record_ready(generation, value, attributes);
            }
        }
    }
}

/// Every site with cells, emptied at each collection.
static SITES: Mutex<Vec<&'static HistogramSite>> = Mutex::new(Vec::new());

fn register(site: &'static HistogramSite) {
    SITES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(site);
    static EMPTYING: Once = Once::new();
    EMPTYING.call_once(|| {
        // An instrument that reports nothing: its callback runs at every collection, before
        // the SDK reads its histograms.
        let observation = super::observable::observe_collection("signalry.histograms", || {
            let sites = SITES.lock().unwrap_or_else(PoisonError::into_inner);
            let epoch = close_interval();
            for site in sites.iter() {
                site.empty(epoch);
            }
        });
        std::mem::forget(observation);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drained(bounds: &[f64], values: &[f64]) -> Drained {
        let mut drained = Drained {
            buckets: [0; MAX_BUCKETS],
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        };
        for &v in values {
            drained.buckets[bounds.partition_point(|b| *b < v)] += 1;
            drained.sum += v;
            drained.min = drained.min.min(v);
            drained.max = drained.max.max(v);
        }
        drained
    }

    /// Recording the synthetic values gives back what was drained.
    fn check(bounds: &[f64], values: &[f64]) {
        let original = drained(bounds, values);
        let synthetic = synthetic(bounds, &original);
        let expanded: Vec<f64> = synthetic
            .iter()
            .flat_map(|&(v, times)| std::iter::repeat_n(v, times as usize))
            .collect();
        let again = drained(bounds, &expanded);
        assert_eq!(
            again.buckets, original.buckets,
            "{values:?} → {synthetic:?}"
        );
        assert_eq!(again.min, original.min);
        assert_eq!(again.max, original.max);
        let tolerance = 1e-9 * original.sum.abs().max(1.0);
        assert!(
            (again.sum - original.sum).abs() <= tolerance,
            "sum {} vs {}: {synthetic:?}",
            again.sum,
            original.sum
        );
    }

    #[test]
    fn synthetic_values_keep_buckets_sum_min_and_max() {
        check(&SECONDS, &[]);
        check(&SECONDS, &[0.3]);
        check(&SECONDS, &[0.001, 0.002]);
        check(&SECONDS, &[0.004, 0.006, 0.006, 0.2, 0.21, 3.0, 11.0, 40.0]);
        // Values on a boundary belong to the bucket below it.
        check(&SECONDS, &[0.005, 0.01, 0.01, 0.025]);
        check(&DEFAULT, &[-3.0, 0.0, 0.5, 7.0, 7.0, 7.0, 20_000.0]);
        let many: Vec<f64> = (1..=1000).map(|i| f64::from(i) * 0.0137).collect();
        check(&SECONDS, &many);
        check(&MILLISECONDS, &[1.0, 1.0, 1.0, 1.0, 999.0]);
    }

    #[test]
    fn a_value_counts_in_the_bucket_the_sdk_puts_it_in() {
        for bounds in [&SECONDS[..], &MILLISECONDS[..], &DEFAULT[..]] {
            for value in [-1.0, 0.0, 0.005, 0.0051, 0.3, 5.0, 7.5, 10.0, 10.5, 1e9] {
                assert_eq!(
                    bucket(bounds, value),
                    bounds.partition_point(|b| *b < value),
                    "{value} in {bounds:?}"
                );
            }
        }
    }

    #[test]
    fn an_extreme_left_to_the_next_interval_is_moved_into_its_bucket() {
        let mut counted = drained(&SECONDS, &[0.02, 0.3, 4.0]);
        // The minimum and maximum of values that landed in other intervals.
        counted.min = 0.001;
        counted.max = f64::NEG_INFINITY;
        counted.keep_extremes_in_buckets(&SECONDS);
        assert!(counted.min > 0.01 && counted.min <= 0.025, "{counted:?}");
        assert!((counted.max - 5.0).abs() < f64::EPSILON, "{counted:?}");
        let values = synthetic(&SECONDS, &counted);
        let expanded: Vec<f64> = values
            .iter()
            .flat_map(|&(v, times)| std::iter::repeat_n(v, times as usize))
            .collect();
        assert_eq!(drained(&SECONDS, &expanded).buckets, counted.buckets);
    }

    #[test]
    fn cells_count_every_thread_and_empty_once() {
        static CELLS: Cells = Cells::new(&SECONDS);
        std::thread::scope(|scope| {
            for t in 0..4 {
                scope.spawn(move || {
                    for i in 0..1000 {
                        CELLS.record(0.001 * f64::from(t * 1000 + i));
                    }
                });
            }
        });
        let drained = CELLS.drain(close_interval());
        assert_eq!(drained.count(), 4000);
        assert_eq!(drained.min, 0.0);
        assert!((drained.max - 3.999).abs() < 1e-12);
        let expected: f64 = (0..4000).map(|i| 0.001 * f64::from(i)).sum();
        assert!((drained.sum - expected).abs() < 1e-6);
        assert_eq!(CELLS.drain(close_interval()).count(), 0, "emptied");
    }
}
