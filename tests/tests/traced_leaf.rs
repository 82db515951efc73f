//! `#[traced(leaf)]`: the span is recorded like any other, under the current span, but never
//! made current; what runs inside belongs to the span's parent.

use std::time::Duration;

use signalry::otel::trace::{SpanId, Status, TraceContextExt};
use signalry::otel::{Context, Value};
use signalry::testing::{capture, capture_future};
use signalry::TelemetryEvent as _;

#[derive(signalry::TelemetryEvent)]
#[event(name = "leaf.checked")]
struct Checked {
    n: u64,
}

#[signalry::traced]
fn inside_leaf() {}

/// Returns the span id current inside it.
#[signalry::traced(leaf)]
fn lookup(n: u64) -> SpanId {
    inside_leaf();
    Checked { n }.emit();
    Context::current().span().span_context().span_id()
}

#[signalry::traced]
fn handler() -> (SpanId, SpanId) {
    let current = Context::current().span().span_context().span_id();
    (current, lookup(3))
}

#[test]
fn a_leaf_span_is_a_child_of_the_current_span_and_never_becomes_current() {
    let ((handler_id, seen_inside), captured) = capture(handler);
    let handler = captured.span("handler");
    let leaf = captured.span("lookup");
    assert_eq!(handler.span_id, handler_id);
    assert!(leaf.is_child_of(handler), "{leaf:?}");
    assert_eq!(leaf.attribute("n"), Some(&Value::I64(3)));
    assert!(leaf.attribute("code.function.name").is_some(), "{leaf:?}");
    assert!(leaf.start_time <= leaf.end_time);
    // Inside the leaf its parent is current: spans and events belong to the parent.
    assert_eq!(seen_inside, handler_id);
    assert!(captured.span("inside_leaf").is_child_of(handler));
    let event = captured.events("leaf.checked").next().expect("the event");
    assert_eq!(event.span_id, Some(handler_id));
}

#[derive(Debug, PartialEq)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}

#[signalry::traced(leaf, ret)]
fn checked(n: u8) -> Result<u8, Refused> {
    if n == 0 {
        return Err(Refused);
    }
    Ok(n)
}

#[signalry::traced(leaf)]
fn panics() {
    panic!("leaf panicked");
}

#[test]
fn a_leaf_span_records_errors_returned_values_and_panics() {
    let ((), captured) = capture(|| {
        assert_eq!(checked(2), Ok(2));
        assert_eq!(checked(0), Err(Refused));
        assert!(std::panic::catch_unwind(panics).is_err());
    });
    let spans: Vec<_> = captured.spans_named("checked").collect();
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].status, Status::Unset);
    assert_eq!(spans[0].attribute("return.value"), Some(&Value::I64(2)));
    assert_eq!(spans[1].status, Status::error("refused"));
    assert_eq!(spans[1].attribute("return.value"), None);
    let error_type = spans[1].attribute("error.type").map(ToString::to_string);
    assert!(
        error_type
            .as_deref()
            .is_some_and(|t| t.ends_with("Refused")),
        "{error_type:?}"
    );
    let panicked = captured.span("panics");
    assert_eq!(panicked.status, Status::error("panicked"));
    assert_eq!(
        panicked.attribute("error.type"),
        Some(&Value::from("panic"))
    );
}

#[signalry::traced(leaf, err)]
async fn slow_leaf(wait: Duration) -> Result<(), Refused> {
    tokio::time::sleep(wait).await;
    // The leaf is not current across the await either.
    inside_leaf();
    Ok(())
}

#[signalry::traced]
async fn async_handler() {
    let _ = slow_leaf(Duration::from_millis(20)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_leaf_span_covers_every_poll_and_ends_when_the_future_is_dropped() {
    let ((), captured) = capture_future(async {
        async_handler().await;
        // Polled once, then dropped: the span still ends.
        let cancelled = slow_leaf(Duration::from_secs(60));
        let _ = tokio::time::timeout(Duration::from_millis(1), cancelled).await;
    })
    .await;
    let handler = captured.span("async_handler");
    let leaves: Vec<_> = captured.spans_named("slow_leaf").collect();
    assert_eq!(leaves.len(), 2, "{leaves:?}");
    assert!(leaves[0].is_child_of(handler));
    let took = leaves[0]
        .end_time
        .duration_since(leaves[0].start_time)
        .unwrap_or_default();
    assert!(took >= Duration::from_millis(20), "{took:?}");
    assert!(captured.span("inside_leaf").is_child_of(handler));
    assert_eq!(leaves[1].parent_span_id, SpanId::INVALID);
}
