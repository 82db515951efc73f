//! End to end: the probe program exports over each OTLP protocol to a real `rotel` collector,
//! and what the collector received is compared with what was sent.

use std::process::Output;
use std::time::{Duration, Instant};

use signalry_tests::collector::{Collector, Received, ReceivedSpan};

const WAIT: Duration = Duration::from_secs(20);

fn probe(args: &[&str], vars: &[(&str, String)]) -> Output {
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    signalry_tests::run_probe(env!("CARGO_BIN_EXE_probe"), args, &vars)
}

fn otlp_vars(collector: &Collector, protocol: &str) -> Vec<(&'static str, String)> {
    let endpoint = if protocol == "grpc" {
        collector.grpc_endpoint()
    } else {
        collector.http_endpoint()
    };
    vec![
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.to_owned()),
        ("OTEL_SERVICE_NAME", format!("probe-{protocol}")),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment.name=e2e".to_owned(),
        ),
    ]
}

fn child_of<'a>(received: &'a Received, name: &str, parent: &ReceivedSpan) -> &'a ReceivedSpan {
    received
        .spans_named(name)
        .into_iter()
        .find(|s| s.parent_span_id == parent.span_id)
        .unwrap_or_else(|| {
            panic!(
                "no span {name:?} under {}: {:#?}",
                parent.name, received.spans
            )
        })
}

fn span_tree_metrics_and_events_arrive(protocol: &str) {
    let collector = Collector::start();
    probe(&["tree"], &otlp_vars(&collector, protocol));
    let received = collector.wait_for(WAIT, |r| {
        r.spans.len() >= 6
            && r.metric("probe.requests").is_some()
            && r.metric("probe.request.duration").is_some()
            && r.log_event("probe.order.failed").is_some()
            && r.metric("probe.orders.failed").is_some()
    });

    // Spans: two request trees with the right parents, kinds, status and resource.
    assert_eq!(received.spans.len(), 6, "{:#?}", received.spans);
    let requests = received.spans_named("probe.request");
    assert_eq!(requests.len(), 2);
    let mut failed = None;
    for request in requests {
        assert_eq!(request.parent_span_id, "");
        assert_eq!(request.kind, "SPAN_KIND_SERVER");
        assert_eq!(
            request.resource_attr("service.name"),
            Some(format!("probe-{protocol}").as_str())
        );
        assert_eq!(request.resource_attr("service.version"), Some("1.2.3"));
        assert_eq!(
            request.resource_attr("deployment.environment.name"),
            Some("e2e")
        );
        assert_eq!(
            request.resource_attr("telemetry.sdk.language"),
            Some("rust")
        );
        assert_eq!(request.attr("code.function.name"), Some("probe::request"));
        assert_eq!(
            request.attr("code.file.path"),
            Some("tests/src/bin/probe.rs")
        );
        let lookup = child_of(&received, "probe.lookup", request);
        assert_eq!(lookup.kind, "SPAN_KIND_CLIENT");
        assert_eq!(lookup.trace_id, request.trace_id);
        let charge = child_of(&received, "probe.charge", request);
        if request.status_code == "STATUS_CODE_ERROR" {
            assert_eq!(request.status_message, "card declined");
            assert_eq!(request.attr("error.type"), Some("probe::Declined"));
            assert_eq!(charge.status_code, "STATUS_CODE_ERROR");
            failed = Some(charge.clone());
        } else {
            assert_eq!(request.status_code, "STATUS_CODE_UNSET");
            assert_eq!(charge.status_code, "STATUS_CODE_UNSET");
        }
    }
    let failed_charge = failed.expect("one request failed");

    // Metrics: names, units, descriptions, point attributes and values.
    let requests = received.metric("probe.requests").expect("counter arrived");
    assert_eq!(requests.unit, "{request}");
    assert_eq!(requests.description, "Requests handled by the probe");
    assert_eq!(
        requests.resource_attr("service.name"),
        Some(format!("probe-{protocol}").as_str())
    );
    assert!(
        requests.point_index(&[("outcome", "ok")]).is_some(),
        "{requests:#?}"
    );
    assert!(
        requests.point_index(&[("outcome", "declined")]).is_some(),
        "{requests:#?}"
    );
    let duration = received
        .metric("probe.request.duration")
        .expect("histogram arrived");
    assert_eq!(duration.unit, "s");
    // rotel 0.0.1a15's OTLP/JSON decoder drops integer values sent as JSON strings (the
    // canonical encoding of `asInt`) and the data of histograms; the JSON bytes themselves are
    // right (values are checked through `signalry::testing`), so only the protobuf transports
    // can be checked for values here.
    if protocol != "http/json" {
        assert_eq!(requests.kind, "Sum");
        assert_eq!(requests.is_monotonic, "true");
        assert_eq!(
            requests.point_value(&[("outcome", "ok")], "Value"),
            Some("1")
        );
        assert_eq!(
            requests.point_value(&[("outcome", "declined")], "Value"),
            Some("1")
        );
        let counted = received
            .metric("probe.orders.failed")
            .expect("the event's counter arrived");
        assert_eq!(counted.unit, "{event}");
        assert_eq!(
            counted.point_value(&[("reason", "card declined")], "Value"),
            Some("1"),
            "{counted:#?}"
        );
        assert_eq!(duration.kind, "Histogram");
        assert_eq!(
            duration.point_values[0].get("Count").map(String::as_str),
            Some("2")
        );
    }

    // The event: name, severity, body, attributes, and the ids of the span it was emitted in.
    let event = received
        .log_event("probe.order.failed")
        .expect("event arrived");
    assert_eq!(event.severity_text, "ERROR");
    assert_eq!(event.severity_number, "SEVERITY_NUMBER_ERROR(17)");
    assert_eq!(event.body_text(), "order 2 failed: card declined");
    assert_eq!(event.attr("order.id"), Some("2"), "{event:#?}");
    assert_eq!(event.attr("reason"), Some("card declined"), "{event:#?}");
    assert_eq!(event.attr("payment.method"), Some("card"), "{event:#?}");
    assert_eq!(event.attr("payment.card"), Some("[REDACTED]"), "{event:#?}");
    assert_eq!(event.attr("detail"), Some("issuer said: ins"), "{event:#?}");
    assert_eq!(event.attr("detail.truncated"), Some("true"), "{event:#?}");
    assert_eq!(event.attr("items"), Some("Int(3), Int(5)"), "{event:#?}");
    // The whole number, spaces included: its first digits alone turn up by chance in ids and
    // timestamps.
    let leaked = collector.stdout().contains("4111 1111");
    assert!(!leaked, "the redacted card number reached the collector");
    assert_eq!(event.trace_id, failed_charge.trace_id);
    assert_eq!(event.span_id, failed_charge.span_id);
    assert_eq!(
        event.resource_attr("service.name"),
        Some(format!("probe-{protocol}").as_str())
    );
}

#[test]
fn grpc_delivers_spans_metrics_and_events() {
    span_tree_metrics_and_events_arrive("grpc");
}

#[test]
fn http_protobuf_delivers_spans_metrics_and_events() {
    span_tree_metrics_and_events_arrive("http/protobuf");
}

#[test]
fn http_json_delivers_spans_metrics_and_events() {
    span_tree_metrics_and_events_arrive("http/json");
}

/// Counts distinct items, since a cumulative metric may be exported more than once.
fn distinct_counts(received: &Received) -> (usize, usize, usize) {
    use std::collections::BTreeSet;
    let spans: BTreeSet<&str> = received.spans.iter().map(|s| s.span_id.as_str()).collect();
    let points: BTreeSet<String> = received
        .metrics
        .iter()
        .filter(|m| m.name == "probe.items")
        .flat_map(|m| m.points.iter().map(|p| format!("{p:?}")))
        .collect();
    let logs: BTreeSet<String> = received
        .logs
        .iter()
        .filter(|l| l.event_name == "probe.item")
        .map(|l| format!("{:?}", l.attributes))
        .collect();
    (spans.len(), points.len(), logs.len())
}

fn a_clean_shutdown_delivers_everything(protocol: &str) {
    delivers_everything(protocol, &[]);
}

/// Every item of a bulk run reaches the collector, with `extra` variables set.
fn delivers_everything(protocol: &str, extra: &[(&'static str, String)]) {
    const N: usize = 2000;
    // One counter point per two items.
    const POINTS: usize = N / 2;
    let collector = Collector::start();
    let mut vars = otlp_vars(&collector, protocol);
    vars.extend_from_slice(extra);
    let output = probe(&["bulk", &N.to_string()], &vars);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("sent spans={N} metrics={POINTS} logs={N}")),
        "{stdout}"
    );
    let received = collector.wait_for(WAIT, |r| distinct_counts(r) == (N, POINTS, N));
    assert_eq!(
        distinct_counts(&received),
        (N, POINTS, N),
        "{protocol}: sent {N} spans and events, {POINTS} points"
    );
}

#[test]
fn a_clean_shutdown_delivers_everything_over_grpc() {
    a_clean_shutdown_delivers_everything("grpc");
}

#[test]
fn a_clean_shutdown_delivers_everything_over_http_protobuf() {
    a_clean_shutdown_delivers_everything("http/protobuf");
}

#[test]
fn a_clean_shutdown_delivers_everything_over_http_json() {
    a_clean_shutdown_delivers_everything("http/json");
}

/// Compressed requests, and headers the collector ignores, change nothing it receives (spans
/// over gRPC and HTTP/protobuf are encoded and compressed by signalry, the rest by the SDK).
#[test]
fn gzip_and_headers_deliver_everything_over_grpc_and_http_protobuf() {
    let extra = [
        ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip".to_owned()),
        ("OTEL_EXPORTER_OTLP_HEADERS", "x-tenant=e2e".to_owned()),
    ];
    for protocol in ["grpc", "http/protobuf"] {
        delivers_everything(protocol, &extra);
    }
}

#[test]
fn an_unreachable_collector_neither_blocks_calls_nor_holds_the_exit() {
    // Nothing listens on this port: bind it, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    for protocol in ["grpc", "http/protobuf"] {
        let started = Instant::now();
        let output = probe(
            &["bulk", "1000"],
            &[
                (
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    format!("http://127.0.0.1:{port}"),
                ),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol.to_owned()),
                ("OTEL_BSP_SCHEDULE_DELAY", "10".to_owned()),
                ("PROBE_SHUTDOWN_TIMEOUT_MS", "1500".to_owned()),
            ],
        );
        let elapsed = started.elapsed();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let calls_ms: u64 = stdout
            .lines()
            .find_map(|l| l.strip_prefix("calls took "))
            .and_then(|ms| ms.trim().parse().ok())
            .expect("the probe reports how long its calls took");
        // Exports fail in the background; the 1000 instrumented calls never wait for them.
        assert!(calls_ms < 1000, "{protocol}: calls took {calls_ms} ms");
        // The guard gives up after its shutdown timeout (1.5 s) instead of waiting for the
        // 10 s export timeout; the rest is process start and exit.
        assert!(
            elapsed < Duration::from_secs(6),
            "{protocol}: exit took {elapsed:?}"
        );
    }
}
