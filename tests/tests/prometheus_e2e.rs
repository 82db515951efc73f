//! End to end: the `prometheus_probe` program serves `/metrics` with
//! `OTEL_METRICS_EXPORTER=prometheus`; its output passes `promtool check metrics` without a
//! finding, and a real Prometheus scrapes it and answers PromQL with the recorded values.

use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use signalry_tests::prometheus::{http_get, promtool_check, Prometheus};

/// The longest any one step waits.
const WAIT: Duration = Duration::from_secs(30);

/// The running probe; dropping it closes its stdin (which ends it) and reaps it, killing it if
/// it does not end by itself.
struct Probe {
    child: Child,
    address: String,
    /// Reads the probe's stderr to its end; what signalry warned about.
    stderr: Option<JoinHandle<String>>,
}

impl Probe {
    /// Starts the probe serving on a free loopback port and waits for its `ready`.
    fn start() -> Probe {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("a free port on 127.0.0.1")
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_prometheus_probe"));
        for (name, _) in std::env::vars() {
            if name.starts_with("OTEL_") {
                command.env_remove(name);
            }
        }
        command
            .env("OTEL_METRICS_EXPORTER", "prometheus")
            .env("OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1")
            .env("OTEL_EXPORTER_PROMETHEUS_PORT", port.to_string())
            .env("OTEL_TRACES_EXPORTER", "none")
            .env("OTEL_LOGS_EXPORTER", "none")
            .env("OTEL_SERVICE_NAME", "prometheus-probe")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the probe starts");
        let stdout = child.stdout.take().expect("the probe's stdout");
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = pipe.read_to_string(&mut text);
                text
            })
        });
        let probe = Probe {
            child,
            address: format!("127.0.0.1:{port}"),
            stderr,
        };
        let line = first_line(stdout);
        assert_eq!(
            line.as_deref(),
            Some("ready"),
            "the probe did not get ready"
        );
        probe
    }
}

/// The first line `stdout` prints, waiting at most [`WAIT`].
fn first_line(stdout: ChildStdout) -> Option<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(read.ok().map(|_| line.trim_end().to_owned()));
    });
    receiver.recv_timeout(WAIT).ok().flatten()
}

impl Drop for Probe {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn prometheus_scrapes_what_the_macros_recorded() {
    let mut probe = Probe::start();

    // The endpoint itself: the right content type, and an exposition promtool finds clean.
    let response = http_get(&probe.address, "/metrics").expect("GET /metrics");
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("Content-Type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let metrics = &response.body;
    for line in [
        "# TYPE probe_orders_created_total counter\n",
        "# TYPE probe_request_duration_seconds histogram\n",
        "# TYPE probe_queue_fill_ratio gauge\n",
        "# TYPE probe_queue_size gauge\n",
        "# TYPE target_info gauge\n",
    ] {
        assert!(metrics.contains(line), "no {line:?} in\n{metrics}");
    }
    let (ok, findings) = promtool_check(metrics);
    assert!(
        ok && findings.is_empty(),
        "promtool check metrics found:\n{findings}\nin\n{metrics}"
    );

    // A real Prometheus scraping it.
    let prometheus = Prometheus::start(&probe.address);
    let expected = [
        ("up", 1.0),
        (r#"probe_orders_created_total{order_kind="express"}"#, 3.0),
        ("probe_request_duration_seconds_count", 1.0),
        ("probe_request_duration_seconds_sum", 0.25),
        (r#"probe_request_duration_seconds_bucket{le="+Inf"}"#, 1.0),
        // Duration buckets fit seconds: 0.25 s lands in le="0.25", not below it.
        (r#"probe_request_duration_seconds_bucket{le="0.25"}"#, 1.0),
        (r#"probe_request_duration_seconds_bucket{le="0.1"}"#, 0.0),
        ("probe_queue_fill_ratio", 0.5),
        ("probe_queue_size", 2.0),
        ("probe_job_duration_seconds_sum", 0.25),
        (r#"target_info{service_name="prometheus-probe"}"#, 1.0),
    ];
    for (query, value) in expected {
        let got = prometheus.wait_for(query, |v| v == value, WAIT);
        assert_eq!(
            got,
            Some(value),
            "{query}\n--- /metrics ---\n{metrics}--- prometheus log ---\n{}",
            prometheus.log()
        );
    }
    // Labels came through as labels, and Prometheus' own job/instance are not ours to add.
    assert_eq!(
        prometheus.query(r#"count(probe_orders_created_total{otel_scope_name="signalry"})"#),
        Some(1.0)
    );
    assert_eq!(
        prometheus.query(&format!(
            r#"target_info{{job="signalry",instance="{}"}}"#,
            probe.address
        )),
        Some(1.0)
    );

    // The probe shuts down cleanly once told to, with nothing to warn about.
    drop(probe.child.stdin.take());
    let status = probe.child.wait().expect("the probe ends");
    let stderr = probe
        .stderr
        .take()
        .map(|reader| reader.join().unwrap_or_default())
        .unwrap_or_default();
    assert!(
        status.success(),
        "the probe exited with {status}:\n{stderr}"
    );
    assert_eq!(stderr, "", "the probe warned");
}
