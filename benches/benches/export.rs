//! Group 6, export throughput: `#[traced]` spans and `TelemetryEvent` records per second from
//! this process to the real `rotel` collector over loopback OTLP/gRPC and OTLP/HTTP-protobuf,
//! and a check that the collector received every one.
//!
//! A plain program rather than a criterion bench (`harness = false`): one run sends N items
//! and times it from the first call until the guard's shutdown has flushed the last batch, so
//! the figure is what the whole pipeline sustains (instrumented calls, batch processor, OTLP
//! encoding, gRPC, the collector's acknowledgement), not just the calls. Then it waits until
//! the collector's per-batch counts (`--debug-log-verbosity basic`) add up to N and fails if
//! they do not: nothing may be lost.
//!
//! The batch processors' queues are sized to N (`OTEL_BSP_MAX_QUEUE_SIZE`,
//! `OTEL_BLRP_MAX_QUEUE_SIZE`) so that a fast producer is never dropped; batches are the
//! default 512. Both signals are sent again with four exports in flight, each over a
//! connection of its own (`OTEL_BSP_MAX_CONCURRENT_EXPORTS`, `OTEL_BLRP_MAX_CONCURRENT_EXPORTS`),
//! and the spans once more in batches of 8192 (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`), to show how
//! much of the rate is paid per export.
//! `cargo bench` sends 500,000 of each; in test mode (`cargo test --benches`, as
//! `scripts/test` runs it) 20,000, to check the pipeline quickly. Needs `rotel-agent`
//! (`ROTEL_AGENT`, see `scripts/test`).

use std::time::{Duration, Instant};

use signalry::config::{Protocol, Signal};
use signalry::TelemetryEvent as _;
use signalry_tests::collector::{Collector, ReceivedCounts, Verbosity};

#[signalry::traced]
fn exported_span(index: u64) -> u64 {
    std::hint::black_box(index)
}

#[derive(signalry::TelemetryEvent)]
#[event(name = "bench.export.item")]
struct ExportedEvent {
    index: u64,
}

/// One signal's run.
struct Run {
    sent: u64,
    calls: Duration,
    total: Duration,
    received: ReceivedCounts,
}

impl Run {
    fn report(&self, label: &str, unit: &str, received: u64) {
        let per_second = self.sent as f64 / self.total.as_secs_f64();
        println!(
            "export/{label}: sent {} received {received} in {:.3} s ({:.3} s of calls): {:.0} {unit}/s",
            self.sent,
            self.total.as_secs_f64(),
            self.calls.as_secs_f64(),
            per_second
        );
    }
}

/// Sends `n` items with `emit` to `collector` over `protocol` with only `signal` on, and waits
/// for them.
fn run(
    collector: &Collector,
    protocol: Protocol,
    signal: Signal,
    n: u64,
    emit: impl Fn(u64),
) -> Run {
    let off: Vec<Signal> = [Signal::Traces, Signal::Metrics, Signal::Logs]
        .into_iter()
        .filter(|s| *s != signal)
        .collect();
    let endpoint = match protocol {
        Protocol::Grpc => collector.grpc_endpoint(),
        _ => collector.http_endpoint(),
    };
    let mut builder = signalry::builder()
        .service_name("signalry-bench-export")
        .otlp_endpoint(endpoint)
        .otlp_protocol(protocol)
        .shutdown_timeout(Duration::from_secs(120));
    for s in off {
        builder = builder.exporters(s, &[]);
    }
    let before = collector.counts();
    let telemetry = builder.init();
    let started = Instant::now();
    for i in 0..n {
        emit(i);
    }
    let calls = started.elapsed();
    let problems = telemetry.shutdown();
    let total = started.elapsed();
    assert!(problems.is_empty(), "shutdown did not flush: {problems:?}");
    let expected = match signal {
        Signal::Traces => ReceivedCounts {
            spans: before.spans + n,
            logs: before.logs,
        },
        _ => ReceivedCounts {
            spans: before.spans,
            logs: before.logs + n,
        },
    };
    let received = collector.wait_for_counts(Duration::from_secs(30), |c| {
        c.spans >= expected.spans && c.logs >= expected.logs
    });
    assert_eq!(
        received, expected,
        "the collector did not receive every item"
    );
    Run {
        sent: n,
        calls,
        total,
        received: ReceivedCounts {
            spans: received.spans - before.spans,
            logs: received.logs - before.logs,
        },
    }
}

/// `n` spans, then `n` log records, over gRPC and then HTTP/protobuf; `suffix` ends the labels.
fn spans_and_records(collector: &Collector, n: u64, suffix: &str) {
    for (protocol, label) in [(Protocol::Grpc, "grpc"), (Protocol::HttpProtobuf, "http")] {
        let spans = run(collector, protocol, Signal::Traces, n, |i| {
            exported_span(i);
        });
        spans.report(
            &format!("{label}/spans{suffix}"),
            "spans",
            spans.received.spans,
        );
        let logs = run(collector, protocol, Signal::Logs, n, |i| {
            ExportedEvent { index: i }.emit();
        });
        logs.report(
            &format!("{label}/log_records{suffix}"),
            "log records",
            logs.received.logs,
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let benching = std::env::args().any(|a| a == "--bench");
    let n: u64 = if benching { 500_000 } else { 20_000 };
    // Read by `init`; set before any thread starts.
    std::env::set_var("OTEL_BSP_MAX_QUEUE_SIZE", n.to_string());
    std::env::set_var("OTEL_BLRP_MAX_QUEUE_SIZE", n.to_string());

    let collector = Collector::start_with(Verbosity::Basic);
    spans_and_records(&collector, n, "");

    // The same spans and records with four exports in flight, each over a connection of its
    // own: how much of the rate is waiting on one export at a time.
    std::env::set_var("OTEL_BSP_MAX_CONCURRENT_EXPORTS", "4");
    std::env::set_var("OTEL_BLRP_MAX_CONCURRENT_EXPORTS", "4");
    spans_and_records(&collector, n, "_4_exports");
    std::env::remove_var("OTEL_BSP_MAX_CONCURRENT_EXPORTS");
    std::env::remove_var("OTEL_BLRP_MAX_CONCURRENT_EXPORTS");

    // The same spans over gRPC in batches of 8192 instead of 512: how much of the rate is per
    // batch.
    std::env::set_var("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "8192");
    let big_batches = run(&collector, Protocol::Grpc, Signal::Traces, n, |i| {
        exported_span(i);
    });
    big_batches.report("grpc/spans_batch_8192", "spans", big_batches.received.spans);
}
