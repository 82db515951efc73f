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

/// One event per variant: the name from the enum's prefix and the variant, or its own.
#[derive(signalry::TelemetryEvent)]
#[event(name = "job", severity = info)]
enum JobEvent<'a> {
    Started {
        #[event(rename = "job.id")]
        id: u64,
    },
    #[event(severity = error, body = "job failed: {reason}")]
    Failed {
        #[event(rename = "job.id")]
        id: u64,
        reason: &'a str,
    },
    #[event(name = "job.gave_up")]
    Abandoned(#[event(rename = "job.id")] u64),
    Idle,
}

#[test]
fn each_variant_of_an_enum_is_an_event_of_its_own() {
    let ((), captured) = capture(|| {
        JobEvent::Started { id: 1 }.emit();
        JobEvent::Failed {
            id: 1,
            reason: "disk full",
        }
        .emit();
        JobEvent::Abandoned(2).emit();
        JobEvent::Idle.emit();
    });
    let started = captured.events("job.started").next().expect("started");
    assert_eq!(started.severity, Some(Severity::Info));
    assert_eq!(started.attribute("job.id"), Some(&AnyValue::Int(1)));
    assert_eq!(started.body, None);

    let failed = captured.events("job.failed").next().expect("failed");
    assert_eq!(failed.severity, Some(Severity::Error));
    assert_eq!(failed.body, Some(text("job failed: disk full")));
    assert_eq!(failed.attribute("reason"), Some(&text("disk full")));

    let abandoned = captured.events("job.gave_up").next().expect("renamed");
    assert_eq!(abandoned.attribute("job.id"), Some(&AnyValue::Int(2)));

    let idle = captured.events("job.idle").next().expect("unit variant");
    assert!(idle.attributes.is_empty(), "{:?}", idle.attributes);
    assert_eq!(captured.logs.len(), 4);

    assert_eq!(JobEvent::Idle.event_name(), "job.idle");
    assert_eq!(JobEvent::Abandoned(2).severity(), Severity::Info);
}

#[derive(signalry::TelemetryEvent)]
struct Http<'a> {
    method: &'a str,
    #[event(rename = "status_code")]
    status: u16,
    #[event(truncate = 3)]
    route: &'a str,
    #[event(flatten, rename = "peer")]
    client: Option<Peer>,
}

/// Only ever part of other events.
#[derive(signalry::TelemetryEvent)]
#[event(nested)]
struct Peer {
    address: String,
}

#[derive(signalry::TelemetryEvent)]
struct RequestDone<'a> {
    #[event(flatten)]
    http: Http<'a>,
    outcome: &'a str,
}

#[test]
fn a_flattened_field_gives_its_attributes_under_its_key() {
    let ((), captured) = capture(|| {
        RequestDone {
            http: Http {
                method: "GET",
                status: 200,
                route: "/orders",
                client: Some(Peer {
                    address: "10.0.0.1".to_owned(),
                }),
            },
            outcome: "ok",
        }
        .emit();
        RequestDone {
            http: Http {
                method: "PUT",
                status: 201,
                route: "/",
                client: None,
            },
            outcome: "created",
        }
        .emit();
    });
    let mut events = captured.events("request.done");
    let first = events.next().expect("first");
    let keys: Vec<&str> = first.attributes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "http.method",
            "http.status_code",
            "http.route",
            "http.route.truncated",
            "http.peer.address",
            "outcome"
        ]
    );
    assert_eq!(first.attribute("http.method"), Some(&text("GET")));
    assert_eq!(
        first.attribute("http.status_code"),
        Some(&AnyValue::Int(200))
    );
    assert_eq!(first.attribute("http.route"), Some(&text("/or")));
    assert_eq!(
        first.attribute("http.peer.address"),
        Some(&text("10.0.0.1"))
    );

    // `None` in a flattened `Option` adds nothing; the prefix does not leak to what follows.
    let second = events.next().expect("second");
    let keys: Vec<&str> = second.attributes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["http.method", "http.status_code", "http.route", "outcome"]
    );
}

/// A CLI's one event per command, counted by subcommand and status.
#[derive(signalry::TelemetryEvent)]
#[event(count = "cli.commands")]
struct Command<'a> {
    #[event(count_by)]
    subcommand: &'a str,
    #[event(count_by, rename = "process.exit_code")]
    status: i64,
    duration_ms: u64,
}

#[test]
fn a_counted_event_adds_one_per_emission_with_the_marked_attributes() {
    let ((), captured) = capture(|| {
        for (subcommand, status) in [("build", 0), ("build", 0), ("test", 1)] {
            Command {
                subcommand,
                status,
                duration_ms: 10,
            }
            .emit();
        }
    });
    assert_eq!(captured.events("command").count(), 3);
    let points: Vec<_> = captured.measurements("cli.commands").collect();
    assert_eq!(points.len(), 3);
    assert!(points
        .iter()
        .all(|p| p.kind == "counter" && p.unit == "{event}"));
    assert!(points
        .iter()
        .all(|p| p.attribute("duration_ms").is_none() && p.attributes.len() == 2));
    let builds: f64 = points
        .iter()
        .filter(|p| p.attribute("subcommand") == Some(&"build".into()))
        .map(|p| p.value.as_f64())
        .sum();
    assert!((builds - 2.0).abs() < f64::EPSILON, "{points:?}");
    let failed = points
        .iter()
        .find(|p| p.attribute("process.exit_code") == Some(&1_i64.into()))
        .expect("the failed command is counted with its status");
    assert_eq!(failed.attribute("subcommand"), Some(&"test".into()));
}

mod emit_to {
    use std::sync::{Arc, Mutex, PoisonError};

    use signalry::otel::logs::{AnyValue, LoggerProvider as _, Severity};
    use signalry::otel::InstrumentationScope;
    use signalry::otel_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
    use signalry::TelemetryEvent as _;

    use super::JobEvent;

    /// The name, severity and first attribute of a record.
    type Kept = (String, Option<Severity>, Option<AnyValue>);

    /// Keeps what each record is.
    #[derive(Debug, Clone, Default)]
    struct Keep(Arc<Mutex<Vec<Kept>>>);

    impl LogProcessor for Keep {
        fn emit(&self, record: &mut SdkLogRecord, _scope: &InstrumentationScope) {
            let first = record.attributes_iter().next().map(|(_, v)| v.clone());
            self.0.lock().unwrap_or_else(PoisonError::into_inner).push((
                record.event_name().unwrap_or_default().to_owned(),
                record.severity_number(),
                first,
            ));
        }

        fn force_flush(&self) -> signalry::otel_sdk::error::OTelSdkResult {
            Ok(())
        }
    }

    #[test]
    fn an_event_goes_to_the_logger_it_is_given_without_init() {
        let kept = Keep::default();
        let provider = SdkLoggerProvider::builder()
            .with_log_processor(kept.clone())
            .build();
        let logger = provider.logger("mine");
        JobEvent::Started { id: 9 }.emit_to(&logger);
        // `emit` goes through signalry's own pipeline, never to a logger given elsewhere.
        JobEvent::Started { id: 10 }.emit();
        let records = kept
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        assert_eq!(
            records,
            [(
                "job.started".to_owned(),
                Some(Severity::Info),
                Some(AnyValue::Int(9))
            )]
        );
    }
}
