//! An instrumented program for the Prometheus end-to-end test: it initialises signalry from the
//! environment (the test sets `OTEL_METRICS_EXPORTER=prometheus` and
//! `OTEL_EXPORTER_PROMETHEUS_{HOST,PORT}`), records one of each instrument with the macros,
//! prints `ready`, and keeps serving `/metrics` until its stdin closes or 30 s pass.

use std::sync::mpsc;
use std::time::Duration;

/// The longest the probe serves, should the test never close its stdin.
const LIFETIME: Duration = Duration::from_secs(30);

fn main() {
    let telemetry = signalry::init();

    signalry::counter!(
        "probe.orders.created",
        3,
        unit = "{order}",
        description = "Orders created by the probe",
        attributes(order.kind = "express")
    );
    signalry::histogram!(
        "probe.request.duration",
        0.25,
        unit = "s",
        description = "Time to handle a request"
    );
    signalry::gauge!("probe.queue.fill", 0.5, unit = "1");
    // In milliseconds here; Prometheus gets seconds.
    signalry::histogram!(
        "probe.job.duration",
        250.0,
        unit = "ms",
        description = "Job time"
    );
    signalry::updown!(
        "probe.queue.size",
        2,
        unit = "{item}",
        description = "Items waiting in the queue"
    );
    println!("ready");

    let (closed, stdin_closed) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        let _ = closed.send(());
    });
    let _ = stdin_closed.recv_timeout(LIFETIME);

    for problem in telemetry.shutdown() {
        eprintln!("shutdown: {problem}");
    }
}
