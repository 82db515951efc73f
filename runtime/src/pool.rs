//! Per-thread buffers of finished records (spans, events) and the collector thread that empties
//! them.
//!
//! A record is boxed once and used again: a thread takes an empty box from its spares, fills it
//! in place, and when the record is done moves the pointer into its buffer (a lock no other
//! thread takes between collections). The collector thread takes every thread's buffer, turns
//! the records into the SDK's types for the batch processors, and gives the emptied boxes back
//! to the thread they came from. So the instrumented thread allocates nothing in the steady
//! state, and no thread frees memory another allocated (in glibc a cross-thread free contends
//! with the owner's next allocation).

// A record moves between a thread's spares, its buffer and the collector as a pointer: the
// boxes in the vectors below are the point.
#![allow(clippy::vec_box)]

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{LocalKey, Thread};
use std::time::Duration;

/// A record that can be emptied for use again.
pub(crate) trait Reusable: Default + 'static {
    /// What the records are, in messages: "spans".
    const WHAT: &'static str;
    /// The variable that sizes a thread's buffer of them.
    const QUEUE_VARIABLE: &'static str;

    /// Drops what the record holds, keeping what can be reused (vector capacity).
    fn clear(&mut self);

    /// This record type's side of each thread: a `thread_local!` of the type's module, named
    /// here rather than kept in the [`Pool`], so that every access is a direct thread-local
    /// access (a `LocalKey` read from a static with interior mutability is an indirect call).
    fn local() -> &'static LocalKey<Local<Self>>;
}

/// A thread buffer this long wakes the collector.
const COLLECT_AT: usize = 512;
/// How often the collector runs when no thread has a full batch sooner and no pipeline says
/// otherwise (`OTEL_BSP_SCHEDULE_DELAY`).
const COLLECT_EVERY: Duration = Duration::from_secs(5);

/// One thread's finished records, and the emptied ones the collector gives back.
struct Buffer<T> {
    finished: Mutex<Vec<Box<T>>>,
    given_back: Mutex<Vec<Box<T>>>,
}

impl<T> Default for Buffer<T> {
    fn default() -> Self {
        Self {
            finished: Mutex::new(Vec::new()),
            given_back: Mutex::new(Vec::new()),
        }
    }
}

/// A thread's side of a [`Pool`]; declared with `thread_local!` for each record type.
pub(crate) struct Local<T: 'static> {
    buffer: RefCell<Option<Arc<Buffer<T>>>>,
    spare: RefCell<Vec<Box<T>>>,
}

impl<T> Local<T> {
    pub(crate) const fn new() -> Self {
        Self {
            buffer: RefCell::new(None),
            spare: RefCell::new(Vec::new()),
        }
    }
}

/// The buffers of every thread for one record type.
pub(crate) struct Pool<T: Reusable> {
    buffers: Mutex<Vec<Arc<Buffer<T>>>>,
    /// Records dropped because a buffer was full, until reported.
    dropped: AtomicU64,
}

impl<T: Reusable> Pool<T> {
    pub(crate) const fn new() -> Self {
        Self {
            buffers: Mutex::new(Vec::new()),
            dropped: AtomicU64::new(0),
        }
    }

    /// An empty record: from this thread's spares, else from what the collector gave back,
    /// else a new one.
    #[inline]
    pub(crate) fn take(&self) -> Box<T> {
        T::local()
            .try_with(|local| {
                let spare = local.spare.borrow_mut().pop();
                spare.or_else(|| Self::given_back(local))
            })
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// Moves what the collector gave back into the lock-free spares, and returns one.
    fn given_back(local: &Local<T>) -> Option<Box<T>> {
        let buffer = local.buffer.borrow();
        let mut given = std::mem::take(
            &mut *buffer
                .as_ref()?
                .given_back
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let one = given.pop();
        local.spare.borrow_mut().append(&mut given);
        one
    }

    /// Keeps a record this thread did not use, emptied, for its next one. Every record was
    /// taken by this thread before, so keeping it never makes the thread hold more.
    pub(crate) fn recycle(&self, mut record: Box<T>) {
        record.clear();
        let _ = T::local().try_with(|local| local.spare.borrow_mut().push(record));
    }

    /// Adds a finished record to this thread's buffer, or drops and counts it when the buffer
    /// holds `max` already.
    #[inline]
    pub(crate) fn push(&self, record: Box<T>, max: usize) {
        let pushed = T::local().try_with(|local| {
            if local.buffer.borrow().is_none() {
                self.register(local);
            }
            let buffer = local.buffer.borrow();
            let Some(buffer) = buffer.as_ref() else {
                return Some(record);
            };
            let mut finished = buffer
                .finished
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if finished.len() >= max {
                WAKE.ask();
                return Some(record);
            }
            finished.push(record);
            // A full export batch waits: collect now rather than at the next tick.
            if finished.len() >= COLLECT_AT {
                WAKE.ask();
            }
            None
        });
        // A full buffer, or a thread being torn down.
        if let Ok(Some(record)) = pushed {
            if self.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                warn_dropping::<T>(max);
            }
            self.recycle(record);
        }
    }

    #[cold]
    fn register(&self, local: &Local<T>) {
        let buffer = Arc::new(Buffer::default());
        self.buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&buffer));
        *local.buffer.borrow_mut() = Some(buffer);
    }

    /// Takes every thread's finished records, hands each to `each`, and gives every emptied
    /// record back to its thread. A thread allocates a record only when it has none spare and
    /// none given back, that is when all it has are in its buffer, in a collection or open: so
    /// it holds as many as it had in flight at its busiest, at most two buffers' worth (its
    /// queue size each) and its open spans. Giving back fewer would make a thread that records
    /// faster than the collector allocates new records while the collector frees the rest, a
    /// cross-thread free per record. Buffers of threads that have ended are dropped once empty.
    pub(crate) fn collect(&self, mut each: impl FnMut(&mut T)) {
        let buffers = self
            .buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for buffer in &buffers {
            let mut records = {
                let mut finished = buffer
                    .finished
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let capacity = finished.capacity();
                // The thread goes on with a list as long as the one it filled.
                std::mem::replace(&mut *finished, Vec::with_capacity(capacity))
            };
            for record in &mut records {
                each(record);
                record.clear();
            }
            if !records.is_empty() {
                let mut given = buffer
                    .given_back
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                given.append(&mut records);
            }
        }
        drop(buffers);
        // Only the list holds the buffer of a thread that has ended.
        self.buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|buffer| {
                Arc::strong_count(buffer) > 1
                    || !buffer
                        .finished
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .is_empty()
            });
    }

    /// How many records were dropped since the last call.
    pub(crate) fn take_dropped(&self) -> u64 {
        self.dropped.swap(0, Ordering::Relaxed)
    }
}

/// An SDK processor as collection, flush and shutdown see it: span and log processors alike.
pub(crate) trait Processor {
    fn flush(&self) -> opentelemetry_sdk::error::OTelSdkResult;
    fn shut_down(&self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult;
}

impl Processor for dyn opentelemetry_sdk::trace::SpanProcessor {
    fn flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.force_flush()
    }

    fn shut_down(&self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        self.shutdown_with_timeout(timeout)
    }
}

impl Processor for dyn opentelemetry_sdk::logs::LogProcessor {
    fn flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        self.force_flush()
    }

    fn shut_down(&self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        self.shutdown_with_timeout(timeout)
    }
}

/// One pipeline's processors of a signal.
pub(crate) struct Processors<P: ?Sized> {
    /// Processors that see each record as it is finished (the console's), on its thread.
    pub(crate) immediate: Vec<Box<P>>,
    /// Batch processors fed from the threads' buffers by the collector: lanes of the one
    /// batched exporter, each with a connection of its own; every record goes to one lane.
    /// Records from other code go to the first.
    pub(crate) lanes: Vec<Box<P>>,
}

impl<P: ?Sized> std::fmt::Debug for Processors<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processors")
            .field("immediate", &self.immediate.len())
            .field("lanes", &self.lanes.len())
            .finish()
    }
}

impl<P: ?Sized + Processor> Processors<P> {
    fn all(&self) -> impl Iterator<Item = &P> {
        self.immediate.iter().chain(&self.lanes).map(|p| &**p)
    }

    /// Lets every lane export what it was handed.
    pub(crate) fn flush_lanes(&self) {
        for lane in &self.lanes {
            let _ = lane.flush();
        }
    }

    /// Flushes every processor; the first error, if any.
    pub(crate) fn force_flush(&self) -> opentelemetry_sdk::error::OTelSdkResult {
        first_error(self.all().map(P::flush))
    }

    /// Shuts every processor down; the first error, if any.
    pub(crate) fn shutdown(&self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        first_error(self.all().map(|p| p.shut_down(timeout)))
    }
}

/// The first error of several results, or `Ok`.
fn first_error(
    results: impl Iterator<Item = opentelemetry_sdk::error::OTelSdkResult>,
) -> opentelemetry_sdk::error::OTelSdkResult {
    let mut first = Ok(());
    for result in results {
        first = first.and(result);
    }
    first
}

/// Said when a pool starts dropping, once until shutdown reports how many were dropped.
#[cold]
#[inline(never)]
fn warn_dropping<T: Reusable>(max: usize) {
    eprintln!(
        "signalry: {what} are being dropped: a thread made more than {max} ({variable}) between \
         two collections; shutdown reports how many",
        what = T::WHAT,
        variable = T::QUEUE_VARIABLE,
    );
}

/// How threads ask the collector thread for a pass.
///
/// A flag, not the thread's park token, says whether a pass was asked for: a pass calls code
/// that parks too (a channel, a batch processor's flush), and a park there can use up the token
/// of an unpark meant for the collector, which then slept until its next tick while the
/// threads' buffers filled and dropped.
struct Wake {
    asked: AtomicBool,
    collector: OnceLock<Option<Thread>>,
}

impl Wake {
    const fn new() -> Self {
        Self {
            asked: AtomicBool::new(false),
            collector: OnceLock::new(),
        }
    }

    /// Asks for a pass now, once per pass however many threads are over the mark: until the
    /// pass starts, asking again is one load.
    #[inline]
    fn ask(&self) {
        if !self.asked.load(Ordering::Relaxed) {
            self.ask_first();
        }
    }

    #[cold]
    #[inline(never)]
    fn ask_first(&self) {
        if !self.asked.swap(true, Ordering::AcqRel) {
            if let Some(Some(collector)) = self.collector.get() {
                collector.unpark();
            }
        }
    }

    /// On the collector thread: returns when a pass was asked for, or after `timeout`, and
    /// takes the request, so that a buffer filling again from now on asks again.
    fn wait(&self, timeout: Duration) {
        if !self.asked.load(Ordering::Acquire) {
            std::thread::park_timeout(timeout);
        }
        self.asked.store(false, Ordering::Release);
    }
}

static WAKE: Wake = Wake::new();

/// Starts the thread that empties the buffers, once per process: every schedule delay of the
/// current pipeline, or when a thread's buffer holds a full batch.
pub(crate) fn start_collector() {
    WAKE.collector.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("signalry-collect".into())
            .spawn(|| loop {
                let every = crate::state::with_current(|pipeline| pipeline.collect_every());
                WAKE.wait(every.unwrap_or(COLLECT_EVERY));
                crate::clock::anchor();
                crate::state::with_current(|pipeline| pipeline.collect());
            });
        match spawned {
            Ok(handle) => Some(handle.thread().clone()),
            // Without the thread, records are still collected on flush and shutdown.
            Err(e) => {
                eprintln!("signalry: cannot start the collector thread: {e}");
                None
            }
        }
    });
}

/// Where a [`Delivery`] stands: kept from one collection to the next, so that a burst collected
/// in several passes still waits for the lanes before their queues could overflow.
#[derive(Clone, Copy, Debug, Default)]
struct Handed {
    /// The lane the next record goes to.
    lane: usize,
    /// Records that lane has had of its current batch.
    in_batch: usize,
    /// Records handed to any lane since the last flush.
    since_flush: usize,
}

/// How one pipeline hands a record type's buffers to its batch processors: the settings and
/// the state that spans and events share.
pub(crate) struct Delivery {
    /// Records per thread buffer at most; beyond that new ones are dropped and counted.
    pub(crate) max_buffered: usize,
    /// Records handed to one lane before the next lane's turn: a full export batch.
    chunk: usize,
    /// Records handed to the lanes between two flushes: in whole rounds of a batch per lane, as
    /// many rounds as a batch processor's queue holds with a batch to spare, so that none
    /// overflows while the lanes export what they were handed before.
    per_flush: usize,
    /// How often the collector runs (the schedule delay).
    pub(crate) every: Duration,
    /// Batch processors (lanes) there are.
    lanes: usize,
    /// Where the handing-over stands, across collections; held while records are handed over,
    /// so that shutdown never overtakes a collection in progress.
    delivering: Mutex<Handed>,
    shut_down: std::sync::atomic::AtomicBool,
}

impl Delivery {
    pub(crate) fn new(batch: crate::config::BatchConfig, lanes: usize) -> Self {
        if lanes > 0 {
            start_collector();
        }
        let max_buffered = batch.max_queue_size.max(1);
        let chunk = batch.max_export_batch_size.clamp(1, max_buffered);
        Self {
            max_buffered,
            chunk,
            per_flush: (max_buffered / chunk).saturating_sub(1).max(1) * chunk * lanes.max(1),
            every: batch.schedule_delay,
            lanes,
            delivering: Mutex::new(Handed::default()),
            shut_down: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Whether finished records go to the buffers at all.
    #[inline]
    pub(crate) fn open(&self) -> bool {
        self.lanes > 0 && !self.shut_down.load(Ordering::Relaxed)
    }

    /// Takes `pool`'s buffered records and hands each to a lane with `hand(lane, record)`, a
    /// full export batch per lane in turn. The lanes export while the next batches are made;
    /// before a lane's queue could overflow, `flush` (each lane's `force_flush`) waits for
    /// them to export what they hold.
    pub(crate) fn collect<T: Reusable>(
        &self,
        pool: &Pool<T>,
        mut hand: impl FnMut(usize, &mut T),
        mut flush: impl FnMut(),
    ) {
        if self.lanes == 0 {
            return;
        }
        let mut delivering = self
            .delivering
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.shut_down.load(Ordering::Relaxed) {
            return;
        }
        // Counted in a copy and stored once at the end: the settings beside it are read by every
        // recording thread for every record.
        let mut handed = *delivering;
        pool.collect(|record| {
            hand(handed.lane, record);
            handed.in_batch += 1;
            if handed.in_batch == self.chunk {
                handed.in_batch = 0;
                handed.lane = (handed.lane + 1) % self.lanes;
            }
            handed.since_flush += 1;
            if handed.since_flush == self.per_flush {
                handed.since_flush = 0;
                flush();
            }
        });
        *delivering = handed;
    }

    /// Closes delivery once the last collection is done, shuts the processors down with
    /// `shutdown`, and reports the records `pool` dropped, naming the variable that sizes its
    /// buffers.
    pub(crate) fn shut<T: Reusable>(
        &self,
        pool: &Pool<T>,
        shutdown: impl FnOnce() -> opentelemetry_sdk::error::OTelSdkResult,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        let dropped = pool.take_dropped();
        {
            let _delivering = self
                .delivering
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.shut_down.store(true, Ordering::Relaxed);
        }
        let shut = shutdown();
        if dropped > 0 {
            return Err(opentelemetry_sdk::error::OTelSdkError::InternalFailure(
                format!(
                    "{dropped} {what} were dropped: a thread made more between two collections \
                     than the queue holds ({variable})",
                    what = T::WHAT,
                    variable = T::QUEUE_VARIABLE,
                ),
            ));
        }
        shut
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Instant;

    use super::*;

    struct Item;

    /// Items made by `Pool::take` (tests that count them make no other).
    static CREATED: AtomicU64 = AtomicU64::new(0);

    impl Default for Item {
        fn default() -> Self {
            CREATED.fetch_add(1, Ordering::Relaxed);
            Item
        }
    }

    thread_local! {
        static ITEMS: Local<Item> = const { Local::new() };
    }

    impl Reusable for Item {
        const WHAT: &'static str = "items";
        const QUEUE_VARIABLE: &'static str = "ITEMS_QUEUE";

        fn clear(&mut self) {}

        fn local() -> &'static LocalKey<Local<Self>> {
            &ITEMS
        }
    }

    /// The most any lane holds between two flushes, when `passes` collections of `each`
    /// records go to `lanes` lanes with a queue of `queue` and batches of `batch`; and how
    /// many flushes there were.
    fn most_held(
        queue: usize,
        batch: usize,
        lanes: usize,
        passes: usize,
        each: usize,
    ) -> (usize, usize) {
        static POOL: Pool<Item> = Pool::new();
        let delivery = Delivery::new(
            crate::config::BatchConfig {
                schedule_delay: Duration::from_secs(60),
                export_timeout: Duration::from_secs(1),
                max_queue_size: queue,
                max_export_batch_size: batch,
                max_concurrent_exports: lanes,
            },
            lanes,
        );
        let held = std::cell::RefCell::new(vec![0usize; lanes]);
        let (mut most, mut flushes) = (0, 0);
        for _ in 0..passes {
            for _ in 0..each {
                POOL.push(Box::new(Item), delivery.max_buffered);
            }
            delivery.collect(
                &POOL,
                |lane, _| {
                    let mut held = held.borrow_mut();
                    held[lane] += 1;
                    most = most.max(held[lane]);
                },
                || {
                    held.borrow_mut().fill(0);
                    flushes += 1;
                },
            );
        }
        (most, flushes)
    }

    /// A burst collected in several passes, none of them a whole round of batches: the lanes
    /// are still flushed before any holds more than its queue less a batch.
    #[test]
    fn no_lane_overflows_across_collections() {
        // Queue 8, batches of 2: a lane holds 6 at most between flushes.
        let (most, flushes) = most_held(8, 2, 1, 3, 5);
        assert_eq!((most, flushes), (6, 2));
        let (most, flushes) = most_held(8, 2, 2, 4, 5);
        assert_eq!((most, flushes), (6, 1));
    }

    /// A thread that records faster than the collector fills its buffer again while the last
    /// one is being collected: it allocates two buffers' worth once, then only reuses them.
    #[test]
    fn a_thread_faster_than_the_collector_reuses_every_record_it_made() {
        static POOL: Pool<Item> = Pool::new();
        // More than a collection's mark, so that the collector is woken on each round.
        const QUEUE: usize = 3 * COLLECT_AT;
        let record_a_queue = || {
            for _ in 0..QUEUE {
                POOL.push(POOL.take(), QUEUE);
            }
        };
        for _ in 0..4 {
            record_a_queue();
            let mut first = true;
            POOL.collect(|_| {
                if std::mem::take(&mut first) {
                    record_a_queue();
                }
            });
        }
        assert_eq!(CREATED.load(Ordering::Relaxed), 2 * QUEUE as u64);
    }

    /// An unpark meant for the collector can be used up by a park inside a pass (a channel, a
    /// flush): the request stands anyway, and the collector's next wait returns at once.
    #[test]
    fn a_request_made_during_a_pass_is_not_lost_to_another_park() {
        static TEST_WAKE: Wake = Wake::new();
        let (in_pass, pass_started) = mpsc::channel();
        let collector = std::thread::spawn(move || {
            TEST_WAKE.wait(Duration::from_secs(60));
            in_pass.send(()).expect("the test waits");
            while !TEST_WAKE.asked.load(Ordering::Acquire) {
                std::thread::yield_now();
            }
            // Something in the pass parks: the unpark's token is used up here.
            std::thread::park_timeout(Duration::from_millis(50));
            let started = Instant::now();
            TEST_WAKE.wait(Duration::from_secs(60));
            started.elapsed()
        });
        let _ = TEST_WAKE.collector.set(Some(collector.thread().clone()));
        TEST_WAKE.ask();
        pass_started.recv().expect("the first pass starts");
        TEST_WAKE.ask();
        let waited = collector.join().expect("no panic");
        assert!(
            waited < Duration::from_secs(30),
            "the request made during the pass was lost: waited {waited:?}"
        );
    }
}
