//! Counters and up-down counters kept by signalry in per-site cells: what the exporters receive
//! is the exact sum, however many threads add at once, with sites of one name merged by
//! attribute set, and attribute sets beyond the limit counted under the overflow set. In a
//! binary of its own, since it starts and stops pipelines.

use std::sync::{Mutex, PoisonError};

/// One pipeline at a time: each test starts its own.
static PIPELINE: Mutex<()> = Mutex::new(());

fn metrics_summary(during: impl FnOnce()) -> String {
    let _one = PIPELINE.lock().unwrap_or_else(PoisonError::into_inner);
    signalry_tests::console::metrics_summary(during)
}

fn lines<'a>(summary: &'a str, name: &'a str) -> Vec<&'a str> {
    summary
        .lines()
        .filter(|l| l.trim_start().starts_with(name))
        .collect()
}

fn hit(route: &'static str) {
    signalry::counter!(
        "cells.requests",
        1,
        unit = "{request}",
        attributes(http.route = route)
    );
}

#[test]
fn threads_adding_at_one_site_lose_nothing() {
    // More threads than cells of their own: some share the last cell.
    const THREADS: u64 = 16;
    const EACH: u64 = 25_000;
    let summary = metrics_summary(|| {
        std::thread::scope(|scope| {
            for _ in 0..THREADS {
                scope.spawn(|| {
                    for _ in 0..EACH {
                        signalry::counter!("cells.calls", 1, unit = "{call}");
                        signalry::updown!("cells.level", 2, unit = "{item}");
                        signalry::updown!("cells.level", -1, unit = "{item}");
                    }
                });
            }
        });
    });
    let calls = lines(&summary, "cells.calls");
    assert_eq!(calls.len(), 1, "{summary}");
    assert!(
        calls[0]
            .trim_end()
            .ends_with(&format!(" {}", THREADS * EACH)),
        "{summary}"
    );
    // Two sites, one name, one attribute set: one point, their sum.
    let level = lines(&summary, "cells.level");
    assert_eq!(level.len(), 1, "{summary}");
    assert!(
        level[0]
            .trim_end()
            .ends_with(&format!(" {}", THREADS * EACH)),
        "{summary}"
    );
}

#[test]
fn sites_of_one_name_merge_by_attribute_set_and_a_negative_sum_is_kept() {
    let summary = metrics_summary(|| {
        hit("/a");
        hit("/a");
        hit("/b");
        // Another site, literal attributes, the same set as `hit("/a")`.
        signalry::counter!(
            "cells.requests",
            5,
            unit = "{request}",
            attributes(http.route = "/a")
        );
        signalry::updown!("cells.balance", -7, unit = "{coin}");
    });
    let requests = lines(&summary, "cells.requests");
    assert_eq!(requests.len(), 2, "{summary}");
    let a = requests
        .iter()
        .find(|l| l.contains("http.route=/a"))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(a.trim_end().ends_with(" 7"), "{a}");
    let b = requests
        .iter()
        .find(|l| l.contains("http.route=/b"))
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(b.trim_end().ends_with(" 1"), "{b}");
    let balance = lines(&summary, "cells.balance");
    assert!(balance[0].trim_end().ends_with(" -7"), "{summary}");
}

#[test]
fn attribute_sets_beyond_the_limit_go_to_the_overflow_set() {
    let summary = metrics_summary(|| {
        for i in 0..2_004_i64 {
            signalry::counter!("cells.items", 1, unit = "{item}", attributes(item.id = i));
        }
    });
    let items = lines(&summary, "cells.items");
    let overflow = items
        .iter()
        .find(|l| l.contains("otel.metric.overflow=true"))
        .unwrap_or_else(|| panic!("no overflow set among {} lines", items.len()));
    assert!(overflow.trim_end().ends_with(" 5"), "{overflow}");
    assert_eq!(
        items.len(),
        2_000,
        "1999 sets and the overflow set: the SDK's limit"
    );
}

/// The value after `key=` on `line`.
fn field(line: &str, key: &str) -> f64 {
    line.split_whitespace()
        .find_map(|word| word.strip_prefix(key))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {key} on {line:?}"))
}

fn latency(value: f64) {
    signalry::histogram!("cells.latency", value, unit = "s", attributes(peer = "db"));
}

#[test]
fn histogram_cells_reach_the_exporter_with_exact_count_sum_min_and_max() {
    const THREADS: u32 = 4;
    const EACH: u32 = 5_000;
    let summary = metrics_summary(|| {
        std::thread::scope(|scope| {
            for t in 0..THREADS {
                scope.spawn(move || {
                    for i in 0..EACH {
                        latency(f64::from(t * EACH + i) * 1e-4);
                    }
                });
            }
        });
    });
    let line = lines(&summary, "cells.latency{peer=db}");
    assert_eq!(line.len(), 1, "{summary}");
    let n = THREADS * EACH;
    assert!(
        (field(line[0], "count=") - f64::from(n)).abs() < 0.5,
        "{line:?}"
    );
    let sum: f64 = (0..n).map(|i| f64::from(i) * 1e-4).sum();
    // The console prints about four significant digits.
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-3 * b.abs().max(1e-9);
    assert!(close(field(line[0], "sum="), sum), "{line:?}");
    assert!(field(line[0], "min=").abs() < 1e-12, "{line:?}");
    assert!(
        close(field(line[0], "max="), f64::from(n - 1) * 1e-4),
        "{line:?}"
    );
}

#[test]
fn histogram_cells_follow_a_new_pipeline() {
    let first = metrics_summary(|| {
        latency(1.0);
        latency(3.0);
    });
    let second = metrics_summary(|| latency(0.5));
    let first = lines(&first, "cells.latency{peer=db}");
    let second = lines(&second, "cells.latency{peer=db}");
    assert!((field(first[0], "count=") - 2.0).abs() < 0.5, "{first:?}");
    assert!((field(first[0], "sum=") - 4.0).abs() < 1e-9, "{first:?}");
    assert!((field(second[0], "count=") - 1.0).abs() < 0.5, "{second:?}");
    assert!((field(second[0], "max=") - 0.5).abs() < 1e-9, "{second:?}");
}
