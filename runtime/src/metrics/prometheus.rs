//! The Prometheus pull exporter: `GET /metrics` on `OTEL_EXPORTER_PROMETHEUS_HOST:PORT`.
//!
//! [`start`] binds the address and returns two halves. The [`PrometheusReader`] goes to the
//! meter provider; the [`PrometheusEndpoint`] owns the `signalry-prometheus` thread that
//! answers scrapes, and must live as long as the pipeline. Each scrape collects from the SDK
//! through the shared reader (cumulative temporality) and prints the result with [`text`].
//!
//! The HTTP server is deliberately small: HTTP/1.x, one connection at a time, one request per
//! connection (`Connection: close`). A request is read up to [`MAX_REQUEST_BYTES`] and within
//! [`CONNECTION_DEADLINE`], so a slow or hostile client can hold the endpoint for a few seconds
//! at most and never makes it allocate more. The thread checks its stop flag at least every
//! [`POLL`], so shutting down never waits on a client.

mod text;

use std::collections::HashSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::reader::MetricReader;
use opentelemetry_sdk::metrics::{InstrumentKind, ManualReader, Pipeline, Temporality};

/// The longest request (request line and headers) the endpoint reads.
const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// How long one connection may take, from accept to the last byte of the response.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(5);
/// How often the thread looks for connections and at its stop flag.
const POLL: Duration = Duration::from_millis(50);
/// How long dropping an endpoint that was not shut down waits for its thread.
const DROP_TIMEOUT: Duration = Duration::from_secs(1);
/// Problems reported at most, so that metrics created on the fly cannot grow the set forever.
const MAX_REPORTED_PROBLEMS: usize = 256;

const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Starts serving `/metrics` on every address `host:port` resolves to (`localhost` is often
/// both `127.0.0.1` and `::1`). Fails, with a line for the user, when none can be bound.
pub(crate) fn start(
    host: &str,
    port: u16,
) -> Result<(PrometheusEndpoint, PrometheusReader), String> {
    let fail = |why: String| {
        format!(
            "OTEL_EXPORTER_PROMETHEUS_HOST/PORT: cannot serve Prometheus metrics on \
             {host}:{port}: {why}; metrics are not exported"
        )
    };
    let addresses = (host, port)
        .to_socket_addrs()
        .map_err(|e| fail(e.to_string()))?;
    let mut listeners = Vec::new();
    let mut first_error = None;
    for address in addresses {
        let bound = TcpListener::bind(address).and_then(|listener| {
            // Polled, so that the thread can see its stop flag.
            listener.set_nonblocking(true)?;
            Ok(listener)
        });
        match bound {
            Ok(listener) => listeners.push(listener),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if listeners.is_empty() {
        return Err(fail(first_error.map_or_else(
            || "the host has no address".to_owned(),
            |e| e.to_string(),
        )));
    }
    let addresses = listeners
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    let reader = PrometheusReader(Arc::new(ManualReader::builder().build()));
    let stop = Arc::new(AtomicBool::new(false));
    let (finished, stopped) = mpsc::channel();
    let server = Server {
        listeners,
        reader: reader.clone(),
        stop: Arc::clone(&stop),
        reported: HashSet::new(),
        _finished: finished,
    };
    std::thread::Builder::new()
        .name("signalry-prometheus".into())
        .spawn(move || server.run())
        .map_err(|e| fail(format!("cannot start its thread: {e}")))?;
    let endpoint = PrometheusEndpoint {
        addresses,
        stop,
        stopped: Mutex::new(Some(stopped)),
    };
    Ok((endpoint, reader))
}

/// The reader to register on the meter provider. A clone shares the same reader, which is how
/// the endpoint's thread collects from a reader the provider owns.
#[derive(Clone, Debug)]
pub(crate) struct PrometheusReader(Arc<ManualReader>);

impl MetricReader for PrometheusReader {
    fn register_pipeline(&self, pipeline: Weak<Pipeline>) {
        self.0.register_pipeline(pipeline);
    }

    fn collect(&self, rm: &mut ResourceMetrics) -> OTelSdkResult {
        self.0.collect(rm)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        self.0.temporality(kind)
    }
}

/// The serving half: keep it as long as metrics should be served. Shutting it down (or
/// dropping it) stops the thread and frees the port.
#[derive(Debug)]
pub(crate) struct PrometheusEndpoint {
    addresses: Vec<SocketAddr>,
    stop: Arc<AtomicBool>,
    /// Disconnected when the thread ends; `None` once someone has waited for that.
    stopped: Mutex<Option<Receiver<()>>>,
}

impl PrometheusEndpoint {
    /// The addresses served (with the actual port when `0` was asked for).
    #[cfg(test)]
    pub(crate) fn local_addrs(&self) -> &[SocketAddr] {
        &self.addresses
    }

    /// Stops serving and waits at most `timeout` for the thread to close the listeners. Only
    /// the first call waits; a thread still busy after `timeout` finishes on its own.
    pub(crate) fn shutdown(&self, timeout: Duration) -> Result<(), String> {
        self.stop.store(true, Ordering::Release);
        let stopped = self
            .stopped
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match stopped.map(|stopped| stopped.recv_timeout(timeout)) {
            Some(Err(RecvTimeoutError::Timeout)) => Err(format!(
                "Prometheus endpoint on {}: still answering a scrape after {timeout:?}; it stops \
                 when that ends",
                self.addresses
                    .iter()
                    .map(SocketAddr::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => Ok(()),
        }
    }
}

impl Drop for PrometheusEndpoint {
    fn drop(&mut self) {
        // A pipeline shut down cleanly has already waited; this is for the other cases.
        let _ = self.shutdown(DROP_TIMEOUT);
    }
}

/// What the `signalry-prometheus` thread owns.
struct Server {
    listeners: Vec<TcpListener>,
    reader: PrometheusReader,
    stop: Arc<AtomicBool>,
    /// Problems already told to the user, so that each is told once, not once per scrape.
    reported: HashSet<String>,
    /// Dropped with the server, which tells [`PrometheusEndpoint::shutdown`] it is done.
    _finished: Sender<()>,
}

impl Server {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    fn run(mut self) {
        while !self.stopping() {
            let mut accepted = None;
            for listener in &self.listeners {
                // An error (a client gone before accept, no file descriptors left) is tried
                // again after the pause, like an empty queue.
                if let Ok((stream, _)) = listener.accept() {
                    accepted = Some(stream);
                    break;
                }
            }
            match accepted {
                Some(stream) => self.serve(stream),
                None => std::thread::sleep(POLL),
            }
        }
    }

    fn serve(&mut self, mut stream: TcpStream) {
        let deadline = Instant::now() + CONNECTION_DEADLINE;
        // Blocking with short timeouts: every wait ends within `POLL`, to look at the stop flag
        // and the deadline. Without them the stream is not safe to serve.
        let configured = stream.set_nonblocking(false).is_ok()
            && stream.set_read_timeout(Some(POLL)).is_ok()
            && stream.set_write_timeout(Some(POLL)).is_ok();
        if !configured {
            return;
        }
        let response = match self.read_request(&mut stream, deadline) {
            Ok(head) => self.respond(&head),
            Err(RequestError::Malformed) => Response::text(400, "Bad Request", "bad request\n"),
            Err(RequestError::Gone) => return,
        };
        if self.write_all(&mut stream, &response.bytes(), deadline) {
            let _ = stream.shutdown(Shutdown::Write);
            self.drain(&mut stream, deadline);
        }
    }

    /// Reads up to the end of the request head (a GET has no body).
    fn read_request(
        &self,
        stream: &mut TcpStream,
        deadline: Instant,
    ) -> Result<RequestHead, RequestError> {
        let mut buffer = Vec::with_capacity(1024);
        let mut chunk = [0_u8; 1024];
        loop {
            if let Some(end) = head_end(&buffer) {
                return RequestHead::parse(&buffer[..end]).ok_or(RequestError::Malformed);
            }
            let room = MAX_REQUEST_BYTES - buffer.len();
            if room == 0 {
                return Err(RequestError::Malformed);
            }
            if self.stopping() || Instant::now() >= deadline {
                return Err(RequestError::Gone);
            }
            let want = room.min(chunk.len());
            match stream.read(&mut chunk[..want]) {
                Ok(0) => return Err(RequestError::Gone),
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                Err(e) if is_retry(&e) => {}
                Err(_) => return Err(RequestError::Gone),
            }
        }
    }

    fn respond(&mut self, head: &RequestHead) -> Response {
        let mut response = match (head.path.as_str(), head.method.as_str()) {
            ("/metrics", "GET" | "HEAD") => self.scrape(),
            ("/metrics", _) => {
                let mut response =
                    Response::text(405, "Method Not Allowed", "method not allowed\n");
                response.allow = true;
                response
            }
            _ => Response::text(404, "Not Found", "not found; metrics are at /metrics\n"),
        };
        response.head_only = head.method == "HEAD";
        response
    }

    fn scrape(&mut self) -> Response {
        let reader = &self.reader;
        // The SDK runs the application's observable callbacks here: a panic in one fails the
        // scrape, not the endpoint.
        let collected = catch_unwind(AssertUnwindSafe(|| {
            let mut metrics = ResourceMetrics::default();
            reader
                .collect(&mut metrics)
                .map(|()| text::families(&metrics))
        }));
        match collected {
            Ok(Ok((families, problems))) => {
                self.report(problems);
                Response {
                    status: 200,
                    reason: "OK",
                    content_type: METRICS_CONTENT_TYPE,
                    body: text::encode(&families).into_bytes(),
                    allow: false,
                    head_only: false,
                }
            }
            Ok(Err(e)) => Response::text(
                503,
                "Service Unavailable",
                &format!("metrics are not available: {e}\n"),
            ),
            Err(_) => Response::text(
                500,
                "Internal Server Error",
                "collecting metrics panicked\n",
            ),
        }
    }

    fn report(&mut self, problems: Vec<String>) {
        for problem in problems {
            if self.reported.len() < MAX_REPORTED_PROBLEMS && self.reported.insert(problem.clone())
            {
                eprintln!("signalry: {problem}");
            }
        }
    }

    /// Writes `bytes` unless the deadline passes or the endpoint stops first; whether it did.
    fn write_all(&self, stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> bool {
        while !bytes.is_empty() {
            if self.stopping() || Instant::now() >= deadline {
                return false;
            }
            match stream.write(bytes) {
                Ok(0) => return false,
                Ok(n) => bytes = &bytes[n..],
                Err(e) if is_retry(&e) => {}
                Err(_) => return false,
            }
        }
        true
    }

    /// Reads what the client still sends until it closes, briefly: closing a socket with
    /// unread input resets the connection, which can cut off the response on the client side.
    fn drain(&self, stream: &mut TcpStream, deadline: Instant) {
        let until = deadline.min(Instant::now() + 4 * POLL);
        let mut sink = [0_u8; 1024];
        while !self.stopping() && Instant::now() < until {
            match stream.read(&mut sink) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if is_retry(&e) => {}
                Err(_) => return,
            }
        }
    }
}

fn is_retry(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

enum RequestError {
    /// Not HTTP/1.x, or longer than [`MAX_REQUEST_BYTES`]: answered with 400.
    Malformed,
    /// Closed, failed or too slow: the connection is closed without an answer.
    Gone,
}

/// Where the request head ends (after its blank line), if it has.
fn head_end(buffer: &[u8]) -> Option<usize> {
    let crlf = buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = buffer.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What the endpoint looks at in a request: its method and path.
#[derive(Debug, PartialEq)]
struct RequestHead {
    method: String,
    path: String,
}

impl RequestHead {
    /// Parses the request line (`GET /metrics?x=y HTTP/1.1`); headers are not needed.
    fn parse(head: &[u8]) -> Option<Self> {
        let line_end = head.iter().position(|b| *b == b'\n')?;
        let line = std::str::from_utf8(&head[..line_end]).ok()?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut parts = line.split(' ');
        let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
        let valid_method = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase());
        if parts.next().is_some() || !valid_method || !version.starts_with("HTTP/1.") {
            return None;
        }
        // Absolute form (`http://host:port/metrics`) is what a proxy sends.
        let target = match target.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => target,
        };
        if !target.starts_with('/') {
            return None;
        }
        let path = target.split(['?', '#']).next().unwrap_or(target);
        Some(Self {
            method: method.to_owned(),
            path: path.to_owned(),
        })
    }
}

struct Response {
    status: u16,
    reason: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
    /// Adds `Allow: GET, HEAD` (a 405).
    allow: bool,
    /// Headers only (a HEAD request).
    head_only: bool,
}

impl Response {
    fn text(status: u16, reason: &'static str, body: &str) -> Self {
        Self {
            status,
            reason,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
            allow: false,
            head_only: false,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let allow = if self.allow {
            "Allow: GET, HEAD\r\n"
        } else {
            ""
        };
        let mut bytes = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{allow}\
             Connection: close\r\n\r\n",
            self.status,
            self.reason,
            self.content_type,
            self.body.len()
        )
        .into_bytes();
        if !self.head_only {
            bytes.extend_from_slice(&self.body);
        }
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry::{InstrumentationScope, KeyValue};
    use opentelemetry_sdk::metrics::SdkMeterProvider;
    use opentelemetry_sdk::Resource;

    struct Served {
        endpoint: PrometheusEndpoint,
        provider: SdkMeterProvider,
        /// A clone of the provider's reader.
        reader: PrometheusReader,
        address: SocketAddr,
    }

    fn serve() -> Served {
        let (endpoint, reader) = start("127.0.0.1", 0).expect("the endpoint starts");
        let address = endpoint.local_addrs()[0];
        let provider = SdkMeterProvider::builder()
            .with_resource(
                Resource::builder_empty()
                    .with_attributes([
                        KeyValue::new("service.name", "shop"),
                        KeyValue::new("deployment.environment.name", "test"),
                    ])
                    .build(),
            )
            .with_reader(reader.clone())
            .build();
        Served {
            endpoint,
            provider,
            reader,
            address,
        }
    }

    fn meter(provider: &SdkMeterProvider) -> opentelemetry::metrics::Meter {
        provider.meter_with_scope(
            InstrumentationScope::builder("checkout")
                .with_version("1.2.3")
                .build(),
        )
    }

    /// Sends `request` as is and returns the whole response.
    fn exchange(address: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(address).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream.write_all(request).expect("request sent");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("response read");
        String::from_utf8(response).expect("UTF-8 response")
    }

    fn get(address: SocketAddr, path: &str) -> String {
        exchange(
            address,
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: */*\r\n\r\n").as_bytes(),
        )
    }

    fn body(response: &str) -> &str {
        response.split_once("\r\n\r\n").map_or("", |(_, body)| body)
    }

    #[test]
    fn milliseconds_are_exported_as_seconds() {
        let served = serve();
        let histogram = meter(&served.provider)
            .f64_histogram("jobs.duration")
            .with_unit("ms")
            .with_description("Job time")
            .with_boundaries(vec![100.0, 250.0, 1000.0])
            .build();
        histogram.record(250.0, &[]);
        histogram.record(40.0, &[]);
        let body = get(served.address, "/metrics");
        assert!(
            body.contains("# TYPE jobs_duration_seconds histogram"),
            "{body}"
        );
        assert!(!body.contains("milliseconds"), "{body}");
        assert!(body.contains(r#"jobs_duration_seconds_bucket{otel_scope_name="checkout",otel_scope_version="1.2.3",le="0.1"} 1"#), "{body}");
        assert!(body.contains(r#"jobs_duration_seconds_bucket{otel_scope_name="checkout",otel_scope_version="1.2.3",le="0.25"} 2"#), "{body}");
        assert!(body.contains(r#"jobs_duration_seconds_sum{otel_scope_name="checkout",otel_scope_version="1.2.3"} 0.29"#), "{body}");
        assert!(body.contains(r#"jobs_duration_seconds_count{otel_scope_name="checkout",otel_scope_version="1.2.3"} 2"#), "{body}");
        drop(served.endpoint);
    }

    #[test]
    fn scrapes_counters_gauges_and_histograms() {
        let served = serve();
        let meter = meter(&served.provider);
        let orders = meter
            .u64_counter("orders.created")
            .with_unit("{order}")
            .with_description("Orders created")
            .build();
        orders.add(3, &[KeyValue::new("order.kind", "express")]);
        orders.add(1, &[KeyValue::new("order.kind", "standard")]);
        let in_flight = meter.i64_up_down_counter("requests.active").build();
        in_flight.add(-2, &[]);
        let fill = meter.f64_gauge("queue.fill").with_unit("1").build();
        fill.record(0.5, &[]);
        let duration = meter
            .f64_histogram("request.duration")
            .with_unit("s")
            .with_description("Time to handle a request")
            .with_boundaries(vec![0.1, 0.5, 1.0])
            .build();
        for seconds in [0.05, 0.25, 0.75, 2.0] {
            duration.record(seconds, &[KeyValue::new("http.route", "/cart")]);
        }

        let response = get(served.address, "/metrics");
        assert!(
            response.starts_with(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            ),
            "{response}"
        );
        let scope = "otel_scope_name=\"checkout\",otel_scope_version=\"1.2.3\"";
        assert_eq!(
            body(&response),
            format!(
                "# HELP orders_created_total Orders created\n\
                 # TYPE orders_created_total counter\n\
                 orders_created_total{{order_kind=\"express\",{scope}}} 3\n\
                 orders_created_total{{order_kind=\"standard\",{scope}}} 1\n\
                 # HELP queue_fill_ratio queue.fill\n\
                 # TYPE queue_fill_ratio gauge\n\
                 queue_fill_ratio{{{scope}}} 0.5\n\
                 # HELP request_duration_seconds Time to handle a request\n\
                 # TYPE request_duration_seconds histogram\n\
                 request_duration_seconds_bucket{{http_route=\"/cart\",{scope},le=\"0.1\"}} 1\n\
                 request_duration_seconds_bucket{{http_route=\"/cart\",{scope},le=\"0.5\"}} 2\n\
                 request_duration_seconds_bucket{{http_route=\"/cart\",{scope},le=\"1\"}} 3\n\
                 request_duration_seconds_bucket{{http_route=\"/cart\",{scope},le=\"+Inf\"}} 4\n\
                 request_duration_seconds_sum{{http_route=\"/cart\",{scope}}} 3.05\n\
                 request_duration_seconds_count{{http_route=\"/cart\",{scope}}} 4\n\
                 # HELP requests_active requests.active\n\
                 # TYPE requests_active gauge\n\
                 requests_active{{{scope}}} -2\n\
                 # HELP target_info Target metadata\n\
                 # TYPE target_info gauge\n\
                 target_info{{deployment_environment_name=\"test\",service_name=\"shop\"}} 1\n"
            )
        );

        // Cumulative: a second scrape sees the sums grow.
        orders.add(2, &[KeyValue::new("order.kind", "express")]);
        let again = get(served.address, "/metrics");
        assert!(
            body(&again).contains(&format!(
                "orders_created_total{{order_kind=\"express\",{scope}}} 5\n"
            )),
            "{again}"
        );
        drop(served);
    }

    #[test]
    fn metrics_of_one_name_from_two_scopes_share_a_family_and_conflicting_types_are_dropped() {
        let served = serve();
        let first = served.provider.meter("first");
        let second = served.provider.meter("second");
        first.u64_counter("jobs").build().add(1, &[]);
        second.u64_counter("jobs").build().add(2, &[]);
        // `jobs_total` as a gauge would be a second TYPE for the counter's family.
        second.f64_gauge("jobs_total").build().record(9.0, &[]);
        let (families, problems) = {
            let mut metrics = ResourceMetrics::default();
            served.reader.collect(&mut metrics).expect("collects");
            text::families(&metrics)
        };
        let text = text::encode(&families);
        assert!(
            text.contains(
                "# TYPE jobs_total counter\n\
                 jobs_total{otel_scope_name=\"first\"} 1\n\
                 jobs_total{otel_scope_name=\"second\"} 2\n"
            ),
            "{text}"
        );
        assert!(!text.contains(" 9\n"), "{text}");
        assert_eq!(
            problems,
            [
                "metric \"jobs_total\" is not exported to Prometheus: its Prometheus name \
              jobs_total is already taken by a counter"
            ]
        );
    }

    #[test]
    fn other_paths_methods_and_garbage() {
        let served = serve();
        let address = served.address;
        assert!(get(address, "/").starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(get(address, "/metricsx").starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(get(address, "/metrics?debug=1").starts_with("HTTP/1.1 200 OK\r\n"));
        let post = exchange(
            address,
            b"POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",
        );
        assert!(
            post.starts_with("HTTP/1.1 405 Method Not Allowed\r\n")
                && post.contains("Allow: GET, HEAD\r\n"),
            "{post}"
        );
        let head = exchange(address, b"HEAD /metrics HTTP/1.0\r\n\r\n");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "HEAD has no body: {head}");
        let head = exchange(address, b"HEAD / HTTP/1.0\r\n\r\n");
        assert!(head.starts_with("HTTP/1.1 404 Not Found\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "HEAD has no body: {head}");
        for garbage in [
            &b"hello\r\n\r\n"[..],
            b"GET /metrics\r\n\r\n",
            b"GET /metrics HTTP/2.0\r\n\r\n",
            b"GET  /metrics HTTP/1.1\r\n\r\n",
            b"get /metrics HTTP/1.1\r\n\r\n",
            b"GET metrics HTTP/1.1\r\n\r\n",
            b"\xff\xfe /metrics HTTP/1.1\r\n\r\n",
        ] {
            let response = exchange(address, garbage);
            assert!(
                response.starts_with("HTTP/1.1 400 Bad Request\r\n"),
                "{garbage:?}: {response}"
            );
        }
    }

    #[test]
    fn an_oversized_request_is_refused_without_reading_it_all() {
        let served = serve();
        let mut stream = TcpStream::connect(served.address).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let header = format!("GET /metrics HTTP/1.1\r\nX-Filler: {}\r\n", "a".repeat(64));
        // Keep sending: the endpoint answers once it has read its limit, whatever follows.
        let mut sent = 0;
        while sent <= MAX_REQUEST_BYTES * 4 {
            if stream.write_all(header.as_bytes()).is_err() {
                break;
            }
            sent += header.len();
        }
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let response = String::from_utf8_lossy(&response);
        assert!(
            response.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{response}"
        );
    }

    #[test]
    fn a_silent_client_holds_the_endpoint_for_the_deadline_at_most() {
        let served = serve();
        let silent = TcpStream::connect(served.address).expect("connects");
        let started = Instant::now();
        let response = get(served.address, "/metrics");
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(
            started.elapsed() < CONNECTION_DEADLINE + Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        drop(silent);
    }

    #[test]
    fn shutting_down_stops_serving_at_once_even_with_a_client_connected() {
        let served = serve();
        let address = served.address;
        let _silent = TcpStream::connect(address).expect("connects");
        // Let the thread accept the silent client and wait on it.
        std::thread::sleep(4 * POLL);
        let started = Instant::now();
        served
            .endpoint
            .shutdown(Duration::from_secs(5))
            .expect("stops in time");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert!(
            TcpStream::connect(address).is_err(),
            "the port is closed once shut down"
        );
        // A second shutdown, and the drop, do not wait again.
        served
            .endpoint
            .shutdown(Duration::ZERO)
            .expect("already stopped");
    }

    #[test]
    fn a_shut_down_provider_answers_503() {
        let served = serve();
        served.provider.shutdown().expect("provider shuts down");
        let response = get(served.address, "/metrics");
        assert!(
            response.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{response}"
        );
    }

    #[test]
    fn an_address_in_use_is_a_warning() {
        let taken = TcpListener::bind("127.0.0.1:0").expect("binds");
        let port = taken.local_addr().expect("address").port();
        let error = start("127.0.0.1", port).expect_err("the port is taken");
        assert!(
            error.starts_with(&format!(
                "OTEL_EXPORTER_PROMETHEUS_HOST/PORT: cannot serve Prometheus metrics on \
                 127.0.0.1:{port}: "
            )) && error.ends_with("; metrics are not exported"),
            "{error}"
        );
        let error = start("no-such-host.invalid", 9464).expect_err("cannot resolve");
        assert!(error.contains("no-such-host.invalid:9464"), "{error}");
    }

    #[test]
    fn request_heads() {
        let parse = |head: &str| RequestHead::parse(head.as_bytes());
        let head = |method: &str, path: &str| {
            Some(RequestHead {
                method: method.to_owned(),
                path: path.to_owned(),
            })
        };
        assert_eq!(
            parse("GET /metrics HTTP/1.1\r\n\r\n"),
            head("GET", "/metrics")
        );
        assert_eq!(parse("GET /metrics HTTP/1.0\n\n"), head("GET", "/metrics"));
        assert_eq!(
            parse("GET http://127.0.0.1:9464/metrics?a=b HTTP/1.1\r\n\r\n"),
            head("GET", "/metrics")
        );
        assert_eq!(parse("GET http://host HTTP/1.1\r\n\r\n"), head("GET", "/"));
        assert_eq!(
            parse("GET /metrics#x HTTP/1.1\r\n\r\n"),
            head("GET", "/metrics")
        );
        assert_eq!(parse("GET /metrics HTTP/1.1 extra\r\n\r\n"), None);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n\r\nrest"), Some(24));
        assert_eq!(head_end(b"GET / HTTP/1.1\nA: b\n\nrest"), Some(21));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nA: b\r\n"), None);
    }
}
