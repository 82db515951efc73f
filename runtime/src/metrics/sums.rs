//! Counters and up-down counters kept by signalry: each call site adds into cells of its own,
//! striped over cache lines by thread, and the sums are read when metrics are collected.
//!
//! Adding is a plain load and store on a cache line no other thread writes (each of the first
//! `STRIPES - 1` threads holds a cell of its own while it runs; any others share the last cell
//! with atomic adds), so a counter costs less than a raw atomic add, and two threads counting
//! at one site do not slow each other down. The OpenTelemetry SDK sees one observable instrument
//! per name, whose callback sums every site of that name by attribute set; exporters,
//! temporality and the Prometheus endpoint work on it as on any instrument.
//!
//! A site whose attributes are literals (or which has none) has one striped cell. A site whose
//! attributes are computed per call finds the cell of each attribute set in a small map. One
//! name keeps up to [`MAX_ATTRIBUTE_SETS`] sets over all its sites; beyond that, values go to
//! the `otel.metric.overflow = true` set, as the OpenTelemetry SDK does (whose limit of 2000
//! per instrument this stays within), and signalry says so once.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use opentelemetry::{KeyValue, Value};

use super::observable::{self, Observer};
use super::Identity;

/// Cells per sum: threads beyond this many share cells (still correct, only contended).
pub const STRIPES: usize = 8;
const _: () = assert!(STRIPES.is_power_of_two());

/// The attribute sets one name keeps before the rest go to the overflow set: with that set,
/// the 2000 the OpenTelemetry SDK keeps per instrument.
pub const MAX_ATTRIBUTE_SETS: usize = 1999;

/// One cell, alone on its cache line pair (adjacent-line prefetch pairs 64-byte lines).
#[repr(align(128))]
struct Stripe(AtomicU64);

/// A sum split over [`STRIPES`] cache lines, each thread adding to its own. Up-down values are
/// added as two's complement, so the wrapping total is the signed sum.
pub struct StripedSum {
    stripes: [Stripe; STRIPES],
    /// The total when the current pipeline was installed: it reports what came after.
    base: AtomicU64,
}

impl fmt::Debug for StripedSum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripedSum")
            .field("total", &self.total())
            .finish()
    }
}

impl Default for StripedSum {
    fn default() -> Self {
        Self::new()
    }
}

impl StripedSum {
    /// Zero.
    pub const fn new() -> Self {
        Self {
            stripes: [const { Stripe(AtomicU64::new(0)) }; STRIPES],
            base: AtomicU64::new(0),
        }
    }

    /// Adds `bits` on this thread's cell. A cell of its own is written by this thread alone
    /// (collection only reads it), so a plain load and store do; the shared one needs an atomic
    /// add.
    #[inline]
    pub fn add(&self, bits: u64) {
        // Always below `STRIPES` (a power of two): the mask lets the compiler drop the bounds
        // check.
        let index = stripe() & (STRIPES - 1);
        let cell = &self.stripes[index].0;
        if index == SHARED {
            cell.fetch_add(bits, Ordering::Relaxed);
        } else {
            cell.store(
                cell.load(Ordering::Relaxed).wrapping_add(bits),
                Ordering::Relaxed,
            );
        }
    }

    fn total(&self) -> u64 {
        self.stripes
            .iter()
            .fold(0u64, |sum, s| sum.wrapping_add(s.0.load(Ordering::Relaxed)))
    }

    /// What was added since the last [`rebase`](Self::rebase).
    fn since_base(&self) -> u64 {
        self.total().wrapping_sub(self.base.load(Ordering::Relaxed))
    }

    fn rebase(&self) {
        self.base.store(self.total(), Ordering::Relaxed);
    }
}

/// The cell that threads without one of their own share, adding with atomic read-modify-writes.
pub(crate) const SHARED: usize = STRIPES - 1;

/// Which cells (below [`SHARED`]) no running thread holds: one bit each.
static FREE: AtomicU64 = AtomicU64::new((1 << SHARED) - 1);

/// A thread's hold on one cell index, given back when the thread ends.
struct Lease(usize);

impl Lease {
    fn take() -> Self {
        let mut free = FREE.load(Ordering::Acquire);
        while free != 0 {
            let index = free.trailing_zeros() as usize;
            match FREE.compare_exchange_weak(
                free,
                free & !(1 << index),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Self(index),
                Err(now) => free = now,
            }
        }
        Self(SHARED)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // Adds made after this, by other locals' destructors, go to the shared cell.
        let _ = INDEX.try_with(|index| index.set(SHARED));
        if self.0 != SHARED {
            // Release: the next holder sees every value this thread wrote.
            FREE.fetch_or(1 << self.0, Ordering::Release);
        }
    }
}

/// This thread's cell index: one no other running thread writes (the first `STRIPES - 1`
/// threads to add each get one, and give it back when they end), or [`SHARED`].
///
/// Read from a constant-initialised thread local without a destructor, so that the hot path
/// is one load with no check of the local's state; the lease that gives the index back lives
/// in a second local, made on the thread's first add.
#[inline]
pub(crate) fn stripe() -> usize {
    match INDEX.get() {
        UNASSIGNED => assign_stripe(),
        index => index,
    }
}

/// [`INDEX`] before the thread's first add.
const UNASSIGNED: usize = usize::MAX;

thread_local! {
    /// This thread's cell index, or [`UNASSIGNED`].
    static INDEX: Cell<usize> = const { Cell::new(UNASSIGNED) };
    /// The lease behind a leased index; its destructor gives the index back.
    static LEASE: RefCell<Option<Lease>> = const { RefCell::new(None) };
}

#[cold]
#[inline(never)]
fn assign_stripe() -> usize {
    let lease = Lease::take();
    let index = lease.0;
    // Until the lease is dropped (the thread's locals being destroyed), then the shared cell.
    let kept = LEASE.try_with(|slot| *slot.borrow_mut() = Some(lease));
    let index = if kept.is_ok() { index } else { SHARED };
    INDEX.set(index);
    index
}

/// A sum instrument kind: counter (`u64`, only up) or up-down counter (`i64`).
pub trait SumKind: super::InstrumentKind {
    /// The value as the bits a striped sum adds (two's complement for `i64`).
    fn bits(value: Self::Value) -> u64;
    /// Registers the observable instrument that reports `named`.
    fn observe(named: Arc<Named>) -> observable::Observation;
}

impl SumKind for super::CounterKind {
    #[inline]
    fn bits(value: u64) -> u64 {
        value
    }

    fn observe(named: Arc<Named>) -> observable::Observation {
        let (name, unit, description) = (named.name, named.unit, named.description);
        observable::observe_sum_u64(name, unit, description, move |observer| {
            named.report(|bits, attributes| observer.observe(bits, attributes));
        })
    }
}

impl SumKind for super::UpDownKind {
    #[inline]
    fn bits(value: i64) -> u64 {
        value.cast_unsigned()
    }

    fn observe(named: Arc<Named>) -> observable::Observation {
        let (name, unit, description) = (named.name, named.unit, named.description);
        observable::observe_sum_i64(
            name,
            unit,
            description,
            move |observer: &Observer<'_, i64>| {
                named.report(|bits, attributes| observer.observe(bits.cast_signed(), attributes));
            },
        )
    }
}

/// Attribute sets by their hash. A set's cell lives as long as the process, like the `static`
/// site that owns it: sets are never removed, and at most [`MAX_ATTRIBUTE_SETS`] per name.
type Sets = BySet<Box<[KeyValue]>, &'static StripedSum>;

/// Attribute sets (`A`) and what goes with each (`V`), by a hash of the set.
type BySet<A, V> = HashMap<u64, Vec<(A, V)>, BuildHasherDefault<Prehashed>>;

/// One counting site: a `static` in the code that counts.
pub struct SumSite<K: SumKind> {
    id: Identity,
    /// The sum of the site's literal attributes (or of no attributes).
    fixed: StripedSum,
    fixed_attributes: OnceLock<Box<[KeyValue]>>,
    /// Whether `fixed` was added to: only then is it reported.
    fixed_used: AtomicBool,
    /// The sums of attribute sets computed per call, by a hash of the set.
    sets: RwLock<Sets>,
    /// Every site of this name, once registered.
    named: OnceLock<Arc<Named>>,
    overflow: StripedSum,
    overflowed: AtomicBool,
    registered: AtomicBool,
    kind: PhantomData<fn() -> K>,
}

impl<K: SumKind> fmt::Debug for SumSite<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id.debug(f, "SumSite", K::NAME)
    }
}

impl<K: SumKind> SumSite<K> {
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
            fixed: StripedSum::new(),
            fixed_attributes: OnceLock::new(),
            fixed_used: AtomicBool::new(false),
            sets: RwLock::new(HashMap::with_hasher(BuildHasherDefault::new())),
            named: OnceLock::new(),
            overflow: StripedSum::new(),
            overflowed: AtomicBool::new(false),
            registered: AtomicBool::new(false),
            kind: PhantomData,
        }
    }

    /// Adds `value` with the site's literal attributes, which `attributes` builds the first
    /// time. Only while telemetry is on: the caller checks `enabled()` first.
    #[inline]
    pub fn add_fixed(&'static self, value: K::Value, attributes: impl FnOnce() -> Vec<KeyValue>) {
        self.fixed.add(K::bits(value));
        if !self.registered.load(Ordering::Relaxed) || crate::testing::capturing() {
            self.after_fixed(value, attributes);
        }
    }

    /// [`add_fixed`](Self::add_fixed) once the literal attributes are built.
    #[inline]
    pub(crate) fn add_prepared(&'static self, value: K::Value) {
        self.add_fixed(value, Vec::new);
    }

    /// Adds `value` with `attributes`, computed per call. Only while telemetry is on: the
    /// caller checks [`enabled`](crate::state::enabled) first.
    #[inline]
    pub fn add(&'static self, value: K::Value, attributes: &[KeyValue]) {
        self.add_enabled(value, attributes);
    }

    /// The literal attributes, built once.
    pub(crate) fn fixed_attributes(
        &self,
        attributes: impl FnOnce() -> Vec<KeyValue>,
    ) -> &[KeyValue] {
        self.fixed_attributes
            .get_or_init(|| attributes().into_boxed_slice())
    }

    /// Registration on first use, and the test capture hook.
    #[cold]
    fn after_fixed(&'static self, value: K::Value, attributes: impl FnOnce() -> Vec<KeyValue>) {
        let attributes = self.fixed_attributes(attributes);
        self.register();
        if !self.fixed_used.swap(true, Ordering::Relaxed) {
            if let Some(named) = self.named.get() {
                named.sets.fetch_add(1, Ordering::Relaxed);
            }
        }
        crate::testing::capture_measurement(
            K::NAME,
            self.id.name,
            self.id.unit,
            value.into(),
            attributes,
        );
    }

    fn add_enabled(&'static self, value: K::Value, attributes: &[KeyValue]) {
        crate::testing::capture_measurement(
            K::NAME,
            self.id.name,
            self.id.unit,
            value.into(),
            attributes,
        );
        if !self.registered.load(Ordering::Relaxed) {
            self.register();
        }
        self.add_to_set(attributes, K::bits(value));
    }

    /// Adds to the cell of `attributes`: found under a read lock, or made under the write lock
    /// with `bits` already in it, so that a collection never reports an empty set.
    fn add_to_set(&self, attributes: &[KeyValue], bits: u64) {
        let hash = hash_of(attributes);
        if let Some(found) = find(
            &self.sets.read().unwrap_or_else(PoisonError::into_inner),
            hash,
            attributes,
        ) {
            found.add(bits);
            return;
        }
        let mut sets = self.sets.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = find(&sets, hash, attributes) {
            found.add(bits);
            return;
        }
        let named = self.named.get();
        if named.is_none_or(|named| named.sets.load(Ordering::Relaxed) >= MAX_ATTRIBUTE_SETS) {
            drop(sets);
            warn_overflow(self.id.name);
            self.overflow.add(bits);
            self.overflowed.store(true, Ordering::Relaxed);
            return;
        }
        let cell: &'static StripedSum = Box::leak(Box::new(StripedSum::new()));
        cell.add(bits);
        sets.entry(hash)
            .or_default()
            .push((attributes.into(), cell));
        if let Some(named) = named {
            named.sets.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[cold]
    fn register(&'static self) {
        if self.registered.swap(true, Ordering::AcqRel) {
            return;
        }
        self.id.declare(K::NAME);
        let (named, created) =
            Named::get_or_create(self.id.name, self.id.unit, self.id.description);
        let _ = self.named.set(Arc::clone(&named));
        named
            .sites
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(self);
        if created {
            // Registered with no lock of ours held: the SDK may be collecting, and its
            // callback takes `named.sites`.
            let observation = K::observe(named);
            // The instrument lives as long as the process; its sums never reset.
            std::mem::forget(observation);
        }
    }
}

fn find(sets: &Sets, hash: u64, attributes: &[KeyValue]) -> Option<&'static StripedSum> {
    sets.get(&hash)?
        .iter()
        .find(|(set, _)| **set == *attributes)
        .map(|(_, cell)| *cell)
}

#[cold]
fn warn_overflow(name: &str) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        eprintln!(
            "signalry: metric {name:?} reached {MAX_ATTRIBUTE_SETS} attribute sets; further \
             sets are counted under otel.metric.overflow=true (this is said once)"
        );
    }
}

/// What one counting site reports at collection.
trait Source: Send + Sync {
    /// Calls `each` with every attribute set's sum since the pipeline was installed.
    fn each(&self, each: &mut dyn FnMut(u64, &[KeyValue]));
    fn rebase(&self);
}

impl<K: SumKind> Source for SumSite<K> {
    fn each(&self, each: &mut dyn FnMut(u64, &[KeyValue])) {
        if let (Some(attributes), true) = (
            self.fixed_attributes.get(),
            self.fixed_used.load(Ordering::Relaxed),
        ) {
            each(self.fixed.since_base(), attributes);
        }
        let sets = self.sets.read().unwrap_or_else(PoisonError::into_inner);
        for (attributes, cell) in sets.values().flatten() {
            each(cell.since_base(), attributes);
        }
        if self.overflowed.load(Ordering::Relaxed) {
            each(
                self.overflow.since_base(),
                &[KeyValue::new("otel.metric.overflow", true)],
            );
        }
    }

    fn rebase(&self) {
        self.fixed.rebase();
        self.overflow.rebase();
        let sets = self.sets.read().unwrap_or_else(PoisonError::into_inner);
        for (_, cell) in sets.values().flatten() {
            cell.rebase();
        }
    }
}

/// Every site of one instrument name.
pub struct Named {
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    sites: Mutex<Vec<&'static dyn Source>>,
    /// Attribute sets over all sites (a set two sites share counts twice).
    sets: AtomicUsize,
}

impl fmt::Debug for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Named").field("name", &self.name).finish()
    }
}

static NAMED: Mutex<Vec<Arc<Named>>> = Mutex::new(Vec::new());

impl Named {
    fn get_or_create(
        name: &'static str,
        unit: &'static str,
        description: &'static str,
    ) -> (Arc<Self>, bool) {
        let mut all = NAMED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = all.iter().find(|n| n.name == name) {
            return (Arc::clone(found), false);
        }
        let named = Arc::new(Self {
            name,
            unit,
            description,
            sites: Mutex::new(Vec::new()),
            sets: AtomicUsize::new(0),
        });
        all.push(Arc::clone(&named));
        (named, true)
    }

    /// Reports one value per attribute set: sites with the same set (in any key order) are
    /// added together, since an observable instrument takes one value per set.
    fn report(&self, mut observe: impl FnMut(u64, &[KeyValue])) {
        let mut merged: BySet<Vec<KeyValue>, u64> = HashMap::default();
        let sites = self.sites.lock().unwrap_or_else(PoisonError::into_inner);
        for site in sites.iter() {
            site.each(&mut |bits, attributes| {
                let mut sorted = attributes.to_vec();
                sorted.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
                let same = merged.entry(hash_of(&sorted)).or_default();
                match same.iter_mut().find(|(set, _)| *set == sorted) {
                    Some((_, sum)) => *sum = sum.wrapping_add(bits),
                    None => same.push((sorted, bits)),
                }
            });
        }
        drop(sites);
        for (attributes, bits) in merged.values().flatten() {
            observe(*bits, attributes);
        }
    }
}

/// A new pipeline reports what is counted from now on: every sum's base moves to its total.
pub(crate) fn rebase_all() {
    let all = NAMED.lock().unwrap_or_else(PoisonError::into_inner);
    for named in all.iter() {
        for site in named
            .sites
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            site.rebase();
        }
    }
}

/// A hash of an attribute set as written at its site (key order matters here; sets are
/// merged across orders at collection).
fn hash_of(attributes: &[KeyValue]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for attribute in attributes {
        attribute.key.as_str().hash(&mut hasher);
        hash_value(&attribute.value, &mut hasher);
    }
    hasher.finish()
}

fn hash_value(value: &Value, hasher: &mut DefaultHasher) {
    match value {
        Value::Bool(b) => (0u8, b).hash(hasher),
        Value::I64(i) => (1u8, i).hash(hasher),
        Value::F64(f) => (2u8, f.to_bits()).hash(hasher),
        Value::String(s) => (3u8, s.as_str()).hash(hasher),
        // Arrays are rare as metric attributes: their text stands for them.
        other => (4u8, other.to_string()).hash(hasher),
    }
}

/// The map is keyed by a hash already computed: its hasher passes it through.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;

    use super::*;

    /// A cell of its own is written with a plain load and store: two running threads must
    /// never hold the same one.
    #[test]
    fn running_threads_hold_distinct_cells() {
        const THREADS: usize = STRIPES + 2;
        let all_assigned = Barrier::new(THREADS);
        let indices: Vec<usize> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        let index = stripe();
                        assert_eq!(stripe(), index, "a thread keeps its cell");
                        all_assigned.wait();
                        index
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().expect("no panic"))
                .collect()
        });
        let mut own: Vec<usize> = indices.into_iter().filter(|&i| i != SHARED).collect();
        let held = own.len();
        own.sort_unstable();
        own.dedup();
        assert_eq!(own.len(), held, "a cell held by two threads at once");
        assert!(own.iter().all(|&i| i < SHARED));
    }
}
