//! A real OpenTelemetry collector for end-to-end tests: `rotel-agent` (PyPI package
//! `rotel==0.0.1a15`) on loopback, plus a parser for what it prints.
//!
//! # How the collector is run
//!
//! [`Collector::start`] runs
//!
//! ```text
//! rotel-agent start --exporter blackhole
//!     --debug-log traces --debug-log metrics --debug-log logs
//!     --debug-log-verbosity detailed
//!     --otlp-grpc-endpoint 127.0.0.1:<free port> --otlp-http-endpoint 127.0.0.1:<free port>
//!     --pid-file <temp dir>/rotel-agent.pid --log-file <temp dir>/rotel-agent.log
//!     --batch-timeout 10ms
//! ```
//!
//! with `NO_COLOR=1` and every `ROTEL_*` variable removed from its environment. `--debug-log`
//! takes one signal per occurrence (a comma-separated list is rejected), so it is repeated.
//! The detailed debug log is written to the agent's **stdout** (one `print!` per exported
//! batch, so batches never interleave); the agent's own log lines
//! (`2026-01-01T00:00:00.000000Z  INFO Starting Rotel. ...`) go to stdout too and are
//! skipped by the parser. The log file stays empty unless the agent daemonizes.
//!
//! # What the detailed output looks like
//!
//! Samples captured from the real agent are in `tests/fixtures/rotel/`. In short:
//!
//! - Ids are lowercase hex (`Trace ID       : 5b8efff798038103d269b633813fc60c`); a missing
//!   id (root span's parent, log record outside a span) is printed as an empty string.
//! - Span kinds and status codes are the protobuf enum names: `SPAN_KIND_SERVER`,
//!   `STATUS_CODE_ERROR`. A span sent without a status gets no status lines at all; the
//!   parser reports it as `STATUS_CODE_UNSET` with an empty message.
//! - Attribute values are printed as `Type(text)`: `Str(hello world)` (no quoting or
//!   escaping), `Int(42)`, `Double(3.5)`, `Bool(true)`, `Slice(Str(a), Str(b))`,
//!   `Map(k:Str(v))`, `Bytes([1, 2, 3])`, `Empty`. The parser keeps this text as is;
//!   [`inner_value`] strips the outer `Type(...)`, and the `attr` helpers on the record types
//!   do that for you.
//! - Log records: `SeverityText: ERROR`, `SeverityNumber: SEVERITY_NUMBER_ERROR(17)`,
//!   `EventName: order.failed` (line omitted when the event name is empty),
//!   `Body: Str(order 17 failed)` (`Body: Empty` without a body). All kept as printed.
//! - Metrics: a descriptor (name, description, unit, `DataType: Sum|Gauge|Histogram|
//!   ExponentialHistogram|Summary|Empty`, and for sums `IsMonotonic`), then one block per
//!   data point with its attributes and values (`Value: 7` for sums and gauges; `Count`,
//!   `Sum`, `Min`, `Max`, `ExplicitBounds #i`, `Buckets #i, Count` for histograms).
//!
//! Known limitations of rotel 0.0.1a15's **OTLP/JSON** decoder (OTLP/protobuf, which the
//! Rust SDK sends over gRPC and HTTP, is decoded correctly): an `asInt` given as a JSON
//! string (`"asInt":"7"`, the canonical form) loses its value (no `Value:` line; a JSON
//! number works), and histograms with data points usually come out as `DataType: Empty`
//! without points. See `tests/fixtures/rotel/metrics_json.txt`.
//!
//! The text format cannot be parsed unambiguously in every case: a string value containing
//! a newline is continued on the next output lines, and the parser joins such lines back
//! (with `\n`) unless a continuation line itself looks like a line of the format (for
//! example starts with `     -> ` or `Value:`). An attribute key containing `": "` followed
//! by something like a value type is split at the wrong place. Tests should avoid both.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Message of the panic raised when no `rotel-agent` binary can be found.
pub const NOT_FOUND: &str =
    "rotel-agent not found: run scripts/test, which installs rotel==0.0.1a15 with pip";

/// How long [`Collector::start`] waits for the agent's ports to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How many times [`Collector::start`] picks new ports when the agent exits during start-up
/// (typically because another process took a port between picking and binding it).
const START_ATTEMPTS: usize = 5;
/// Output is considered complete once the agent has printed nothing for this long.
const QUIET: Duration = Duration::from_millis(30);
/// Upper bound on waiting for [`QUIET`] before a snapshot is parsed anyway.
const QUIET_MAX_WAIT: Duration = Duration::from_secs(2);
/// Poll interval of [`Collector::wait_for`].
const POLL: Duration = Duration::from_millis(25);

/// Path of the `rotel-agent` binary.
///
/// Looked up, in order, in the `ROTEL_AGENT` environment variable, as `rotel-agent` on
/// `PATH`, and inside the installed python package `rotel` (asking `python3`). The result
/// is cached for the life of the process.
///
/// # Panics
///
/// With a message starting with [`NOT_FOUND`] when none of these yields a file.
pub fn rotel_agent_path() -> PathBuf {
    static PATH: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PATH.get_or_init(find_rotel_agent) {
        Ok(path) => path.clone(),
        Err(why) => panic!("{NOT_FOUND} ({why})"),
    }
}

fn find_rotel_agent() -> Result<PathBuf, String> {
    if let Some(value) = std::env::var_os("ROTEL_AGENT").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(&value);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "ROTEL_AGENT is set to {path:?}, which is not a file"
            ))
        };
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("rotel-agent");
            if is_executable(&candidate) {
                return Ok(candidate);
            }
        }
    }
    let script =
        "import rotel,os;print(os.path.join(os.path.dirname(rotel.__file__),'rotel-agent'))";
    match Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    {
        Ok(out) if out.status.success() => {
            let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if is_executable(&path) {
                Ok(path)
            } else {
                Err(format!(
                    "the python package rotel has no executable {}",
                    path.display()
                ))
            }
        }
        Ok(_) => Err("not on PATH, and python3 cannot import the package rotel".into()),
        Err(e) => Err(format!("not on PATH, and python3 cannot be run: {e}")),
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// A running `rotel-agent` that records everything it receives.
///
/// Each instance has its own ports and temporary directory, so tests may run several in
/// parallel. Dropping it kills the agent and removes the directory.
///
/// ```no_run
/// use std::time::Duration;
/// use signalry_tests::collector::Collector;
///
/// let collector = Collector::start();
/// // ... point an OTLP exporter at collector.grpc_endpoint() and emit telemetry ...
/// let received = collector.wait_for(Duration::from_secs(10), |r| r.span("checkout").is_some());
/// let span = received.span("checkout").expect("span `checkout` not received");
/// assert_eq!(span.attr("order.id"), Some("17"));
/// ```
pub struct Collector {
    child: Mutex<Child>,
    grpc_port: u16,
    http_port: u16,
    dir: PathBuf,
    stdout: Arc<Capture>,
    stderr: Arc<Capture>,
    readers: Vec<JoinHandle<()>>,
    /// Whether dropping removes `dir` (not when a failed start-up attempt is retried).
    remove_dir: bool,
}

impl fmt::Debug for Collector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Collector")
            .field("grpc_port", &self.grpc_port)
            .field("http_port", &self.http_port)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// Output captured from one of the agent's pipes.
#[derive(Debug)]
struct Capture {
    state: Mutex<CaptureState>,
}

#[derive(Debug)]
struct CaptureState {
    text: String,
    last_update: Instant,
}

impl Capture {
    fn new() -> Arc<Capture> {
        Arc::new(Capture {
            state: Mutex::new(CaptureState {
                text: String::new(),
                last_update: Instant::now(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, CaptureState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn text(&self) -> String {
        self.lock().text.clone()
    }

    /// Reads `pipe` line by line into this capture until end of file, on a new thread.
    fn spawn_reader(self: &Arc<Self>, pipe: impl Read + Send + 'static) -> JoinHandle<()> {
        let capture = Arc::clone(self);
        thread::spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut line = Vec::new();
            loop {
                line.clear();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let mut state = capture.lock();
                        state.text.push_str(&String::from_utf8_lossy(&line));
                        state.last_update = Instant::now();
                    }
                }
            }
        })
    }
}

static INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// How much the agent prints about what it receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Every item with all its fields (`--debug-log-verbosity detailed`): what
    /// [`Collector::received`] parses.
    Detailed,
    /// One line per received batch with its item count (`--debug-log-verbosity basic`): what
    /// [`Collector::counts`] adds up. Cheap enough for hundreds of thousands of items, where
    /// printing and parsing every field would be the bottleneck.
    Basic,
}

impl Verbosity {
    fn as_arg(self) -> &'static str {
        match self {
            Verbosity::Detailed => "detailed",
            Verbosity::Basic => "basic",
        }
    }
}

impl Collector {
    /// Starts `rotel-agent` on free loopback ports and waits until both its OTLP/gRPC and
    /// OTLP/HTTP ports accept TCP connections.
    ///
    /// The agent prints the detailed debug log of all three signals and discards the data
    /// (blackhole exporter); batches are flushed after 10 ms. See the [module
    /// docs](self) for the full command line.
    ///
    /// # Panics
    ///
    /// When the binary cannot be found (see [`rotel_agent_path`]), when the agent exits
    /// during start-up 5 times in a row (new ports are picked each time), or when its ports do not accept
    /// connections within 20 seconds. The message includes the agent's output.
    pub fn start() -> Collector {
        Collector::start_with(Verbosity::Detailed)
    }

    /// Starts `rotel-agent` as [`Collector::start`] does, printing what it receives at
    /// `verbosity`.
    ///
    /// # Panics
    ///
    /// As [`Collector::start`].
    pub fn start_with(verbosity: Verbosity) -> Collector {
        let binary = rotel_agent_path();
        let dir = std::env::temp_dir().join(format!(
            "signalry-rotel-{}-{}",
            std::process::id(),
            INSTANCES.fetch_add(1, Ordering::Relaxed)
        ));
        // A leftover from an earlier process with the same id; nothing of ours.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create temp dir {}: {e}", dir.display()));

        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            let (grpc_port, http_port) = free_ports();
            let mut command = Command::new(&binary);
            command
                .arg("start")
                .args(["--exporter", "blackhole"])
                .args(["--debug-log", "traces"])
                .args(["--debug-log", "metrics"])
                .args(["--debug-log", "logs"])
                .args(["--debug-log-verbosity", verbosity.as_arg()])
                .arg("--otlp-grpc-endpoint")
                .arg(format!("127.0.0.1:{grpc_port}"))
                .arg("--otlp-http-endpoint")
                .arg(format!("127.0.0.1:{http_port}"))
                .arg("--pid-file")
                .arg(dir.join("rotel-agent.pid"))
                .arg("--log-file")
                .arg(dir.join("rotel-agent.log"))
                .args(["--batch-timeout", "10ms"])
                .current_dir(&dir)
                .env("NO_COLOR", "1")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with("ROTEL_") {
                    command.env_remove(name);
                }
            }
            let mut child = command
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
            let stdout = Capture::new();
            let stderr = Capture::new();
            let mut readers = Vec::new();
            if let Some(pipe) = child.stdout.take() {
                readers.push(stdout.spawn_reader(pipe));
            }
            if let Some(pipe) = child.stderr.take() {
                readers.push(stderr.spawn_reader(pipe));
            }
            let collector = Collector {
                child: Mutex::new(child),
                grpc_port,
                http_port,
                dir: dir.clone(),
                stdout,
                stderr,
                readers,
                remove_dir: true,
            };
            match collector.wait_until_listening() {
                Ok(()) => return collector,
                Err(StartError::Exited(status)) => {
                    let mut collector = collector;
                    // The agent is gone, so its pipes are at end of file: read all output.
                    for reader in collector.readers.drain(..) {
                        let _ = reader.join();
                    }
                    failures.push(format!(
                        "exited with {status} on ports {grpc_port}/{http_port}\n{}",
                        collector.output_report()
                    ));
                    // Keep the directory for the next attempt.
                    collector.remove_dir = false;
                }
                Err(StartError::Timeout) => {
                    let report = collector.output_report();
                    drop(collector);
                    panic!(
                        "rotel-agent did not accept connections on 127.0.0.1:{grpc_port} \
                         (gRPC) and 127.0.0.1:{http_port} (HTTP) within {START_TIMEOUT:?}\n\
                         {report}"
                    );
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        panic!(
            "rotel-agent ({}) failed to start {START_ATTEMPTS} times:\n{}",
            binary.display(),
            failures.join("\n")
        );
    }

    fn wait_until_listening(&self) -> Result<(), StartError> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.exit_status() {
                return Err(StartError::Exited(status));
            }
            if accepts(self.grpc_port) && accepts(self.http_port) {
                // If another process owns a port, ours exits right after failing to bind.
                thread::sleep(Duration::from_millis(100));
                return match self.exit_status() {
                    Some(status) => Err(StartError::Exited(status)),
                    None => Ok(()),
                };
            }
            if Instant::now() >= deadline {
                return Err(StartError::Timeout);
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn exit_status(&self) -> Option<ExitStatus> {
        let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        child.try_wait().ok().flatten()
    }

    /// The OTLP/gRPC endpoint, `http://127.0.0.1:PORT`.
    pub fn grpc_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.grpc_port)
    }

    /// The OTLP/HTTP endpoint (base URL, without `/v1/...`), `http://127.0.0.1:PORT`.
    pub fn http_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// Port of the OTLP/gRPC endpoint.
    pub fn grpc_port(&self) -> u16 {
        self.grpc_port
    }

    /// Port of the OTLP/HTTP endpoint.
    pub fn http_port(&self) -> u16 {
        self.http_port
    }

    /// Polls what the agent has received until `pred` holds or `timeout` passes, and
    /// returns the last snapshot either way; assert on it afterwards.
    ///
    /// # Panics
    ///
    /// When the agent has exited (the message includes its output).
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&Received) -> bool) -> Received {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if pred(&received) || Instant::now() >= deadline {
                return received;
            }
            thread::sleep(POLL);
        }
    }

    /// Everything the agent has printed so far, parsed.
    ///
    /// Waits (up to 2 s) until the agent has been silent for 30 ms, so that a batch being
    /// printed is not cut in half.
    ///
    /// # Panics
    ///
    /// When the agent has exited (the message includes its output).
    pub fn received(&self) -> Received {
        if let Some(status) = self.exit_status() {
            // Let the readers catch up with the last output.
            thread::sleep(Duration::from_millis(100));
            panic!(
                "rotel-agent exited unexpectedly with {status}\n{}",
                self.output_report()
            );
        }
        let started = Instant::now();
        loop {
            let state = self.stdout.lock();
            if state.last_update.elapsed() >= QUIET || started.elapsed() >= QUIET_MAX_WAIT {
                let text = state.text.clone();
                drop(state);
                return Received::parse(&text);
            }
            drop(state);
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// How many spans and log records the agent has received so far, from the one line per
    /// batch it prints at [`Verbosity::Basic`] (nothing is counted at [`Verbosity::Detailed`]).
    ///
    /// # Panics
    ///
    /// When the agent has exited (the message includes its output).
    pub fn counts(&self) -> ReceivedCounts {
        if let Some(status) = self.exit_status() {
            thread::sleep(Duration::from_millis(100));
            panic!(
                "rotel-agent exited unexpectedly with {status}\n{}",
                self.output_report()
            );
        }
        ReceivedCounts::parse(&self.stdout.lock().text)
    }

    /// Polls [`Collector::counts`] until `pred` holds or `timeout` passes, and returns the
    /// last counts either way; assert on them afterwards.
    ///
    /// # Panics
    ///
    /// When the agent has exited (the message includes its output).
    pub fn wait_for_counts(
        &self,
        timeout: Duration,
        pred: impl Fn(&ReceivedCounts) -> bool,
    ) -> ReceivedCounts {
        let deadline = Instant::now() + timeout;
        loop {
            let counts = self.counts();
            if pred(&counts) || Instant::now() >= deadline {
                return counts;
            }
            thread::sleep(POLL);
        }
    }

    /// The agent's raw stdout so far: its own log lines and the detailed debug log.
    pub fn stdout(&self) -> String {
        self.stdout.text()
    }

    /// The agent's raw stderr so far (error messages, e.g. a failed bind).
    pub fn stderr(&self) -> String {
        self.stderr.text()
    }

    fn output_report(&self) -> String {
        format!(
            "--- rotel-agent stdout ---\n{}--- rotel-agent stderr ---\n{}--- end ---",
            self.stdout(),
            self.stderr()
        )
    }
}

impl Drop for Collector {
    /// Kills the agent, waits for it and its output readers, and removes the temporary
    /// directory.
    fn drop(&mut self) {
        {
            let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
            let _ = child.kill();
            let _ = child.wait();
        }
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        if self.remove_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        if thread::panicking() {
            let stderr = self.stderr();
            if !stderr.is_empty() {
                eprintln!("rotel-agent stderr:\n{stderr}");
            }
        }
    }
}

enum StartError {
    Exited(ExitStatus),
    Timeout,
}

/// Two distinct free loopback ports (bound together, then released).
fn free_ports() -> (u16, u16) {
    let bind = || {
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("cannot bind a free port on 127.0.0.1")
    };
    let (a, b) = (bind(), bind());
    let port = |l: &TcpListener| l.local_addr().expect("local address of a listener").port();
    (port(&a), port(&b))
}

fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

// ---------------------------------------------------------------------------------------
// Parsed data
// ---------------------------------------------------------------------------------------

/// Totals of what the agent received, from its [`Verbosity::Basic`] lines:
///
/// ```text
/// 2026-11-22T05:16:35.739158Z  INFO Received traces. data_type="traces" resource_spans=1 spans=512
/// 2026-11-22T05:16:35.728520Z  INFO Received logs. data_type="logs" resource_logs=1 logs=512
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReceivedCounts {
    /// Spans, over all batches.
    pub spans: u64,
    /// Log records, over all batches.
    pub logs: u64,
}

impl ReceivedCounts {
    /// Adds up the `spans=N` of every `Received traces.` line and the `logs=N` of every
    /// `Received logs.` line; other lines are skipped.
    pub fn parse(text: &str) -> ReceivedCounts {
        let field = |line: &str, name: &str| -> u64 {
            line.split_whitespace()
                .find_map(|word| word.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
                .unwrap_or(0)
        };
        let mut counts = ReceivedCounts::default();
        for line in text.lines() {
            if line.contains("Received traces.") {
                counts.spans += field(line, "spans");
            } else if line.contains("Received logs.") {
                counts.logs += field(line, "logs");
            }
        }
        counts
    }
}

/// Everything the collector printed, in the order it was printed.
///
/// The same item may appear more than once, e.g. a cumulative metric exported periodically.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Received {
    /// Spans.
    pub spans: Vec<ReceivedSpan>,
    /// Metrics; one entry per metric per export.
    pub metrics: Vec<ReceivedMetric>,
    /// Log records.
    pub logs: Vec<ReceivedLog>,
}

/// A span as printed by the collector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceivedSpan {
    /// Trace id, 32 lowercase hex digits.
    pub trace_id: String,
    /// Span id, 16 lowercase hex digits.
    pub span_id: String,
    /// Parent span id; empty for a root span.
    pub parent_span_id: String,
    /// Span name.
    pub name: String,
    /// Span kind, e.g. `SPAN_KIND_INTERNAL`, `SPAN_KIND_SERVER`, `SPAN_KIND_CLIENT`.
    pub kind: String,
    /// `STATUS_CODE_UNSET`, `STATUS_CODE_OK` or `STATUS_CODE_ERROR`.
    pub status_code: String,
    /// Status message; empty if none.
    pub status_message: String,
    /// Start time, Unix nanoseconds as printed.
    pub start_time: String,
    /// End time, Unix nanoseconds as printed.
    pub end_time: String,
    /// Span attributes, values as printed (`Str(GET)`, `Int(200)`, ...).
    pub attributes: BTreeMap<String, String>,
    /// Span events.
    pub events: Vec<ReceivedEvent>,
    /// Span links.
    pub links: Vec<ReceivedLink>,
    /// Resource attributes, values as printed.
    pub resource: BTreeMap<String, String>,
    /// Instrumentation scope name.
    pub scope: String,
    /// Instrumentation scope version; empty if none.
    pub scope_version: String,
}

/// A span event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceivedEvent {
    /// Event name, e.g. `exception`.
    pub name: String,
    /// Event attributes, values as printed.
    pub attributes: BTreeMap<String, String>,
}

/// A span link.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceivedLink {
    /// Trace id of the linked span.
    pub trace_id: String,
    /// Span id of the linked span.
    pub span_id: String,
    /// Link attributes, values as printed.
    pub attributes: BTreeMap<String, String>,
}

/// A metric as printed by the collector (one export of it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceivedMetric {
    /// Metric name.
    pub name: String,
    /// Unit, e.g. `s`, `By`, `{request}`; empty if none.
    pub unit: String,
    /// Description; empty if none.
    pub description: String,
    /// Data type: `Sum`, `Gauge`, `Histogram`, `ExponentialHistogram`, `Summary`, or
    /// `Empty` when the data is missing (or rotel could not decode it).
    pub kind: String,
    /// For sums: `true` or `false`; empty for other kinds.
    pub is_monotonic: String,
    /// `AGGREGATION_TEMPORALITY_CUMULATIVE`, `AGGREGATION_TEMPORALITY_DELTA`, ...; empty for
    /// gauges and summaries.
    pub temporality: String,
    /// Attributes of each data point, values as printed.
    pub points: Vec<BTreeMap<String, String>>,
    /// Values of each data point, same order as [`points`](Self::points). Keys are the
    /// labels rotel prints: `StartTimestamp`, `Timestamp`, and `Value` (sum, gauge; absent
    /// if the point had no value), or `Count`, `Sum`, `Min`, `Max` (the last three only when
    /// set), `ExplicitBounds` and `BucketCounts` (comma-separated, no spaces) for histograms.
    pub point_values: Vec<BTreeMap<String, String>>,
    /// Resource attributes, values as printed.
    pub resource: BTreeMap<String, String>,
    /// Instrumentation scope (meter) name.
    pub scope: String,
}

/// A log record as printed by the collector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceivedLog {
    /// Event name; empty if none.
    pub event_name: String,
    /// Severity text as sent, e.g. `ERROR`; empty if none.
    pub severity_text: String,
    /// Severity number as printed: enum name and number, e.g.
    /// `SEVERITY_NUMBER_ERROR(17)`, `SEVERITY_NUMBER_UNSPECIFIED(0)`.
    pub severity_number: String,
    /// Body as printed, e.g. `Str(order 17 failed)`, `Map(k:Str(v))`, `Empty`.
    pub body: String,
    /// Trace id; empty outside a trace.
    pub trace_id: String,
    /// Span id; empty outside a span.
    pub span_id: String,
    /// Timestamp, Unix nanoseconds as printed (`0` if unset).
    pub timestamp: String,
    /// Log record attributes, values as printed.
    pub attributes: BTreeMap<String, String>,
    /// Resource attributes, values as printed.
    pub resource: BTreeMap<String, String>,
    /// Instrumentation scope (logger) name.
    pub scope: String,
}

/// Strips the outer `Type(...)` of a value as rotel prints it: `Str(GET)` → `GET`,
/// `Int(42)` → `42`, `Slice(Str(a), Str(b))` → `Str(a), Str(b)`. Anything else (`Empty`,
/// plain text) is returned unchanged.
pub fn inner_value(printed: &str) -> &str {
    if let Some(open) = printed.find('(') {
        let tag = &printed[..open];
        if !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphabetic()) && printed.ends_with(')')
        {
            return &printed[open + 1..printed.len() - 1];
        }
    }
    printed
}

fn inner_attr<'a>(map: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    map.get(key).map(|v| inner_value(v))
}

impl ReceivedSpan {
    /// Attribute `key` with the outer `Type(...)` stripped (see [`inner_value`]).
    pub fn attr(&self, key: &str) -> Option<&str> {
        inner_attr(&self.attributes, key)
    }

    /// Resource attribute `key` with the outer `Type(...)` stripped.
    pub fn resource_attr(&self, key: &str) -> Option<&str> {
        inner_attr(&self.resource, key)
    }

    /// The first event named `name`.
    pub fn event(&self, name: &str) -> Option<&ReceivedEvent> {
        self.events.iter().find(|e| e.name == name)
    }
}

impl ReceivedEvent {
    /// Attribute `key` with the outer `Type(...)` stripped (see [`inner_value`]).
    pub fn attr(&self, key: &str) -> Option<&str> {
        inner_attr(&self.attributes, key)
    }
}

impl ReceivedLink {
    /// Attribute `key` with the outer `Type(...)` stripped (see [`inner_value`]).
    pub fn attr(&self, key: &str) -> Option<&str> {
        inner_attr(&self.attributes, key)
    }
}

impl ReceivedMetric {
    /// Resource attribute `key` with the outer `Type(...)` stripped.
    pub fn resource_attr(&self, key: &str) -> Option<&str> {
        inner_attr(&self.resource, key)
    }

    /// Index of the first data point whose attributes include all `attrs` (compared after
    /// [`inner_value`], e.g. `("route", "/a")` matches `Str(/a)`).
    pub fn point_index(&self, attrs: &[(&str, &str)]) -> Option<usize> {
        self.points
            .iter()
            .position(|point| attrs.iter().all(|(k, v)| inner_attr(point, k) == Some(*v)))
    }

    /// Value `label` (e.g. `Value`, `Count`, `Sum`) of the first data point whose
    /// attributes include all `attrs` (see [`point_index`](Self::point_index)).
    pub fn point_value(&self, attrs: &[(&str, &str)], label: &str) -> Option<&str> {
        let i = self.point_index(attrs)?;
        self.point_values.get(i)?.get(label).map(String::as_str)
    }
}

impl ReceivedLog {
    /// Attribute `key` with the outer `Type(...)` stripped (see [`inner_value`]).
    pub fn attr(&self, key: &str) -> Option<&str> {
        inner_attr(&self.attributes, key)
    }

    /// Resource attribute `key` with the outer `Type(...)` stripped.
    pub fn resource_attr(&self, key: &str) -> Option<&str> {
        inner_attr(&self.resource, key)
    }

    /// The body with the outer `Type(...)` stripped.
    pub fn body_text(&self) -> &str {
        inner_value(&self.body)
    }
}

impl Received {
    /// Parses rotel's detailed debug output (its whole stdout; other lines are skipped).
    pub fn parse(text: &str) -> Received {
        let mut parser = Parser::default();
        for line in logical_lines(text) {
            parser.line(&line);
        }
        parser.finish()
    }

    /// True if nothing was received.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty() && self.metrics.is_empty() && self.logs.is_empty()
    }

    /// The first span named `name`.
    pub fn span(&self, name: &str) -> Option<&ReceivedSpan> {
        self.spans.iter().find(|s| s.name == name)
    }

    /// All spans named `name`.
    pub fn spans_named(&self, name: &str) -> Vec<&ReceivedSpan> {
        self.spans.iter().filter(|s| s.name == name).collect()
    }

    /// The span with span id `span_id`.
    pub fn span_by_id(&self, span_id: &str) -> Option<&ReceivedSpan> {
        self.spans.iter().find(|s| s.span_id == span_id)
    }

    /// The most recent export of metric `name` (the latest values of a cumulative metric).
    pub fn metric(&self, name: &str) -> Option<&ReceivedMetric> {
        self.metrics.iter().rev().find(|m| m.name == name)
    }

    /// The first log record with event name `event_name`.
    pub fn log_event(&self, event_name: &str) -> Option<&ReceivedLog> {
        self.logs.iter().find(|l| l.event_name == event_name)
    }
}

// ---------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------

/// Starts of the lines rotel's detailed output is made of. A line starting otherwise
/// continues a multi-line value on the previous line.
const LINE_STARTS: &[&str] = &[
    "ResourceSpans #",
    "ResourceMetrics #",
    "ResourceLog #",
    "Resource SchemaURL:",
    "Resource attributes:",
    "Resource ",
    "ScopeSpans #",
    "ScopeMetrics #",
    "ScopeLogs #",
    "ScopeSpans SchemaURL:",
    "ScopeMetrics SchemaURL:",
    "ScopeLogs SchemaURL:",
    "InstrumentationScope ",
    "Span #",
    "Start time:",
    "End time:",
    "Attributes:",
    "Events:",
    "SpanEvent #",
    "Links:",
    "SpanLink #",
    "Metric #",
    "Descriptor:",
    "NumberDataPoints #",
    "HistogramDataPoints #",
    "ExponentialHistogramDataPoints #",
    "SummaryDataPoints #",
    "Data point attributes:",
    "StartTimestamp:",
    "Timestamp:",
    "Value:",
    "Count:",
    "Sum:",
    "Min:",
    "Max:",
    "ExplicitBounds #",
    "Buckets #",
    "Bucket [",
    "Bucket (",
    "QuantileValue #",
    "Exemplars:",
    "Exemplar #",
    "LogRecord #",
    "ObservedTimestamp:",
    "SeverityText:",
    "SeverityNumber:",
    "EventName:",
    "Body:",
    "Flags:",
    "     -> ",
    "          -> ",
];

/// `    Trace ID       : ...` (4 spaces, label padded to 15, colon).
fn padded_field(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("    ")?;
    let label = rest.get(..15)?;
    if !label.starts_with(|c: char| c.is_ascii_alphabetic())
        || !label.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
    {
        return None;
    }
    let value = rest[15..].strip_prefix(':')?;
    Some((label.trim_end(), value.strip_prefix(' ').unwrap_or(value)))
}

/// The agent's own log lines (`2026-01-01T00:00:00.000000Z  INFO ...`, possibly coloured).
fn is_agent_log(line: &str) -> bool {
    if line.starts_with('\u{1b}') {
        return true;
    }
    let b = line.as_bytes();
    b.len() >= 11
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
}

fn starts_line(line: &str) -> bool {
    is_agent_log(line)
        || padded_field(line).is_some()
        || LINE_STARTS.iter().any(|start| line.starts_with(start))
}

/// Physical lines joined into logical ones: continuation lines of multi-line values are
/// appended to their line with `\n`.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        match lines.last_mut() {
            Some(last) if !starts_line(line) => {
                last.push('\n');
                last.push_str(line);
            }
            _ => lines.push(line.to_string()),
        }
    }
    lines
}

/// `key: Type(value)` of an attribute line, after its `-> `. Splits at the first `": "`
/// followed by something that looks like a value, else at the first `": "`.
fn split_attr(content: &str) -> (String, String) {
    const TYPES: &[&str] = &[
        "Str(", "Int(", "Double(", "Bool(", "Slice(", "Map(", "Bytes(", "Empty",
    ];
    let mut fallback = None;
    for (i, _) in content.match_indices(": ") {
        let value = &content[i + 2..];
        if TYPES.iter().any(|t| value.starts_with(t)) {
            return (content[..i].to_string(), value.to_string());
        }
        fallback.get_or_insert(i);
    }
    match fallback {
        Some(i) => (content[..i].to_string(), content[i + 2..].to_string()),
        None => match content.strip_suffix(':') {
            Some(key) => (key.to_string(), String::new()),
            None => (content.to_string(), String::new()),
        },
    }
}

/// The value of a `Label: value` line.
fn field<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(label)?.strip_prefix(':')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Mode {
    #[default]
    Other,
    Resource,
    SpanAttrs,
    Event,
    EventAttrs,
    Link,
    LinkAttrs,
    Descriptor,
    PointAttrs,
    LogAttrs,
}

#[derive(Debug, Default)]
enum Current {
    #[default]
    None,
    Span(ReceivedSpan),
    Metric(ReceivedMetric),
    Log(ReceivedLog),
}

#[derive(Debug, Default)]
struct Parser {
    out: Received,
    resource: BTreeMap<String, String>,
    scope: String,
    scope_version: String,
    mode: Mode,
    current: Current,
}

impl Parser {
    fn flush(&mut self) {
        match std::mem::take(&mut self.current) {
            Current::None => {}
            Current::Span(mut span) => {
                if span.status_code.is_empty() {
                    span.status_code = "STATUS_CODE_UNSET".to_string();
                }
                self.out.spans.push(span);
            }
            Current::Metric(metric) => self.out.metrics.push(metric),
            Current::Log(log) => self.out.logs.push(log),
        }
    }

    fn finish(mut self) -> Received {
        self.flush();
        self.out
    }

    fn line(&mut self, line: &str) {
        if is_agent_log(line) {
            return;
        }
        if let Some(content) = line.strip_prefix("          -> ") {
            self.nested_attr(content);
        } else if let Some(content) = line.strip_prefix("     -> ") {
            self.arrow_line(content);
        } else if let Some((label, value)) = padded_field(line) {
            self.padded(label, value);
        } else if line.starts_with("ResourceSpans #")
            || line.starts_with("ResourceMetrics #")
            || line.starts_with("ResourceLog #")
        {
            self.flush();
            self.resource.clear();
            self.scope.clear();
            self.scope_version.clear();
            self.mode = Mode::Other;
        } else if line.starts_with("Resource attributes:") {
            self.mode = Mode::Resource;
        } else if line.starts_with("ScopeSpans #")
            || line.starts_with("ScopeMetrics #")
            || line.starts_with("ScopeLogs #")
        {
            self.flush();
            self.scope.clear();
            self.scope_version.clear();
            self.mode = Mode::Other;
        } else if line.starts_with("InstrumentationScope attributes:") {
            self.mode = Mode::Other;
        } else if let Some(rest) = line.strip_prefix("InstrumentationScope ") {
            let (name, version) = rest.split_once(' ').unwrap_or((rest, ""));
            self.scope = name.to_string();
            self.scope_version = version.trim().to_string();
            self.mode = Mode::Other;
        } else if line.starts_with("Span #") {
            self.flush();
            self.current = Current::Span(ReceivedSpan {
                resource: self.resource.clone(),
                scope: self.scope.clone(),
                scope_version: self.scope_version.clone(),
                ..ReceivedSpan::default()
            });
            self.mode = Mode::Other;
        } else if line.starts_with("Metric #") {
            self.flush();
            self.current = Current::Metric(ReceivedMetric {
                resource: self.resource.clone(),
                scope: self.scope.clone(),
                ..ReceivedMetric::default()
            });
            self.mode = Mode::Other;
        } else if line.starts_with("LogRecord #") {
            self.flush();
            self.current = Current::Log(ReceivedLog {
                resource: self.resource.clone(),
                scope: self.scope.clone(),
                ..ReceivedLog::default()
            });
            self.mode = Mode::Other;
        } else {
            match &mut self.current {
                Current::Span(span) => Self::span_line(span, &mut self.mode, line),
                Current::Metric(metric) => Self::metric_line(metric, &mut self.mode, line),
                Current::Log(log) => Self::log_line(log, &mut self.mode, line),
                Current::None => {}
            }
        }
    }

    fn span_line(span: &mut ReceivedSpan, mode: &mut Mode, line: &str) {
        if let Some(v) = field(line, "Start time") {
            span.start_time = v.to_string();
        } else if let Some(v) = field(line, "End time") {
            span.end_time = v.to_string();
        } else if line.starts_with("Attributes:") {
            *mode = Mode::SpanAttrs;
        } else if line.starts_with("SpanEvent #") {
            span.events.push(ReceivedEvent::default());
            *mode = Mode::Event;
        } else if line.starts_with("SpanLink #") {
            span.links.push(ReceivedLink::default());
            *mode = Mode::Link;
        } else {
            *mode = Mode::Other;
        }
    }

    fn metric_line(metric: &mut ReceivedMetric, mode: &mut Mode, line: &str) {
        if line.starts_with("Descriptor:") {
            *mode = Mode::Descriptor;
            return;
        }
        if line.starts_with("Data point attributes:") {
            *mode = Mode::PointAttrs;
            return;
        }
        *mode = Mode::Other;
        if line.contains("DataPoints #") {
            metric.points.push(BTreeMap::new());
            metric.point_values.push(BTreeMap::new());
            return;
        }
        let Some(values) = metric.point_values.last_mut() else {
            return;
        };
        if let Some(rest) = line.strip_prefix("ExplicitBounds #") {
            if let Some((_, bound)) = rest.split_once(": ") {
                append_csv(values, "ExplicitBounds", bound);
            }
        } else if let Some(rest) = line.strip_prefix("Buckets #") {
            if let Some((_, count)) = rest.split_once(", Count: ") {
                append_csv(values, "BucketCounts", count);
            }
        } else {
            for label in [
                "StartTimestamp",
                "Timestamp",
                "Value",
                "Count",
                "Sum",
                "Min",
                "Max",
            ] {
                if let Some(v) = field(line, label) {
                    values.insert(label.to_string(), v.to_string());
                    return;
                }
            }
        }
    }

    fn log_line(log: &mut ReceivedLog, mode: &mut Mode, line: &str) {
        if line.starts_with("Attributes:") {
            *mode = Mode::LogAttrs;
            return;
        }
        *mode = Mode::Other;
        if let Some(v) = field(line, "Timestamp") {
            log.timestamp = v.to_string();
        } else if let Some(v) = field(line, "SeverityText") {
            log.severity_text = v.to_string();
        } else if let Some(v) = field(line, "SeverityNumber") {
            log.severity_number = v.to_string();
        } else if let Some(v) = field(line, "EventName") {
            log.event_name = v.to_string();
        } else if let Some(v) = field(line, "Body") {
            log.body = v.to_string();
        }
    }

    /// `    Label          : value` lines: span header fields and log record ids.
    fn padded(&mut self, label: &str, value: &str) {
        let value = value.to_string();
        match &mut self.current {
            Current::Span(span) => match label {
                "Trace ID" => span.trace_id = value,
                "Parent ID" => span.parent_span_id = value,
                "ID" => span.span_id = value,
                "Name" => span.name = value,
                "Kind" => span.kind = value,
                "Status code" => span.status_code = value,
                "Status message" => span.status_message = value,
                _ => {}
            },
            Current::Log(log) => match label {
                "Trace ID" => log.trace_id = value,
                "Span ID" => log.span_id = value,
                _ => {}
            },
            Current::Metric(_) | Current::None => {}
        }
        self.mode = Mode::Other;
    }

    /// `     -> ...` lines: attributes, metric descriptor fields, event and link fields.
    fn arrow_line(&mut self, content: &str) {
        match (self.mode, &mut self.current) {
            (Mode::Resource, _) => {
                let (k, v) = split_attr(content);
                self.resource.insert(k, v);
            }
            (Mode::SpanAttrs, Current::Span(span)) => {
                let (k, v) = split_attr(content);
                span.attributes.insert(k, v);
            }
            (Mode::LogAttrs, Current::Log(log)) => {
                let (k, v) = split_attr(content);
                log.attributes.insert(k, v);
            }
            (Mode::PointAttrs, Current::Metric(metric)) => {
                let (k, v) = split_attr(content);
                if let Some(point) = metric.points.last_mut() {
                    point.insert(k, v);
                }
            }
            (Mode::Event | Mode::EventAttrs, Current::Span(span)) => {
                if content.starts_with("Attributes:") {
                    self.mode = Mode::EventAttrs;
                } else if let (Some(v), Some(event)) =
                    (field(content, "Name"), span.events.last_mut())
                {
                    event.name = v.to_string();
                }
            }
            (Mode::Link | Mode::LinkAttrs, Current::Span(span)) => {
                let Some(link) = span.links.last_mut() else {
                    return;
                };
                if content.starts_with("Attributes:") {
                    self.mode = Mode::LinkAttrs;
                } else if let Some(v) = field(content, "Trace ID") {
                    link.trace_id = v.to_string();
                } else if let Some(v) = field(content, "ID") {
                    link.span_id = v.to_string();
                }
            }
            (Mode::Descriptor, Current::Metric(metric)) => {
                let (label, value) = content.split_once(':').unwrap_or((content, ""));
                let value = value.strip_prefix(' ').unwrap_or(value).to_string();
                match label {
                    "Name" => metric.name = value,
                    "Description" => metric.description = value,
                    "Unit" => metric.unit = value,
                    "DataType" => metric.kind = value,
                    "IsMonotonic" => metric.is_monotonic = value,
                    "AggregationTemporality" => metric.temporality = value,
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// `          -> key: value` lines: attributes of span events, links and exemplars.
    fn nested_attr(&mut self, content: &str) {
        let Current::Span(span) = &mut self.current else {
            return;
        };
        let target = match self.mode {
            Mode::EventAttrs => span.events.last_mut().map(|e| &mut e.attributes),
            Mode::LinkAttrs => span.links.last_mut().map(|l| &mut l.attributes),
            _ => None,
        };
        if let Some(attributes) = target {
            let (k, v) = split_attr(content);
            attributes.insert(k, v);
        }
    }
}

fn append_csv(values: &mut BTreeMap<String, String>, key: &str, item: &str) {
    let entry = values.entry(key.to_string()).or_default();
    if !entry.is_empty() {
        entry.push(',');
    }
    entry.push_str(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/rotel")
            .join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_spans() {
        let r = Received::parse(&fixture("traces.txt"));
        assert!(r.metrics.is_empty() && r.logs.is_empty());
        let names: Vec<&str> = r.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["parent-op", "child-op", "linked", "unspec"]);

        let parent = r.span("parent-op").expect("parent-op");
        assert_eq!(parent.trace_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(parent.span_id, "eee19b7ec3c1b174");
        assert_eq!(parent.parent_span_id, "");
        assert_eq!(parent.kind, "SPAN_KIND_SERVER");
        assert_eq!(parent.status_code, "STATUS_CODE_UNSET");
        assert_eq!(parent.status_message, "");
        assert_eq!(parent.start_time, "1700000000000000000");
        assert_eq!(parent.end_time, "1700000001000000000");
        assert_eq!(parent.attributes, map(&[("http.method", "Str(GET)")]));
        assert_eq!(
            parent.resource,
            map(&[
                ("service.name", "Str(fixture-svc)"),
                ("service.version", "Str(1.2.3)")
            ])
        );
        assert_eq!(parent.scope, "signalry-fixture");
        assert_eq!(parent.scope_version, "0.1.0");
        assert!(parent.events.is_empty() && parent.links.is_empty());

        let child = r.span("child-op").expect("child-op");
        assert_eq!(child.trace_id, parent.trace_id);
        assert_eq!(child.span_id, "eee19b7ec3c1b173");
        assert_eq!(child.parent_span_id, parent.span_id);
        assert_eq!(child.kind, "SPAN_KIND_CLIENT");
        assert_eq!(child.status_code, "STATUS_CODE_ERROR");
        assert_eq!(child.status_message, "it failed");
        assert_eq!(
            child.attributes,
            map(&[
                ("str.attr", "Str(hello world)"),
                ("int.attr", "Int(42)"),
                ("double.attr", "Double(3.5)"),
                ("bool.attr", "Bool(true)"),
                ("array.attr", "Slice(Str(a), Str(b))"),
                ("intarr.attr", "Slice(Int(1), Int(2))"),
                ("tricky", "Str(x, y=z \"quoted\")"),
            ])
        );
        assert_eq!(child.attr("str.attr"), Some("hello world"));
        assert_eq!(child.attr("int.attr"), Some("42"));
        assert_eq!(child.attr("missing"), None);
        assert_eq!(child.resource_attr("service.name"), Some("fixture-svc"));
        assert_eq!(child.events.len(), 1);
        let event = child.event("exception").expect("exception event");
        assert_eq!(event.attributes, map(&[("exception.message", "Str(boom)")]));
        assert_eq!(event.attr("exception.message"), Some("boom"));
        assert_eq!(r.span_by_id("eee19b7ec3c1b173"), Some(child));

        let linked = r.span("linked").expect("linked");
        assert_eq!(linked.kind, "SPAN_KIND_INTERNAL");
        assert_eq!(linked.status_code, "STATUS_CODE_OK");
        assert!(linked.resource.is_empty());
        assert_eq!(linked.scope, "");
        assert!(linked.attributes.is_empty());
        assert_eq!(
            linked.links,
            [ReceivedLink {
                trace_id: "5b8efff798038103d269b633813fc60c".into(),
                span_id: "eee19b7ec3c1b174".into(),
                attributes: map(&[("link.kind", "Str(follows)")]),
            }]
        );

        // Sent without a status: rotel prints no status lines.
        let unspec = r.span("unspec").expect("unspec");
        assert_eq!(unspec.kind, "SPAN_KIND_UNSPECIFIED");
        assert_eq!(unspec.status_code, "STATUS_CODE_UNSET");
        assert_eq!(unspec.trace_id, "0af7651916cd43dd8448eb211c80319c");
        assert_eq!(unspec.span_id, "b7ad6b7169203332");
    }

    #[test]
    fn parses_metrics_sent_as_protobuf() {
        let r = Received::parse(&fixture("metrics.txt"));
        assert!(r.spans.is_empty() && r.logs.is_empty());
        let names: Vec<&str> = r.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["requests_total", "queue_depth", "g_int", "latency"]);

        let sum = r.metric("requests_total").expect("requests_total");
        assert_eq!(sum.kind, "Sum");
        assert_eq!(sum.unit, "{request}");
        assert_eq!(sum.description, "Number of requests");
        assert_eq!(sum.is_monotonic, "true");
        assert_eq!(sum.temporality, "AGGREGATION_TEMPORALITY_CUMULATIVE");
        assert_eq!(sum.resource_attr("service.name"), Some("pb-svc"));
        assert_eq!(sum.scope, "signalry-fixture");
        assert_eq!(
            sum.points,
            [map(&[("route", "Str(/a)"), ("code", "Int(200)")])]
        );
        assert_eq!(
            sum.point_values,
            [map(&[
                ("StartTimestamp", "1700000000000000000"),
                ("Timestamp", "1700000001000000000"),
                ("Value", "7"),
            ])]
        );
        assert_eq!(sum.point_value(&[("route", "/a")], "Value"), Some("7"));
        assert_eq!(sum.point_value(&[("route", "/b")], "Value"), None);

        let gauge = r.metric("queue_depth").expect("queue_depth");
        assert_eq!(gauge.kind, "Gauge");
        assert_eq!(gauge.unit, "1");
        assert_eq!(gauge.is_monotonic, "");
        assert_eq!(gauge.temporality, "");
        assert_eq!(gauge.point_value(&[("queue", "q1")], "Value"), Some("2.5"));

        let g_int = r.metric("g_int").expect("g_int");
        assert_eq!(g_int.points, [BTreeMap::new()]);
        assert_eq!(g_int.point_value(&[], "Value"), Some("-5"));

        let hist = r.metric("latency").expect("latency");
        assert_eq!(hist.kind, "Histogram");
        assert_eq!(hist.unit, "s");
        assert_eq!(hist.description, "Request latency");
        assert_eq!(hist.temporality, "AGGREGATION_TEMPORALITY_CUMULATIVE");
        assert_eq!(hist.points, [map(&[("route", "Str(/a)")])]);
        assert_eq!(
            hist.point_values,
            [map(&[
                ("StartTimestamp", "1700000000000000000"),
                ("Timestamp", "1700000001000000000"),
                ("Count", "3"),
                ("Sum", "0.6"),
                ("Min", "0.05"),
                ("Max", "0.4"),
                ("ExplicitBounds", "0.1,0.5"),
                ("BucketCounts", "1,1,1"),
            ])]
        );
    }

    #[test]
    fn parses_metrics_sent_as_json() {
        // rotel's OTLP/JSON decoder drops string `asInt` values and histogram data.
        let r = Received::parse(&fixture("metrics_json.txt"));
        let sum = r.metric("requests_total").expect("requests_total");
        assert_eq!(sum.kind, "Sum");
        assert_eq!(sum.points.len(), 2);
        assert_eq!(sum.points[1], map(&[("route", "Str(/b)")]));
        assert_eq!(sum.point_value(&[("route", "/a")], "Value"), None);
        assert_eq!(
            sum.point_value(&[("route", "/a"), ("code", "200")], "Timestamp"),
            Some("1700000001000000000")
        );
        let gauge = r.metric("queue_depth").expect("queue_depth");
        assert_eq!(gauge.point_value(&[("queue", "q1")], "Value"), Some("2.5"));
        let hist = r.metric("latency").expect("latency");
        assert_eq!(hist.kind, "Empty");
        assert!(hist.points.is_empty());
        assert_eq!(hist.unit, "s");
    }

    #[test]
    fn parses_logs() {
        let r = Received::parse(&fixture("logs.txt"));
        assert!(r.spans.is_empty() && r.metrics.is_empty());
        assert_eq!(r.logs.len(), 5);

        let failed = r.log_event("order.failed").expect("order.failed");
        assert_eq!(failed.severity_text, "ERROR");
        assert_eq!(failed.severity_number, "SEVERITY_NUMBER_ERROR(17)");
        assert_eq!(failed.body, "Str(order 17 failed)");
        assert_eq!(failed.body_text(), "order 17 failed");
        assert_eq!(failed.trace_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(failed.span_id, "eee19b7ec3c1b173");
        assert_eq!(failed.timestamp, "1700000000000000000");
        assert_eq!(
            failed.attributes,
            map(&[("order.id", "Int(17)"), ("reason", "Str(no stock)")])
        );
        assert_eq!(failed.attr("reason"), Some("no stock"));
        assert_eq!(failed.resource_attr("service.name"), Some("fixture-svc"));
        assert_eq!(failed.scope, "signalry-fixture");

        let plain = &r.logs[1];
        assert_eq!(plain.event_name, "");
        assert_eq!(plain.severity_text, "INFO");
        assert_eq!(plain.severity_number, "SEVERITY_NUMBER_INFO(9)");
        assert_eq!(plain.body, "Str(plain log)");
        assert_eq!(plain.trace_id, "");
        assert_eq!(plain.span_id, "");
        assert!(plain.attributes.is_empty());

        assert_eq!(r.logs[2].body, "Map(k:Str(v))");
        assert_eq!(r.logs[2].severity_number, "SEVERITY_NUMBER_UNSPECIFIED(0)");
        assert_eq!(r.logs[2].scope, "s");
        assert_eq!(r.logs[3].body, "Empty");
        assert_eq!(r.logs[3].body_text(), "Empty");

        // A multi-line string body is continued on the following output line.
        let multi = r.log_event("ev").expect("ev");
        assert_eq!(multi.body, "Str(multi\nline body)");
        assert_eq!(multi.severity_number, "SEVERITY_NUMBER_DEBUG(5)");
        assert_eq!(multi.trace_id, "");
    }

    #[test]
    fn parses_everything_together_and_skips_agent_log_lines() {
        let all = [
            "\u{1b}[2m2026-11-22T02:47:09.365836Z\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m Starting Rotel.\n"
                .to_string(),
            fixture("traces.txt"),
            fixture("metrics.txt"),
            fixture("logs.txt"),
            "2026-11-22T02:48:44.090991Z  INFO Shutdown signal received.\n".to_string(),
        ]
        .concat();
        let r = Received::parse(&all);
        assert_eq!((r.spans.len(), r.metrics.len(), r.logs.len()), (4, 4, 5));
        assert_eq!(r.logs[4].body, "Str(multi\nline body)");
        // Resource and scope do not leak from one batch into the next.
        assert_eq!(r.span("unspec").expect("unspec").scope, "");
        assert_eq!(r.metrics[0].resource_attr("service.name"), Some("pb-svc"));
        assert!(!r.is_empty());
        assert!(Received::parse("").is_empty());
    }

    #[test]
    fn parses_rust_sdk_output_over_grpc() {
        // opentelemetry-otlp 0.33 (tonic) -> rotel: one log record, two spans, four metrics.
        let r = Received::parse(&fixture("sdk_grpc.txt"));
        assert_eq!((r.spans.len(), r.metrics.len(), r.logs.len()), (2, 4, 1));

        let parent = r.span("sdk-parent").expect("sdk-parent");
        let child = r.span("sdk-child").expect("sdk-child");
        assert_eq!(parent.parent_span_id, "");
        assert_eq!(parent.span_id, "cd0c0926aeb072fa");
        assert_eq!(child.parent_span_id, parent.span_id);
        assert_eq!(child.trace_id, "eee98f5e5d294d0cb4d325466ba62c3e");
        assert_eq!(child.trace_id, parent.trace_id);
        assert_eq!(child.kind, "SPAN_KIND_INTERNAL");
        assert_eq!(child.status_code, "STATUS_CODE_ERROR");
        assert_eq!(child.status_message, "oops");
        assert_eq!(
            child.attributes,
            map(&[
                ("s", "Str(v)"),
                ("i", "Int(5)"),
                ("f", "Double(1.5)"),
                ("b", "Bool(true)")
            ])
        );
        assert_eq!(child.event("evt").and_then(|e| e.attr("e")), Some("x"));
        assert_eq!(child.scope, "sdk-scope");
        assert_eq!(child.scope_version, "");
        assert_eq!(child.resource_attr("service.name"), Some("sdk-svc"));
        assert_eq!(child.resource_attr("telemetry.sdk.language"), Some("rust"));

        let log = r.log_event("sdk.event").expect("sdk.event");
        assert_eq!(log.trace_id, child.trace_id);
        assert_eq!(log.span_id, child.span_id);
        assert_eq!(log.severity_number, "SEVERITY_NUMBER_WARN(13)");
        assert_eq!(log.body_text(), "hello body");
        assert_eq!(log.attr("k"), Some("3"));
        assert_eq!(log.scope, "sdk-logger");

        let counter = r.metric("sdk_counter").expect("sdk_counter");
        assert_eq!(
            (counter.kind.as_str(), counter.is_monotonic.as_str()),
            ("Sum", "true")
        );
        assert_eq!(counter.point_value(&[("route", "/a")], "Value"), Some("4"));
        let updown = r.metric("sdk_updown").expect("sdk_updown");
        assert_eq!(
            (updown.kind.as_str(), updown.is_monotonic.as_str()),
            ("Sum", "false")
        );
        assert_eq!(updown.point_value(&[], "Value"), Some("-3"));
        assert_eq!(
            r.metric("sdk_gauge")
                .and_then(|m| m.point_value(&[], "Value")),
            Some("-2")
        );
        let hist = r.metric("sdk_hist").expect("sdk_hist");
        assert_eq!(hist.kind, "Histogram");
        assert_eq!(hist.point_value(&[("route", "/a")], "Count"), Some("1"));
        assert_eq!(hist.point_value(&[("route", "/a")], "Sum"), Some("0.3"));
        assert_eq!(
            hist.point_value(&[("route", "/a")], "ExplicitBounds"),
            Some("0,5,10,25,50,75,100,250,500,750,1000,2500,5000,7500,10000")
        );
        assert_eq!(
            hist.point_value(&[("route", "/a")], "BucketCounts"),
            Some("0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0")
        );
        assert_eq!(hist.scope, "sdk-meter");
    }

    #[test]
    fn multi_line_attribute_values_are_joined() {
        let text = "ResourceSpans #0\nScopeSpans #0\nInstrumentationScope x 1\nSpan #0\n    \
                    Name           : s\nAttributes:\n     -> nl: Str(line1\nline2)\n     -> \
                    odd: key: Str(v)\n     -> e: Empty\n";
        let r = Received::parse(text);
        let span = r.span("s").expect("s");
        assert_eq!(
            span.attributes,
            map(&[
                ("nl", "Str(line1\nline2)"),
                ("odd: key", "Str(v)"),
                ("e", "Empty")
            ])
        );
        assert_eq!(span.attr("nl"), Some("line1\nline2"));
    }

    #[test]
    fn inner_value_strips_the_type() {
        assert_eq!(inner_value("Str(GET)"), "GET");
        assert_eq!(inner_value("Str()"), "");
        assert_eq!(inner_value("Int(-3)"), "-3");
        assert_eq!(inner_value("Slice(Str(a), Str(b))"), "Str(a), Str(b)");
        assert_eq!(inner_value("Empty"), "Empty");
        assert_eq!(inner_value("(x)"), "(x)");
        assert_eq!(inner_value("plain"), "plain");
    }
}
