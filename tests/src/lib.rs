//! Test support for signalry's end-to-end tests.
//!
//! The tests in `tests/tests/` check signalry's behaviour against real peers started on
//! loopback. This library holds the harnesses that start those peers and read back what
//! they received:
//!
//! - [`collector`]: the [rotel](https://pypi.org/project/rotel/) OpenTelemetry collector
//!   (`rotel-agent`), run with its detailed debug log for traces, metrics and logs and the
//!   blackhole exporter. [`collector::Collector::start`] starts one on free ports and
//!   [`collector::Collector::wait_for`] returns the spans, metrics and log records it has
//!   printed, parsed into [`collector::Received`].
//!
//! - [`prometheus`]: Debian's Prometheus server, started on loopback to scrape an endpoint,
//!   queried with PromQL, and `promtool check metrics`.
//!
//! Tests that need a peer fail (they never skip) when the peer is not installed;
//! `scripts/test` installs the peers.

pub mod collector;
pub mod prometheus;

use std::process::{Command, Output};

/// Runs an instrumented program (the `probe` binary: pass `env!("CARGO_BIN_EXE_probe")`) with
/// every inherited `OTEL_*` variable removed and `vars` set, and checks that it exited cleanly:
/// each run has its own environment, its own `init` and a real exit.
///
/// # Panics
/// If the program cannot be started or fails, with its stderr.
pub fn run_probe(binary: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(binary);
    command.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("OTEL_") {
            command.env_remove(name);
        }
    }
    command.envs(vars.iter().copied());
    let output = command.output().expect("the probe binary runs");
    assert!(
        output.status.success(),
        "probe {args:?} with {vars:?} failed: {}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Metric call sites that live in this crate, so that tests (each its own crate) can check
/// what happens when two crates use one metric name differently.
pub mod other_crate {
    /// Counts one unit of work under `work.items`.
    pub fn count_work_items() {
        signalry::counter!("work.items", 1, unit = "{item}");
    }
}

/// A console destination that tests can read back, for whole-pipeline checks of what the
/// console exporter prints.
pub mod console {
    use std::io::Write;
    use std::sync::{Arc, Mutex, PoisonError};

    use signalry::config::{ExporterKind, Signal};

    /// Bytes written by the console exporter, shared with the test.
    #[derive(Clone, Debug, Default)]
    pub struct SharedConsole(Arc<Mutex<Vec<u8>>>);

    impl Write for SharedConsole {
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

    impl SharedConsole {
        /// Everything written so far.
        pub fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner))
                .into_owned()
        }
    }

    /// Runs `during` under a pipeline that only exports metrics, to the console, and returns
    /// what it printed (the metrics summary, at shutdown).
    pub fn metrics_summary(during: impl FnOnce()) -> String {
        let console = SharedConsole::default();
        let guard = signalry::builder()
            .exporters(Signal::Traces, &[])
            .exporters(Signal::Logs, &[])
            .exporters(Signal::Metrics, &[ExporterKind::Console])
            .console_output(console.clone())
            .init();
        during();
        drop(guard);
        console.text()
    }
}
