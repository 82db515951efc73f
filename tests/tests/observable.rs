//! Observable instruments: callbacks registered before or after `init` report at collection
//! time, through every pipeline, until their `Observation` is dropped. In a binary of its own,
//! since it starts and stops pipelines.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use signalry::otel::KeyValue;
use signalry_tests::console::metrics_summary;

fn line<'a>(summary: &'a str, name: &str) -> Option<&'a str> {
    summary.lines().find(|l| l.contains(name))
}

#[test]
fn callbacks_report_through_every_pipeline_until_dropped() {
    let level = Arc::new(AtomicU64::new(7));
    let seen = Arc::clone(&level);
    // Registered before any pipeline exists.
    let gauge = signalry::observable_gauge!(
        "tank.fill.ratio",
        move |observer| {
            let value = seen.load(Ordering::Relaxed) as f64 / 10.0;
            observer.observe(value, &[KeyValue::new("tank.name", "north")]);
        },
        unit = "1"
    );

    let mut later = None;
    let summary = metrics_summary(|| {
        // Registered while a pipeline runs.
        later = Some(signalry::observable_counter!(
            "tank.refills",
            |observer| observer.observe(3, &[]),
            unit = "{refill}"
        ));
    });
    let fill = line(&summary, "tank.fill.ratio").unwrap_or_else(|| panic!("{summary}"));
    assert!(
        fill.contains("tank.name=north") && fill.trim_end().ends_with("0.7"),
        "{fill}"
    );
    let refills = line(&summary, "tank.refills").unwrap_or_else(|| panic!("{summary}"));
    assert!(refills.trim_end().ends_with(" 3"), "{refills}");

    // A second pipeline sees both, with the gauge's current value.
    level.store(9, Ordering::Relaxed);
    let summary = metrics_summary(|| {});
    let fill = line(&summary, "tank.fill.ratio").unwrap_or_else(|| panic!("{summary}"));
    assert!(fill.trim_end().ends_with("0.9"), "{fill}");
    assert!(line(&summary, "tank.refills").is_some(), "{summary}");

    // Dropped: no longer called.
    drop(gauge);
    drop(later);
    let summary = metrics_summary(|| {});
    assert!(line(&summary, "tank.fill.ratio").is_none(), "{summary}");
    assert!(line(&summary, "tank.refills").is_none(), "{summary}");
}
