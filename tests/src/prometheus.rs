//! A real Prometheus for end-to-end tests: Debian's `prometheus` on loopback, scraping one
//! target every second, queried through its HTTP API; and `promtool check metrics`.
//!
//! # How Prometheus is run
//!
//! [`Prometheus::start`] writes a configuration with one job, `signalry`, scraping the given
//! target every second (scrape timeout 1 s), and runs
//!
//! ```text
//! prometheus --config.file=<temp dir>/prometheus.yml --storage.tsdb.path=<temp dir>/data
//!     --web.listen-address=127.0.0.1:<free port> --log.level=warn
//! ```
//!
//! with its log written to `<temp dir>/prometheus.log` (shown when a test fails). It is
//! ready when `/-/ready` answers 200. [`Prometheus::query`] sends an instant query to
//! `/api/v1/query` and reads the value of its single sample; Prometheus adds `job="signalry"`
//! and `instance="<target>"` to every scraped series.
//!
//! Everything speaks HTTP/1.0 over `std::net` (no client library), so responses are never
//! chunked; the JSON of the query API is read by the small parser at the end of this module.

use std::fmt;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// Message of the panic raised when `prometheus` or `promtool` cannot be found.
pub const NOT_FOUND: &str =
    "prometheus not found: run scripts/test, which installs it with apt-get";

/// How long [`Prometheus::start`] waits for `/-/ready`.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How many times [`Prometheus::start`] picks a new port when Prometheus exits during start-up
/// (typically because another process took the port between picking and binding it).
const START_ATTEMPTS: usize = 5;
/// Poll interval of [`Prometheus::wait_for`] and of the start-up wait.
const POLL: Duration = Duration::from_millis(200);
/// Timeout of one HTTP exchange.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Path of the `prometheus` or `promtool` binary: on `PATH`, else in `/usr/bin` (where
/// Debian installs them).
///
/// # Panics
///
/// With a message starting with [`NOT_FOUND`] when the binary is in neither place.
pub fn binary_path(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|path| is_executable(path))
        .unwrap_or_else(|| panic!("{NOT_FOUND} (no executable {name} on PATH or in /usr/bin)"))
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

/// Runs `promtool check metrics` on `metrics` (the text exposition format, given on its
/// stdin) and returns whether it exited successfully, and everything it printed (stdout, then
/// stderr). A clean exposition gives `(true, "")`; each lint finding is one line, such as
/// `foo_count non-histogram and non-summary metrics should not have "_count" suffix`.
///
/// # Panics
///
/// When `promtool` cannot be found (see [`binary_path`]) or run.
pub fn promtool_check(metrics: &str) -> (bool, String) {
    let promtool = binary_path("promtool");
    let mut child = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", promtool.display()));
    let input = child.stdin.take().map(|mut stdin| {
        let metrics = metrics.to_owned();
        // Written from a thread, so that a large input cannot dead-lock against full pipes.
        thread::spawn(move || {
            let _ = stdin.write_all(metrics.as_bytes());
        })
    });
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("promtool did not finish: {e}"));
    if let Some(input) = input {
        let _ = input.join();
    }
    let mut printed = String::from_utf8_lossy(&output.stdout).into_owned();
    printed.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), printed)
}

/// A response to [`http_get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header lines as sent (`Content-Type: text/plain`), without the status line.
    pub headers: Vec<String>,
    /// The body, decoded as UTF-8 (lossily).
    pub body: String,
}

impl HttpResponse {
    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|line| {
            let (n, value) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// `GET http://{address}{path}` with HTTP/1.0 (so the response is never chunked), within 10
/// seconds. `address` is `host:port`.
///
/// # Errors
///
/// When the connection fails, times out, or the response is not HTTP.
pub fn http_get(address: &str, path: &str) -> Result<HttpResponse, String> {
    let socket = address
        .to_socket_addrs()
        .map_err(|e| format!("{address}: {e}"))?
        .next()
        .ok_or_else(|| format!("{address}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&socket, HTTP_TIMEOUT)
        .map_err(|e| format!("cannot connect to {address}: {e}"))?;
    let timeouts = stream
        .set_read_timeout(Some(HTTP_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(HTTP_TIMEOUT)));
    timeouts.map_err(|e| format!("{address}: {e}"))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n")
        .map_err(|e| format!("cannot send to {address}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("no response from {address}{path}: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{address}{path}: not an HTTP response: {text:?}"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("{address}{path}: bad status line in {head:?}"))?;
    Ok(HttpResponse {
        status,
        headers: lines.map(str::to_owned).collect(),
        body: body.to_owned(),
    })
}

static INSTANCES: AtomicUsize = AtomicUsize::new(0);

/// A running Prometheus server scraping one target.
///
/// Each instance has its own port and temporary directory, so tests may run several in
/// parallel. Dropping it kills the server and removes the directory.
///
/// ```no_run
/// use std::time::Duration;
/// use signalry_tests::prometheus::Prometheus;
///
/// let prometheus = Prometheus::start("127.0.0.1:9464");
/// let value = prometheus.wait_for("up", |v| v == 1.0, Duration::from_secs(30));
/// assert_eq!(value, Some(1.0), "the target is not up");
/// ```
pub struct Prometheus {
    child: Mutex<Child>,
    port: u16,
    target: String,
    dir: PathBuf,
}

impl fmt::Debug for Prometheus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prometheus")
            .field("port", &self.port)
            .field("target", &self.target)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Prometheus {
    /// Starts Prometheus on a free loopback port, scraping `target` (`host:port`, path
    /// `/metrics`) every second as job `signalry`, and waits until it is ready.
    ///
    /// # Panics
    ///
    /// When the binary cannot be found (see [`binary_path`]), when it exits during start-up
    /// 5 times in a row (a new port is picked each time), or when it is not ready within 30
    /// seconds. The message includes its log.
    pub fn start(target: &str) -> Prometheus {
        let binary = binary_path("prometheus");
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            let dir = std::env::temp_dir().join(format!(
                "signalry-prometheus-{}-{}",
                std::process::id(),
                INSTANCES.fetch_add(1, Ordering::Relaxed)
            ));
            // A leftover from an earlier process with the same id; nothing of ours.
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir)
                .unwrap_or_else(|e| panic!("cannot create temp dir {}: {e}", dir.display()));
            let config = dir.join("prometheus.yml");
            std::fs::write(&config, configuration(target))
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", config.display()));
            let log_path = dir.join("prometheus.log");
            let log = std::fs::File::create(&log_path)
                .and_then(|log| Ok((log.try_clone()?, log)))
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
            let port = free_port();
            let child = Command::new(&binary)
                .arg(format!("--config.file={}", config.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--log.level=warn")
                .current_dir(&dir)
                .stdin(Stdio::null())
                .stdout(log.0)
                .stderr(log.1)
                .spawn();
            let child = child.unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
            // From here on, dropping it kills the server and removes the directory.
            let prometheus = Prometheus {
                child: Mutex::new(child),
                port,
                target: target.to_owned(),
                dir,
            };
            match prometheus.wait_until_ready() {
                Ok(()) => return prometheus,
                Err(Some(status)) => failures.push(format!(
                    "exited with {status} on port {port}:\n{}",
                    prometheus.log()
                )),
                Err(None) => panic!(
                    "prometheus was not ready on 127.0.0.1:{port} within {START_TIMEOUT:?}\n\
                     --- prometheus log ---\n{}--- end ---",
                    prometheus.log()
                ),
            }
        }
        panic!(
            "prometheus ({}) failed to start {START_ATTEMPTS} times:\n{}",
            binary.display(),
            failures.join("\n")
        );
    }

    /// `Err(Some(status))` when it exited, `Err(None)` when it is still not ready at the end.
    fn wait_until_ready(&self) -> Result<(), Option<ExitStatus>> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.exit_status() {
                return Err(Some(status));
            }
            if http_get(&self.address(), "/-/ready").is_ok_and(|r| r.status == 200) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(None);
            }
            thread::sleep(POLL);
        }
    }

    fn exit_status(&self) -> Option<ExitStatus> {
        let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        child.try_wait().ok().flatten()
    }

    /// Prometheus' own address, `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The target it scrapes, as given to [`Prometheus::start`].
    pub fn target(&self) -> &str {
        &self.target
    }

    /// What Prometheus has logged so far (warnings and errors).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    /// The value of the instant query `promql` now: `None` when it yields no sample.
    ///
    /// # Panics
    ///
    /// When Prometheus cannot be reached or has exited, when the query fails (a PromQL syntax
    /// error, say), or when it yields more than one series (aggregate it, e.g. with `sum`).
    pub fn query(&self, promql: &str) -> Option<f64> {
        if let Some(status) = self.exit_status() {
            panic!("prometheus exited with {status}\n{}", self.log());
        }
        let path = format!("/api/v1/query?query={}", percent_encode(promql));
        let response =
            http_get(&self.address(), &path).unwrap_or_else(|e| panic!("query {promql:?}: {e}"));
        let json = Json::parse(&response.body).unwrap_or_else(|e| {
            panic!("query {promql:?}: {e} in the response {:?}", response.body)
        });
        if json.get("status").and_then(Json::as_str) != Some("success") {
            panic!(
                "query {promql:?} failed ({}): {}",
                response.status, response.body
            );
        }
        let data = json.get("data");
        let result = data.and_then(|d| d.get("result"));
        let sample = match data
            .and_then(|d| d.get("resultType"))
            .and_then(Json::as_str)
        {
            Some("scalar") => result,
            Some("vector") => match result.and_then(Json::as_array) {
                Some([]) => return None,
                Some([series]) => series.get("value"),
                _ => panic!(
                    "query {promql:?} yields more than one series; aggregate it: {}",
                    response.body
                ),
            },
            _ => panic!(
                "query {promql:?} is not an instant vector or scalar: {}",
                response.body
            ),
        };
        // A sample is `[<unix time>, "<value>"]`, the value a string so that NaN and ±Inf fit.
        let value = sample
            .and_then(Json::as_array)
            .and_then(|pair| pair.get(1))
            .and_then(Json::as_str);
        match value.map(str::parse::<f64>) {
            Some(Ok(value)) => Some(value),
            _ => panic!("query {promql:?}: no sample value in {}", response.body),
        }
    }

    /// Queries `promql` every 200 ms until its value satisfies `pred` or `timeout` passes, and
    /// returns the last value either way (`None`: no sample); assert on it afterwards.
    ///
    /// # Panics
    ///
    /// As [`Prometheus::query`].
    pub fn wait_for(
        &self,
        promql: &str,
        pred: impl Fn(f64) -> bool,
        timeout: Duration,
    ) -> Option<f64> {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.query(promql);
            if value.is_some_and(&pred) || Instant::now() >= deadline {
                return value;
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for Prometheus {
    /// Kills Prometheus, waits for it, and removes the temporary directory.
    fn drop(&mut self) {
        {
            let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
            let _ = child.kill();
            let _ = child.wait();
        }
        if thread::panicking() {
            let log = self.log();
            if !log.is_empty() {
                eprintln!("prometheus log:\n{log}");
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn configuration(target: &str) -> String {
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         scrape_configs:\n  - job_name: signalry\n    static_configs:\n      \
         - targets: ['{target}']\n"
    )
}

/// A free loopback port (bound, then released).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("cannot bind a free port on 127.0.0.1")
}

/// `text` as a URL query value: every byte but the unreserved ones percent-encoded.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// JSON, just enough for the query API
// ---------------------------------------------------------------------------------------

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Result<Json, String> {
        let mut parser = JsonParser {
            bytes: text.as_bytes(),
            at: 0,
        };
        let value = parser.value()?;
        parser.skip_space();
        if parser.at != parser.bytes.len() {
            return Err(format!("trailing characters at byte {}", parser.at));
        }
        Ok(value)
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }
}

struct JsonParser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl JsonParser<'_> {
    fn skip_space(&mut self) {
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn error(&self, what: &str) -> String {
        format!("{what} at byte {}", self.at)
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.skip_space();
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected {:?}", char::from(byte))))
        }
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.bytes[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("unexpected word"))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.skip_space();
        match self.bytes.get(self.at) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(_) => self.number(),
            None => Err(self.error("unexpected end")),
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_space();
            let key = self.string()?;
            self.expect(b':')?;
            members.push((key, self.value()?));
            self.skip_space();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self) -> Result<Json, String> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_space();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_space();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let Some(&byte) = self.bytes.get(self.at) else {
                return Err(self.error("unterminated string"));
            };
            self.at += 1;
            match byte {
                b'"' => return String::from_utf8(out).map_err(|e| self.error(&e.to_string())),
                b'\\' => {
                    let Some(&escaped) = self.bytes.get(self.at) else {
                        return Err(self.error("unterminated escape"));
                    };
                    self.at += 1;
                    match escaped {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'u' => {
                            let c = self.unicode_escape()?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
    }

    /// The code point of `\uXXXX` (after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) && self.bytes[self.at..].starts_with(b"\\u")
        {
            self.at += 2;
            let low = self.hex4()?;
            0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF)
        } else {
            high
        };
        Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER))
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.at..self.at + 4)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
            .ok_or_else(|| self.error("bad \\u escape"))?;
        self.at += 4;
        Ok(digits)
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
        {
            self.at += 1;
        }
        std::str::from_utf8(&self.bytes[start..self.at])
            .ok()
            .and_then(|n| n.parse().ok())
            .map(Json::Number)
            .ok_or_else(|| self.error("bad number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_responses() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","job":"a \"quoted\" \u00e9 job"},"value":[1700000000.5,"1"]}]}}"#;
        let json = Json::parse(body).expect("valid JSON");
        let data = json.get("data").expect("data");
        let series = &data.get("result").and_then(Json::as_array).expect("result")[0];
        assert_eq!(
            series.get("metric").and_then(|m| m.get("job")),
            Some(&Json::String("a \"quoted\" é job".to_owned()))
        );
        assert_eq!(
            series.get("value"),
            Some(&Json::Array(vec![
                Json::Number(1_700_000_000.5),
                Json::String("1".to_owned())
            ]))
        );
        assert_eq!(
            Json::parse(r#"[true, false, null, -1.5e3, {}, [], "\ud83d\ude00"]"#),
            Ok(Json::Array(vec![
                Json::Bool(true),
                Json::Bool(false),
                Json::Null,
                Json::Number(-1500.0),
                Json::Object(Vec::new()),
                Json::Array(Vec::new()),
                Json::String("😀".to_owned()),
            ]))
        );
        assert!(Json::parse(r#"{"a":1"#).is_err());
        assert!(Json::parse(r#"{"a":1} x"#).is_err());
        assert!(Json::parse(r#""\u12""#).is_err());
    }

    #[test]
    fn percent_encodes_queries() {
        assert_eq!(
            percent_encode(r#"sum(up{job="a b"})"#),
            "sum%28up%7Bjob%3D%22a%20b%22%7D%29"
        );
    }

    #[test]
    fn promtool_reports_findings() {
        let (ok, output) = promtool_check("# HELP a_total A\n# TYPE a_total counter\na_total 1\n");
        assert!(ok && output.is_empty(), "{output}");
        let (ok, output) = promtool_check("# TYPE a gauge\na 1\n");
        assert!(!ok, "a metric without help is a finding");
        assert!(output.contains("no help text"), "{output}");
    }
}
