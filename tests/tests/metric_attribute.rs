//! `#[metric(...)]` through `signalry::testing`: calls, durations, calls in flight, and
//! `error.type` on failures only.

use std::time::Duration;

use signalry::otel::Value;
use signalry::testing::{capture, capture_future, MetricValue};

#[derive(Debug)]
struct Declined;

#[signalry::metric(counter, attributes(channel = "web"))]
#[signalry::metric(histogram, unit = "ms")]
fn checkout(total: u64) -> Result<u64, Declined> {
    if total > 100 {
        return Err(Declined);
    }
    std::thread::sleep(Duration::from_millis(2));
    Ok(total)
}

#[test]
fn calls_and_durations_with_error_type_on_failures_only() {
    let (results, captured) = capture(|| (checkout(10), checkout(500)));
    assert!(results.0.is_ok() && results.1.is_err());
    let calls: Vec<_> = captured.measurements("checkout.calls").collect();
    assert_eq!(calls.len(), 2);
    assert!(calls
        .iter()
        .all(|m| m.value == MetricValue::U64(1) && m.unit == "{call}"));
    assert!(calls
        .iter()
        .all(|m| m.attribute("channel") == Some(&Value::from("web"))));
    assert_eq!(calls[0].attribute("error.type"), None);
    assert_eq!(
        calls[1].attribute("error.type"),
        Some(&Value::from("metric_attribute::Declined"))
    );
    let durations: Vec<_> = captured.measurements("checkout.duration").collect();
    assert_eq!(durations.len(), 2);
    assert_eq!(durations[0].unit, "ms");
    assert!(
        durations[0].value.as_f64() >= 2.0,
        "{:?}",
        durations[0].value
    );
    assert!(durations[1].attribute("error.type").is_some());
}

#[signalry::metric(updown, name = "jobs.active")]
fn job(inner: bool) {
    if inner {
        signalry::counter!("jobs.checked", 1);
    }
}

#[test]
fn calls_in_flight_go_up_and_back_down() {
    let ((), captured) = capture(|| job(true));
    let values: Vec<_> = captured
        .measurements("jobs.active")
        .map(|m| m.value)
        .collect();
    assert_eq!(values, vec![MetricValue::I64(1), MetricValue::I64(-1)]);
}

#[signalry::metric(counter, name = "pick.calls", attributes(pick.kind = "first"))]
#[signalry::metric(histogram, name = "pick.duration")]
fn pick(items: &[u32]) -> u32 {
    if items.is_empty() {
        return 0;
    }
    items[0]
}

#[test]
fn an_early_return_counts_like_a_normal_one() {
    // The normal end is inlined after the body; an early `return` ends through the guard's
    // drop: both count once, without an error type.
    let ((empty, first), captured) = capture(|| (pick(&[]), pick(&[7, 8])));
    assert_eq!((empty, first), (0, 7));
    let calls: Vec<_> = captured.measurements("pick.calls").collect();
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|m| m.value == MetricValue::U64(1)
        && m.attribute("pick.kind") == Some(&Value::from("first"))
        && m.attribute("error.type").is_none()));
    assert_eq!(captured.measurements("pick.duration").count(), 2);
}

#[signalry::metric(counter, name = "risky.calls")]
fn risky() {
    panic!("boom");
}

#[test]
fn a_panic_counts_with_error_type_panic() {
    let (outcome, captured) = capture(|| std::panic::catch_unwind(risky));
    assert!(outcome.is_err());
    let calls: Vec<_> = captured.measurements("risky.calls").collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].attribute("error.type"),
        Some(&Value::from("panic"))
    );
}

#[signalry::traced]
#[signalry::metric(histogram, name = "fetch.duration")]
async fn fetch(id: u64) -> Result<u64, Declined> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    if id == 0 {
        Err(Declined)
    } else {
        Ok(id)
    }
}

#[tokio::test]
async fn async_fns_together_with_traced() {
    let ((ok, failed), captured) = capture_future(async { (fetch(1).await, fetch(0).await) }).await;
    assert!(ok.is_ok() && failed.is_err());
    assert_eq!(captured.spans_named("fetch").count(), 2);
    let durations: Vec<_> = captured.measurements("fetch.duration").collect();
    assert_eq!(durations.len(), 2);
    assert!(durations
        .iter()
        .all(|m| m.unit == "s" && m.value.as_f64() > 0.0));
    assert_eq!(
        durations
            .iter()
            .filter(|m| m.attribute("error.type").is_some())
            .count(),
        1
    );
}
