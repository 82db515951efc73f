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
    const THREADS: u64 = 8;
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
