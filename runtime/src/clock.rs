//! The clock every instrumented call reads: the CPU's time-stamp counter where it is invariant
//! (`quanta`, about 8 ns a read here, where the system clock takes 25), else the system's
//! monotonic clock.
//!
//! A call reads raw ticks only; turning them into nanoseconds is a multiply and a shift, and
//! into wall-clock time an addition of [`OFFSET`], which the collector re-reads from the system
//! clock at every collection so that times follow the system clock's corrections.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The calibrated clock and its reading when calibrated.
struct Tsc {
    clock: quanta::Clock,
    base: u64,
}

static TSC: OnceLock<Tsc> = OnceLock::new();

/// Wall-clock nanoseconds since the Unix epoch at `Tsc::base`.
static OFFSET: AtomicU64 = AtomicU64::new(0);

/// A backward move of the system clock larger than this is followed; smaller ones are noise.
const CLOCK_STEP: u64 = 1_000_000;

/// Calibrating takes up to 200 ms, once per process: building a pipeline does it (through
/// [`anchor`]), so that no instrumented call waits for it.
#[inline]
fn tsc() -> &'static Tsc {
    TSC.get_or_init(|| {
        let clock = quanta::Clock::new();
        let base = clock.raw();
        Tsc { clock, base }
    })
}

/// A raw reading, for [`elapsed`].
#[inline]
pub(crate) fn ticks() -> u64 {
    tsc().clock.raw()
}

/// The time between two readings of [`ticks`]; zero if `to` is not after `from`.
#[inline]
pub(crate) fn elapsed(from: u64, to: u64) -> Duration {
    Duration::from_nanos(tsc().clock.delta_as_nanos(from, to))
}

/// The time now in nanoseconds since the Unix epoch.
#[inline]
pub(crate) fn now() -> u64 {
    let tsc = tsc();
    let since_base = tsc.clock.delta_as_nanos(tsc.base, tsc.clock.raw());
    OFFSET.load(Ordering::Relaxed).saturating_add(since_base)
}

/// [`now`] as a `SystemTime`.
#[inline]
pub(crate) fn wall_now() -> SystemTime {
    system_time(now())
}

/// Re-reads where the system clock stands against the counter.
pub(crate) fn anchor() {
    let tsc = tsc();
    // The system clock read between two counter reads; a pair far apart (the thread was
    // preempted) says little about where the system clock stands, so it is read again.
    for _ in 0..4 {
        let before = tsc.clock.raw();
        let wall = nanos_since_epoch(SystemTime::now());
        let after = tsc.clock.raw();
        let gap = tsc.clock.delta_as_nanos(before, after);
        if gap > 20_000 {
            continue;
        }
        let since_base = tsc.clock.delta_as_nanos(tsc.base, before) + gap / 2;
        let offset = wall.saturating_sub(since_base);
        // Moving the clock back would let a span that starts after another read an earlier
        // time: only a real step of the system clock (beyond the reads' noise) does that.
        let current = OFFSET.load(Ordering::Relaxed);
        if offset > current || current - offset > CLOCK_STEP || current == 0 {
            OFFSET.store(offset, Ordering::Relaxed);
        }
        return;
    }
}

/// `nanos` since the Unix epoch as a `SystemTime`.
#[inline]
pub(crate) fn system_time(nanos: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(nanos)
}

/// A `SystemTime` as nanoseconds since the Unix epoch: 0 before it, `u64::MAX` past 2554.
#[inline]
pub(crate) fn nanos_since_epoch(time: SystemTime) -> u64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => since
            .as_secs()
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::from(since.subsec_nanos())),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_follows_the_system_clock() {
        anchor();
        let system = nanos_since_epoch(SystemTime::now());
        let ours = now();
        assert!(ours.abs_diff(system) < 50_000_000, "{ours} vs {system}");
    }

    #[test]
    fn nanoseconds_and_system_times_convert_both_ways() {
        let nanos = 1_764_460_800_123_456_789;
        assert_eq!(nanos_since_epoch(system_time(nanos)), nanos);
        assert_eq!(nanos_since_epoch(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }

    #[test]
    fn elapsed_counts_forward_only() {
        let from = ticks();
        std::thread::sleep(Duration::from_millis(2));
        let to = ticks();
        assert!(elapsed(from, to) >= Duration::from_millis(1));
        assert_eq!(elapsed(to, from), Duration::ZERO);
    }
}
