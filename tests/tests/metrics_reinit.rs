//! A call site keeps working across a second `init`: it records into the new pipeline, never
//! into the shut-down one. In a binary of its own, since it starts and stops pipelines.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use signalry::config::{ExporterKind, Signal};

/// A console destination the test can read back.
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

impl Shared {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

fn record(n: u64) {
    signalry::counter!("reinit.events", n, unit = "{event}");
}

fn pipeline(console: &Shared) -> signalry::Guard {
    signalry::builder()
        .exporters(Signal::Traces, &[])
        .exporters(Signal::Logs, &[])
        .exporters(Signal::Metrics, &[ExporterKind::Console])
        .console_output(console.clone())
        .init()
}

#[test]
fn a_call_site_follows_a_new_pipeline() {
    let first = Shared::default();
    let guard = pipeline(&first);
    record(2);
    drop(guard);
    assert!(first.text().contains("reinit.events"), "{}", first.text());

    let second = Shared::default();
    let guard = pipeline(&second);
    record(5);
    record(1);
    drop(guard);
    let summary = second.text();
    let line = summary
        .lines()
        .find(|l| l.contains("reinit.events"))
        .unwrap_or_else(|| panic!("the second pipeline saw nothing: {summary}"));
    assert!(line.trim_end().ends_with(" 6"), "{line}");
}
