//! The process-wide telemetry state that every call site consults.
//!
//! A call site first reads [`MODE`], one relaxed atomic load: when telemetry is off that is
//! all it costs. Only when it is on does the site fetch the installed [`Pipeline`].

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use crate::pipeline::Pipeline;

/// No pipeline yet, and nobody has been told so.
const UNINITIALISED: u8 = 0;
/// Telemetry is off and that has been said once.
const DISABLED: u8 = 1;
/// A pipeline is installed.
const ENABLED: u8 = 2;

static MODE: AtomicU8 = AtomicU8::new(UNINITIALISED);
static CURRENT: RwLock<Option<Arc<Pipeline>>> = RwLock::new(None);
/// The pipelines installed, by generation (the first in slot 0): while one is the current
/// pipeline, call sites reach it with two loads, no lock and no reference count (a lock and a
/// count are writes to lines every recording thread shares). A pipeline put here is kept for
/// the life of the process, so that a call site can use it however long it runs: programs
/// install one, tests a few, and a pipeline that was shut down holds no thread and little
/// memory. Generations past the last slot (and uninstalls, which take one too) are reached
/// through [`CURRENT`].
static INSTALLED: [OnceLock<Arc<Pipeline>>; 64] = [const { OnceLock::new() }; 64];
/// Bumped on every install, so that per-call-site caches know when to rebuild.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Whether telemetry is on: the hot-path check, one relaxed load. Generated code calls it;
/// not a public API.
#[inline(always)]
pub fn enabled() -> bool {
    match MODE.load(Ordering::Relaxed) {
        ENABLED => true,
        DISABLED => false,
        _ => {
            report_uninitialised_once();
            false
        }
    }
}

#[cold]
#[inline(never)]
fn report_uninitialised_once() {
    if MODE
        .compare_exchange(
            UNINITIALISED,
            DISABLED,
            Ordering::Relaxed,
            Ordering::Relaxed,
        )
        .is_ok()
    {
        eprintln!(
            "signalry: telemetry is disabled: signalry::init() was not called, so instrumented \
             code records nothing"
        );
    }
}

/// Says once, at start-up, that telemetry is off and why.
pub(crate) fn report_disabled(reason: &str) {
    MODE.store(DISABLED, Ordering::Relaxed);
    eprintln!("signalry: telemetry is disabled: {reason}");
}

/// Runs `f` on the installed pipeline, if there is one.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Pipeline) -> R) -> Option<R> {
    if let Some(pipeline) = installed(GENERATION.load(Ordering::Acquire)).and_then(OnceLock::get) {
        return Some(f(pipeline));
    }
    // Uninstalled, or past the slots.
    current().map(|pipeline| f(&pipeline))
}

/// The slot of the pipeline installed as `generation`, if it has one.
#[inline]
fn installed(generation: u64) -> Option<&'static OnceLock<Arc<Pipeline>>> {
    let index = usize::try_from(generation.checked_sub(1)?).ok()?;
    INSTALLED.get(index)
}

/// The installed pipeline, if any.
pub(crate) fn current() -> Option<Arc<Pipeline>> {
    CURRENT
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// The generation of the installed pipeline; changes on every install.
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Makes `pipeline` the one every call site uses, replacing any other.
pub(crate) fn install(pipeline: Arc<Pipeline>) {
    // Counters kept by signalry report to the new pipeline what is counted from now on.
    crate::metrics::sums::rebase_all();
    let mut slot = CURRENT.write().unwrap_or_else(PoisonError::into_inner);
    *slot = Some(Arc::clone(&pipeline));
    // Installs and uninstalls hold the lock: nobody else moves the generation.
    let generation = GENERATION.load(Ordering::Relaxed) + 1;
    if let Some(kept) = installed(generation) {
        let _ = kept.set(pipeline);
    }
    GENERATION.store(generation, Ordering::Release);
    MODE.store(ENABLED, Ordering::Release);
}

/// Removes `pipeline` if it is still the installed one; call sites go quiet.
pub(crate) fn uninstall(pipeline: &Arc<Pipeline>) {
    let mut slot = CURRENT.write().unwrap_or_else(PoisonError::into_inner);
    if slot.as_ref().is_some_and(|p| Arc::ptr_eq(p, pipeline)) {
        *slot = None;
        GENERATION.fetch_add(1, Ordering::AcqRel);
        MODE.store(DISABLED, Ordering::Release);
    }
}
