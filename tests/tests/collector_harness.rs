//! The rotel collector harness itself: start a real `rotel-agent`, send it one span, one
//! metric and one log record as OTLP/JSON over HTTP, and read them back.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use signalry_tests::collector::{Collector, ReceivedCounts, Verbosity};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const ROOT_ID: &str = "00f067aa0ba902b7";
const CHILD_ID: &str = "53995c3f42cd8ad8";

/// POSTs `body` as `application/json` to `endpoint` + `path` with a minimal HTTP/1.1
/// client and returns the status line and the response.
fn post_json(endpoint: &str, path: &str, body: &str) -> (u16, String) {
    let authority = endpoint
        .strip_prefix("http://")
        .expect("endpoint starts with http://");
    let mut stream = TcpStream::connect(authority).expect("connect to the collector");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set read timeout");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .expect("send the request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("malformed HTTP response: {response:?}"));
    (status, response)
}

fn send(collector: &Collector, path: &str, body: &str) {
    let (status, response) = post_json(&collector.http_endpoint(), path, body);
    assert_eq!(status, 200, "POST {path} failed: {response}");
}

fn traces() -> String {
    format!(
        r#"{{"resourceSpans":[{{
  "resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"harness"}}}}]}},
  "scopeSpans":[{{"scope":{{"name":"harness-scope","version":"9.9"}},"spans":[
    {{"traceId":"{TRACE_ID}","spanId":"{ROOT_ID}","name":"root","kind":2,
      "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000002000000000",
      "status":{{}}}},
    {{"traceId":"{TRACE_ID}","spanId":"{CHILD_ID}","parentSpanId":"{ROOT_ID}","name":"child",
      "kind":1,"startTimeUnixNano":"1700000000500000000","endTimeUnixNano":"1700000001000000000",
      "attributes":[
        {{"key":"user","value":{{"stringValue":"ada"}}}},
        {{"key":"retries","value":{{"intValue":"3"}}}},
        {{"key":"ratio","value":{{"doubleValue":0.25}}}},
        {{"key":"cached","value":{{"boolValue":false}}}},
        {{"key":"tags","value":{{"arrayValue":{{"values":[{{"stringValue":"x"}},{{"stringValue":"y"}}]}}}}}}],
      "events":[{{"timeUnixNano":"1700000000600000000","name":"exception",
        "attributes":[{{"key":"exception.message","value":{{"stringValue":"bad input"}}}}]}}],
      "status":{{"code":2,"message":"bad input"}}}}
  ]}}]}}]}}"#
    )
}

// OTLP/JSON quirk of rotel 0.0.1a15: an `asInt` given as a JSON string loses its value, so
// the sum uses a JSON number (see the collector module docs).
const METRICS: &str = r#"{"resourceMetrics":[{
  "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"harness"}}]},
  "scopeMetrics":[{"scope":{"name":"harness-scope"},"metrics":[
    {"name":"jobs_done","unit":"{job}","description":"Jobs done","sum":{
      "aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
        {"asInt":5,"startTimeUnixNano":"1700000000000000000","timeUnixNano":"1700000001000000000",
         "attributes":[{"key":"queue","value":{"stringValue":"fast"}}]},
        {"asInt":2,"startTimeUnixNano":"1700000000000000000","timeUnixNano":"1700000001000000000",
         "attributes":[{"key":"queue","value":{"stringValue":"slow"}}]}]}},
    {"name":"temperature","unit":"Cel","description":"Current temperature","gauge":{
      "dataPoints":[{"asDouble":21.5,"timeUnixNano":"1700000001000000000"}]}}
  ]}]}]}"#;

fn logs() -> String {
    format!(
        r#"{{"resourceLogs":[{{
  "resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"harness"}}}}]}},
  "scopeLogs":[{{"scope":{{"name":"harness-scope"}},"logRecords":[
    {{"timeUnixNano":"1700000000700000000","severityNumber":13,"severityText":"WARN",
      "eventName":"job.retry","body":{{"stringValue":"retrying job 7"}},
      "attributes":[{{"key":"job.id","value":{{"intValue":"7"}}}}],
      "traceId":"{TRACE_ID}","spanId":"{CHILD_ID}"}}
  ]}}]}}]}}"#
    )
}

#[test]
fn receives_span_metric_and_log_over_otlp_http_json() {
    let collector = Collector::start();
    assert!(collector.grpc_endpoint().starts_with("http://127.0.0.1:"));
    assert_ne!(collector.grpc_endpoint(), collector.http_endpoint());
    assert!(collector.received().is_empty());

    send(&collector, "/v1/traces", &traces());
    send(&collector, "/v1/metrics", METRICS);
    send(&collector, "/v1/logs", &logs());

    let received = collector.wait_for(Duration::from_secs(10), |r| {
        r.spans.len() >= 2 && r.metrics.len() >= 2 && !r.logs.is_empty()
    });
    assert_eq!(
        (
            received.spans.len(),
            received.metrics.len(),
            received.logs.len()
        ),
        (2, 2, 1),
        "received: {received:#?}\nstdout:\n{}",
        collector.stdout()
    );

    let root = received.span("root").expect("span root");
    assert_eq!(root.trace_id, TRACE_ID);
    assert_eq!(root.span_id, ROOT_ID);
    assert_eq!(root.parent_span_id, "");
    assert_eq!(root.kind, "SPAN_KIND_SERVER");
    assert_eq!(root.status_code, "STATUS_CODE_UNSET");
    assert_eq!(root.resource_attr("service.name"), Some("harness"));
    assert_eq!(root.scope, "harness-scope");
    assert_eq!(root.scope_version, "9.9");

    let child = received.span("child").expect("span child");
    assert_eq!(child.trace_id, TRACE_ID);
    assert_eq!(child.span_id, CHILD_ID);
    assert_eq!(child.parent_span_id, ROOT_ID);
    assert_eq!(child.kind, "SPAN_KIND_INTERNAL");
    assert_eq!(child.status_code, "STATUS_CODE_ERROR");
    assert_eq!(child.status_message, "bad input");
    assert_eq!(child.start_time, "1700000000500000000");
    let attrs: Vec<(&str, &str)> = child
        .attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        attrs,
        [
            ("cached", "Bool(false)"),
            ("ratio", "Double(0.25)"),
            ("retries", "Int(3)"),
            ("tags", "Slice(Str(x), Str(y))"),
            ("user", "Str(ada)"),
        ]
    );
    assert_eq!(child.attr("user"), Some("ada"));
    let event = child.event("exception").expect("exception event");
    assert_eq!(event.attr("exception.message"), Some("bad input"));

    let jobs = received.metric("jobs_done").expect("metric jobs_done");
    assert_eq!(jobs.kind, "Sum");
    assert_eq!(jobs.unit, "{job}");
    assert_eq!(jobs.description, "Jobs done");
    assert_eq!(jobs.is_monotonic, "true");
    assert_eq!(jobs.temporality, "AGGREGATION_TEMPORALITY_CUMULATIVE");
    assert_eq!(jobs.points.len(), 2);
    assert_eq!(jobs.point_value(&[("queue", "fast")], "Value"), Some("5"));
    assert_eq!(jobs.point_value(&[("queue", "slow")], "Value"), Some("2"));
    assert_eq!(jobs.resource_attr("service.name"), Some("harness"));
    assert_eq!(jobs.scope, "harness-scope");

    let temperature = received.metric("temperature").expect("metric temperature");
    assert_eq!(temperature.kind, "Gauge");
    assert_eq!(temperature.unit, "Cel");
    assert_eq!(temperature.point_value(&[], "Value"), Some("21.5"));

    let log = received.log_event("job.retry").expect("log job.retry");
    assert_eq!(log.severity_text, "WARN");
    assert_eq!(log.severity_number, "SEVERITY_NUMBER_WARN(13)");
    assert_eq!(log.body, "Str(retrying job 7)");
    assert_eq!(log.trace_id, TRACE_ID);
    assert_eq!(log.span_id, CHILD_ID);
    assert_eq!(log.attr("job.id"), Some("7"));
    assert_eq!(log.resource_attr("service.name"), Some("harness"));
}

#[test]
fn parallel_collectors_do_not_share_ports_or_data() {
    let a = Collector::start();
    let b = Collector::start();
    assert_ne!(a.http_endpoint(), b.http_endpoint());
    assert_ne!(a.grpc_endpoint(), b.grpc_endpoint());
    send(&a, "/v1/logs", &logs());
    let got = a.wait_for(Duration::from_secs(10), |r| !r.logs.is_empty());
    assert_eq!(got.logs.len(), 1);
    // b is given the same time to (wrongly) show something.
    std::thread::sleep(Duration::from_millis(200));
    assert!(b.received().is_empty(), "{:#?}", b.received());
    // gRPC ports accept connections too.
    for c in [&a, &b] {
        let addr = c.grpc_endpoint().replace("http://", "");
        TcpStream::connect(&addr).expect("gRPC port accepts connections");
    }
}

#[test]
fn basic_verbosity_counts_what_was_received() {
    let collector = Collector::start_with(Verbosity::Basic);
    send(&collector, "/v1/traces", &traces());
    send(&collector, "/v1/traces", &traces());
    send(&collector, "/v1/logs", &logs());
    let counts =
        collector.wait_for_counts(Duration::from_secs(10), |c| c.spans >= 4 && c.logs >= 1);
    assert_eq!(counts, ReceivedCounts { spans: 4, logs: 1 });
    // Basic output has no detail to parse.
    assert!(collector.received().spans.is_empty());
}

#[test]
fn counts_add_up_batch_lines_and_skip_others() {
    let text = "\
2026-11-22T05:16:32.149754Z  INFO Starting Rotel. grpc_endpoint=\"127.0.0.1:1\"
2026-11-22T05:16:35.728520Z  INFO Received logs. data_type=\"logs\" resource_logs=1 logs=512
2026-11-22T05:16:35.739158Z  INFO Received traces. data_type=\"traces\" resource_spans=1 spans=512
2026-11-22T05:16:35.794576Z  INFO Received traces. data_type=\"traces\" resource_spans=2 spans=202
";
    assert_eq!(
        ReceivedCounts::parse(text),
        ReceivedCounts {
            spans: 714,
            logs: 512
        }
    );
}
