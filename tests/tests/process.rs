//! Whole-program behaviour that needs a process of its own: the console default, disabled
//! mode, bad configuration, and pipelines started and shut down one after another.

use std::process::Output;

fn probe(args: &[&str], vars: &[(&str, &str)]) -> Output {
    signalry_tests::run_probe(env!("CARGO_BIN_EXE_probe"), args, vars)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn with_nothing_configured_the_console_shows_a_span_tree() {
    let err = stderr(&probe(&["tree"], &[]));
    assert_eq!(err.matches("trace ").count(), 2, "{err}");
    assert!(err.contains("probe.request"), "{err}");
    assert!(err.contains("├─ probe.lookup"), "{err}");
    assert!(err.contains("└─ probe.charge"), "{err}");
    assert!(err.contains("ERROR: card declined"), "{err}");
    // The event is printed inside the span it was emitted in: on the line after that span,
    // indented under it, with its severity, body and attributes; the metrics summary at exit.
    let lines: Vec<&str> = err.lines().collect();
    let event = lines
        .iter()
        .position(|l| l.contains("• event probe.order.failed"))
        .unwrap_or_else(|| panic!("no event line: {err}"));
    assert!(
        lines[event - 1].starts_with("└─ probe.charge") && lines[event - 1].contains("ERROR"),
        "the event follows the span it was emitted in: {err}"
    );
    assert!(lines[event].starts_with("      • event"), "{err}");
    assert!(
        lines[event].contains("ERROR order 2 failed: card declined {order.id=2"),
        "{err}"
    );
    assert!(err.contains("probe.requests"), "{err}");
    assert!(!err.contains("signalry: "), "no warnings expected: {err}");
}

#[test]
fn sdk_disabled_says_so_once_and_records_nothing() {
    let err = stderr(&probe(&["tree"], &[("OTEL_SDK_DISABLED", "true")]));
    assert_eq!(
        err.trim(),
        "signalry: telemetry is disabled: OTEL_SDK_DISABLED is true"
    );
}

#[test]
fn without_init_the_program_is_told_once_that_nothing_is_recorded() {
    let err = stderr(&probe(&["no-init"], &[]));
    assert_eq!(
        err.trim(),
        "signalry: telemetry is disabled: signalry::init() was not called, so instrumented \
         code records nothing"
    );
}

#[test]
fn invalid_values_warn_in_one_line_each_and_telemetry_still_works() {
    let vars = [
        ("OTEL_SDK_DISABLED", "maybe"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "ten seconds"),
        ("OTEL_TRACES_SAMPLER", "sometimes"),
        ("OTEL_BSP_MAX_QUEUE_SIZE", "-1"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "1m"),
        ("OTEL_PROPAGATORS", "tracecontext,xray"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "authorization"),
        ("OTEL_RESOURCE_ATTRIBUTES", "team=%zz"),
        ("OTEL_TRACES_EXPORTER", "zipkin"),
    ];
    let err = stderr(&probe(&["tree"], &vars));
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("signalry: "))
        .collect();
    for (name, _) in vars {
        let mine: Vec<_> = warnings.iter().filter(|w| w.contains(name)).collect();
        assert_eq!(mine.len(), 1, "{name}: {warnings:#?}");
    }
    assert_eq!(warnings.len(), vars.len(), "{warnings:#?}");
    // Defaults were used: the console still shows both traces.
    assert_eq!(err.matches("trace ").count(), 2, "{err}");
}

/// A thread that makes spans and events faster than they are collected loses what its buffer
/// cannot hold: the program is told once when it starts, and how many at shutdown.
#[test]
fn records_beyond_the_queue_are_dropped_with_a_warning_and_a_count() {
    const ITEMS: u64 = 200;
    const QUEUE: u64 = 16;
    let output = probe(
        &["bulk", &ITEMS.to_string()],
        &[
            ("OTEL_TRACES_EXPORTER", "otlp"),
            ("OTEL_LOGS_EXPORTER", "otlp"),
            ("OTEL_METRICS_EXPORTER", "none"),
            // Nothing listens there: the exports fail at once, which changes nothing here.
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "16"),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "16"),
            // No collection before shutdown: the buffer holds QUEUE, the rest is dropped.
            ("OTEL_BSP_SCHEDULE_DELAY", "600000"),
            ("OTEL_BLRP_SCHEDULE_DELAY", "600000"),
        ],
    );
    let err = stderr(&output);
    for (what, variable) in [
        ("spans", "OTEL_BSP_MAX_QUEUE_SIZE"),
        ("events", "OTEL_BLRP_MAX_QUEUE_SIZE"),
    ] {
        let warning = format!(
            "signalry: {what} are being dropped: a thread made more than {QUEUE} ({variable})"
        );
        assert_eq!(err.matches(&warning).count(), 1, "{err}");
        let counted = err
            .split(&format!(" {what} were dropped"))
            .next()
            .and_then(|before| before.rsplit(['"', ' ', '(']).next())
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no count of dropped {what}: {err}"));
        // Exactly ITEMS - QUEUE unless the collector woke early and made room.
        assert!(
            counted > 0 && counted <= ITEMS - QUEUE,
            "{counted} {what}: {err}"
        );
    }
}

/// A pipeline is kept for the process's life once installed (call sites reach it without a
/// lock), so its shutdown, not its drop, must stop the threads it runs.
#[test]
fn a_pipeline_shut_down_leaves_no_export_thread_running() {
    let output = probe(
        &["reinit", "3"],
        &[
            ("OTEL_TRACES_EXPORTER", "otlp"),
            ("OTEL_LOGS_EXPORTER", "otlp"),
            ("OTEL_METRICS_EXPORTER", "otlp"),
            // Nothing listens there: the exports fail at once.
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
            ("PROBE_SHUTDOWN_TIMEOUT_MS", "2000"),
        ],
    );
    let out = String::from_utf8_lossy(&output.stdout);
    for round in 0..3 {
        assert!(
            out.contains(&format!("round {round}: 0 export threads left")),
            "{out}\n{}",
            stderr(&output)
        );
    }
}
