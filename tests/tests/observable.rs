//! Observable instruments: callbacks registered before or after `init` report at collection
//! time, through every pipeline, until their `Observation` is dropped. In a binary of its own,
//! since it starts and stops pipelines.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use signalry::config::{ExporterKind, Signal};
use signalry::otel::KeyValue;

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs a pipeline that only exports metrics, to the console, and returns the summary.
fn metrics_summary(during: impl FnOnce()) -> String {
    let console = Shared::default();
    let guard = signalry::builder()
        .exporters(Signal::Traces, &[])
        .exporters(Signal::Logs, &[])
        .exporters(Signal::Metrics, &[ExporterKind::Console])
        .console_output(console.clone())
        .init();
    during();
    drop(guard);
    let bytes = console
        .0
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    String::from_utf8_lossy(&bytes).into_owned()
}

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
