//! A small instrumented program that the end-to-end tests run as a child process, so that each
//! run has its own environment, its own `init` and a real exit.
//!
//! `probe <scenario> [count]`, configured through the usual `OTEL_*` variables, plus
//! `PROBE_SHUTDOWN_TIMEOUT_MS`. Prints `sent spans=N metrics=N logs=N` on stdout before
//! dropping the guard, and `calls took <ms>` for the instrumented calls themselves.

use std::time::{Duration, Instant};

use signalry::TelemetryEvent as _;

/// How an order was paid: part of the events about it.
#[derive(signalry::TelemetryEvent)]
#[event(nested)]
struct Payment<'a> {
    method: &'a str,
    #[event(redact)]
    card: &'a str,
}

/// The README shows this event beside what the collector received of it.
#[derive(signalry::TelemetryEvent)]
#[event(
    name = "probe.order.failed",
    severity = error,
    body = "order {order} failed: {reason}",
    count = "probe.orders.failed"
)]
struct OrderFailed<'a> {
    #[event(rename = "order.id")]
    order: u64,
    #[event(count_by)]
    reason: &'a str,
    #[event(flatten)]
    payment: Payment<'a>,
    #[event(truncate = 16)]
    detail: String,
    items: Vec<u64>,
}

#[derive(signalry::TelemetryEvent)]
#[event(name = "probe.item")]
struct Item {
    #[event(rename = "item.index")]
    index: u64,
}

#[derive(Debug)]
struct Declined;

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("card declined")
    }
}

#[signalry::traced(name = "probe.request", kind = server)]
async fn request(order: u64) -> Result<(), Declined> {
    let started = Instant::now();
    lookup(order).await;
    let outcome = charge(order);
    let result = if outcome.is_ok() { "ok" } else { "declined" };
    signalry::counter!(
        "probe.requests",
        1,
        unit = "{request}",
        description = "Requests handled by the probe",
        attributes(outcome = result)
    );
    signalry::histogram!(
        "probe.request.duration",
        started.elapsed().as_secs_f64(),
        unit = "s",
        description = "Time to handle a request"
    );
    outcome
}

#[signalry::traced(name = "probe.lookup", kind = client)]
async fn lookup(order: u64) {
    tokio::task::yield_now().await;
    std::hint::black_box(order);
}

#[signalry::traced(name = "probe.charge")]
fn charge(order: u64) -> Result<(), Declined> {
    if order.is_multiple_of(2) {
        OrderFailed {
            order,
            reason: "card declined",
            payment: Payment {
                method: "card",
                card: "4111 1111 1111 1111",
            },
            detail: "issuer said: insufficient funds".to_owned(),
            items: vec![3, 5],
        }
        .emit();
        return Err(Declined);
    }
    Ok(())
}

#[signalry::traced(name = "probe.item")]
fn item(i: u64) {
    Item { index: i }.emit();
    signalry::counter!(
        "probe.items",
        1,
        unit = "{item}",
        description = "Items handled by the probe",
        attributes(item.batch = i / 2)
    );
}

/// Threads of this process named `signalry-export`, once those ending have ended (within 5 s).
fn export_threads() -> usize {
    let count = || {
        std::fs::read_dir("/proc/self/task")
            .map(|tasks| {
                tasks
                    .flatten()
                    .filter(|task| {
                        std::fs::read_to_string(task.path().join("comm"))
                            .is_ok_and(|name| name.trim() == "signalry-export")
                    })
                    .count()
            })
            .unwrap_or(usize::MAX)
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while count() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    count()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().unwrap_or_else(|| "tree".to_owned());
    let count: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let timeout = std::env::var("PROBE_SHUTDOWN_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(signalry::DEFAULT_SHUTDOWN_TIMEOUT, Duration::from_millis);

    let guard = (scenario != "no-init" && scenario != "reinit").then(|| {
        signalry::builder()
            .service_version("1.2.3")
            .shutdown_timeout(timeout)
            .init()
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the probe");
    let started = Instant::now();
    let (spans, metrics, logs) = match scenario.as_str() {
        // One request that succeeds and one that fails: 6 spans, 2 counter points + 1
        // histogram + the event's own counter, 1 event.
        "tree" | "no-init" => {
            runtime.block_on(async {
                let _ = request(1).await;
                let _ = request(2).await;
            });
            (6, 4, 1)
        }
        // `count` independent root spans, each with one event of its own; a counter point per
        // two items (its attribute set is the batch), so that 2000 items stay within the
        // 2000 attribute sets a metric keeps, the overflow set included.
        "bulk" => {
            for i in 0..count {
                item(i);
            }
            (count, count.div_ceil(2), count)
        }
        // `count` pipelines one after the other, each shut down before the next starts: says
        // how many export threads each leaves running.
        "reinit" => {
            for round in 0..count {
                let guard = signalry::builder().shutdown_timeout(timeout).init();
                item(round);
                drop(guard);
                println!("round {round}: {} export threads left", export_threads());
            }
            (count, count, count)
        }
        other => {
            eprintln!("probe: unknown scenario {other:?}");
            std::process::exit(2);
        }
    };
    println!("calls took {}", started.elapsed().as_millis());
    println!("sent spans={spans} metrics={metrics} logs={logs}");
    drop(runtime);
    drop(guard);
}
