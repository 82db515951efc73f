//! `#[traced]` behaviour through `signalry::testing`: names, attributes, status, panics,
//! cancellation and parent/child across `.await` and threads.

use std::time::Duration;

use signalry::otel::trace::{SpanId, SpanKind, Status};
use signalry::otel::Value;
use signalry::testing::{capture, capture_future};

#[signalry::traced]
fn plain(x: u32) -> u32 {
    x + 1
}

#[signalry::traced(name = "renamed.span", kind = server)]
fn renamed() {}

#[signalry::traced]
fn outer() {
    inner();
    inner();
}

#[signalry::traced]
fn inner() {}

#[derive(Debug)]
struct Refused(&'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {}", self.0)
    }
}

#[signalry::traced]
fn fallible(fail: bool) -> Result<u8, Refused> {
    if fail {
        return Err(Refused("no stock"));
    }
    Ok(7)
}

#[signalry::traced]
fn questions(input: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = input.parse()?;
    Ok(n * 2)
}

#[signalry::traced]
fn panics() {
    panic!("boom");
}

#[signalry::traced]
async fn async_parent() -> usize {
    let mut seen = 0;
    for _ in 0..4 {
        // Yield so the rest may resume on another worker thread.
        tokio::time::sleep(Duration::from_millis(1)).await;
        async_child().await;
        seen += 1;
    }
    seen
}

#[signalry::traced]
async fn async_child() {
    tokio::task::yield_now().await;
}

#[signalry::traced]
async fn async_fallible(fail: bool) -> Result<(), Refused> {
    tokio::task::yield_now().await;
    if fail {
        Err(Refused("later"))
    } else {
        Ok(())
    }
}

#[signalry::traced]
async fn never_finishes() {
    std::future::pending::<()>().await;
}

#[test]
fn a_sync_fn_gets_a_root_span_named_after_it_with_code_attributes() {
    let (value, captured) = capture(|| plain(1));
    assert_eq!(value, 2);
    let span = captured.span("plain");
    assert_eq!(span.parent_span_id, SpanId::INVALID);
    assert_eq!(span.kind, SpanKind::Internal);
    assert_eq!(span.status, Status::Unset);
    assert_eq!(
        span.attribute("code.function.name"),
        Some(&Value::from("traced::plain"))
    );
    assert_eq!(
        span.attribute("code.file.path"),
        Some(&Value::from("tests/tests/traced.rs"))
    );
    // The line of `fn plain`, not of the attribute above it.
    assert_eq!(span.attribute("code.line.number"), Some(&Value::I64(11)));
}

#[test]
fn name_and_kind_options_apply() {
    let ((), captured) = capture(renamed);
    let span = captured.span("renamed.span");
    assert_eq!(span.kind, SpanKind::Server);
}

#[test]
fn nested_calls_are_children_of_the_caller() {
    let ((), captured) = capture(outer);
    let parent = captured.span("outer");
    let children: Vec<_> = captured.spans_named("inner").collect();
    assert_eq!(children.len(), 2);
    for child in children {
        assert!(
            child.is_child_of(parent),
            "{child:?} is not a child of {parent:?}"
        );
    }
}

#[test]
fn err_sets_status_error_with_display_and_error_type_and_ok_stays_unset() {
    let (result, captured) = capture(|| fallible(true));
    assert!(result.is_err());
    let span = captured.span("fallible");
    assert_eq!(span.status, Status::error("refused: no stock"));
    assert_eq!(
        span.attribute("error.type"),
        Some(&Value::from("traced::Refused"))
    );

    let (result, captured) = capture(|| fallible(false));
    assert_eq!(result.ok(), Some(7));
    let span = captured.span("fallible");
    assert_eq!(span.status, Status::Unset);
    assert_eq!(span.attribute("error.type"), None);
}

#[test]
fn question_mark_errors_are_recorded() {
    let (result, captured) = capture(|| questions("x"));
    assert!(result.is_err());
    assert!(matches!(
        &captured.span("questions").status,
        Status::Error { description } if description.contains("invalid digit")
    ));
    let (result, _) = capture(|| questions("21"));
    assert_eq!(result.ok(), Some(42));
}

#[test]
fn a_panic_ends_the_span_with_status_error_and_keeps_unwinding() {
    let (outcome, captured) = capture(|| std::panic::catch_unwind(panics));
    assert!(outcome.is_err(), "the panic must continue past the span");
    let span = captured.span("panics");
    assert_eq!(span.status, Status::error("panicked"));
    assert_eq!(span.attribute("error.type"), Some(&Value::from("panic")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_children_stay_children_across_awaits_and_threads() {
    let (seen, captured) = capture_future(async_parent()).await;
    assert_eq!(seen, 4);
    let parent = captured.span("async_parent");
    let children: Vec<_> = captured.spans_named("async_child").collect();
    assert_eq!(children.len(), 4);
    assert!(children.iter().all(|c| c.is_child_of(parent)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_traced_tasks_never_get_the_wrong_parent() {
    let (parents, captured) = capture_future(async {
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                // Carry the capture's context into the spawned task, as a user would with
                // `FutureExt::with_context`.
                use signalry::otel::context::FutureExt as _;
                tokio::spawn(async_parent().with_current_context())
            })
            .collect();
        let mut n = 0;
        for task in tasks {
            n += task.await.map(|_| 1).unwrap_or(0);
        }
        n
    })
    .await;
    assert_eq!(parents, 1000);
    let parents: Vec<_> = captured.spans_named("async_parent").collect();
    assert_eq!(parents.len(), 1000);
    let children: Vec<_> = captured.spans_named("async_child").collect();
    assert_eq!(children.len(), 4000);
    for parent in &parents {
        let mine = children.iter().filter(|c| c.is_child_of(parent)).count();
        assert_eq!(mine, 4, "parent {:?} has {mine} children", parent.span_id);
    }
}

#[tokio::test]
async fn async_err_is_recorded() {
    let (result, captured) = capture_future(async_fallible(true)).await;
    assert!(result.is_err());
    assert_eq!(
        captured.span("async_fallible").status,
        Status::error("refused: later")
    );
}

#[tokio::test]
async fn a_dropped_future_still_ends_its_span() {
    let ((), captured) = capture_future(async {
        let timed_out = tokio::time::timeout(Duration::from_millis(5), never_finishes()).await;
        assert!(timed_out.is_err());
    })
    .await;
    let span = captured.span("never_finishes");
    assert!(span.end_time >= span.start_time);
}

#[test]
fn parallel_captures_do_not_see_each_other() {
    let handles: Vec<_> = (0..8)
        .map(|_| std::thread::spawn(|| capture(|| (outer(), plain(1))).1))
        .collect();
    for handle in handles {
        let captured = handle.join().expect("capture thread");
        assert_eq!(captured.spans.len(), 4, "{:?}", captured.spans);
    }
}
