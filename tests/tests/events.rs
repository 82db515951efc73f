//! `#[derive(TelemetryEvent)]` through `signalry::testing`: names, severity, body, attribute
//! values, truncation on character boundaries, redaction, arrays, and trace correlation.

use signalry::otel::logs::{AnyValue, Severity};
use signalry::testing::capture;
use signalry::TelemetryEvent as _;

#[derive(signalry::TelemetryEvent)]
#[event(severity = warn, body = "{subcommand} exited with {status}")]
struct CommandRan<'a> {
    subcommand: &'a str,
    args: Vec<String>,
    duration_ms: u64,
    status: i32,
    #[event(truncate = 5)]
    stdout: String,
    #[event(truncate = 4, rename = "process.stderr")]
    stderr: Option<String>,
    #[event(redact)]
    token: &'a str,
    #[event(display)]
    path: std::path::Display<'a>,
    #[event(debug)]
    kind: Kind,
    retried: Option<bool>,
    #[event(skip)]
    #[allow(dead_code)]
    handle: (),
}

#[derive(Debug)]
enum Kind {
    Build,
}

#[signalry::traced]
fn run(stdout: &str) {
    let path = std::path::Path::new("/tmp/x");
    CommandRan {
        subcommand: "build",
        args: vec!["--release".to_owned(), "-q".to_owned()],
        duration_ms: 1200,
        status: 0,
        stdout: stdout.to_owned(),
        stderr: Some("ééé".to_owned()),
        token: "s3cret",
        path: path.display(),
        kind: Kind::Build,
        retried: None,
        handle: (),
    }
    .emit();
}

fn text(value: &str) -> AnyValue {
    AnyValue::from(value.to_owned())
}

#[test]
fn an_event_carries_its_fields_as_attributes_inside_its_span() {
    let ((), captured) = capture(|| run("héllo wörld"));
    let event = captured
        .events("command.ran")
        .next()
        .expect("the event was emitted");
    assert_eq!(event.severity, Some(Severity::Warn));
    assert_eq!(event.body, Some(text("build exited with 0")));
    assert_eq!(event.attribute("subcommand"), Some(&text("build")));
    assert_eq!(
        event.attribute("args"),
        Some(&AnyValue::ListAny(Box::new(vec![
            text("--release"),
            text("-q")
        ])))
    );
    assert_eq!(event.attribute("duration_ms"), Some(&AnyValue::Int(1200)));
    assert_eq!(event.attribute("status"), Some(&AnyValue::Int(0)));
    // 5 bytes of "héllo wörld" is "héll" (é is two bytes), and the cut is marked.
    assert_eq!(event.attribute("stdout"), Some(&text("héll")));
    assert_eq!(
        event.attribute("stdout.truncated"),
        Some(&AnyValue::Boolean(true))
    );
    // 4 bytes of "ééé" is "éé": never half a character.
    assert_eq!(event.attribute("process.stderr"), Some(&text("éé")));
    assert_eq!(event.attribute("token"), Some(&text("[REDACTED]")));
    assert_eq!(event.attribute("path"), Some(&text("/tmp/x")));
    assert_eq!(event.attribute("kind"), Some(&text("Build")));
    assert_eq!(event.attribute("retried"), None, "None is left out");
    assert_eq!(event.attribute("handle"), None, "skipped");
    let leaked = event
        .attributes
        .iter()
        .any(|(_, v)| matches!(v, AnyValue::String(s) if s.as_str().contains("s3cret")));
    assert!(!leaked, "{:?}", event.attributes);

    // Correlated with the span it was emitted in.
    let span = captured.span("run");
    assert_eq!(event.trace_id, Some(span.trace_id));
    assert_eq!(event.span_id, Some(span.span_id));
}

#[test]
fn short_text_is_not_marked_truncated() {
    let ((), captured) = capture(|| run("ok"));
    let event = captured
        .events("command.ran")
        .next()
        .expect("the event was emitted");
    assert_eq!(event.attribute("stdout"), Some(&text("ok")));
    assert_eq!(event.attribute("stdout.truncated"), None);
}
