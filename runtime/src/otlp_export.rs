//! signalry's own OTLP exporter of spans and log records, over gRPC or HTTP/protobuf to a
//! plain-text endpoint.
//!
//! The batch is encoded once, straight from the records (`otlp_encode`), and sent; a retry
//! sends the same bytes. The SDK's OTLP exporter converts the batch into `opentelemetry-proto`'s
//! structs (a `String` or `Vec` per id, name, key and string value; for spans, from a clone of
//! the batch made for every attempt) before encoding: that conversion was most of what exporting
//! a span cost.
//!
//! The requests are the SDK exporter's: the same method or path, headers, timeout and
//! compression, and the same retry policy: 3 retries after the first attempt, waits doubling
//! from 100 ms to at most 1.6 s plus up to 100 ms of jitter, longer when the collector asks
//! for it (HTTP `Retry-After` on 429 and 503, gRPC `RetryInfo` on `UNAVAILABLE` and
//! `RESOURCE_EXHAUSTED`, which is retried only then; at most 10 minutes), all within the export
//! timeout the caller enforces. The `User-Agent` names signalry where the SDK's names itself. A
//! partial success is said once on stderr instead of through the SDK's internal log. `https://` endpoints keep the SDK's exporter, with its TLS.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use http::uri::PathAndQuery;
use std::marker::PhantomData;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::logs::LogBatch;
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;
use prost::bytes::{BufMut as _, Bytes};
use prost::Message as _;
use tonic::client::Grpc;
use tonic::codec::{Codec, CompressionEncoding, EncodeBuf, Encoder};
use tonic::metadata::MetadataMap;
use tonic::transport::Channel;
use tonic_prost::ProstDecoder;

use crate::config::{Compression, OtlpConfig, Protocol};
use crate::otlp_encode::{export_logs_request, export_trace_request, EncodedResource};

/// Who sends the requests: signalry, in Rust, this version.
const USER_AGENT: &str = concat!(
    "OTel-OTLP-Exporter-Rust-signalry/",
    env!("CARGO_PKG_VERSION")
);

/// What differs between the signals an [`Exporter`] sends.
pub(crate) trait Signal: Send + Sync + 'static {
    /// In messages: "spans".
    const WHAT: &'static str;
    /// The gRPC method every export calls.
    const METHOD: &'static str;
    /// The collector's answer.
    type Response: prost::Message + Default + Send + 'static;
    /// How many records the collector rejected, and why.
    fn rejected(response: &Self::Response) -> Option<(i64, &str)>;
}

/// Spans: `TraceService/Export`.
#[derive(Debug)]
pub(crate) struct Spans;

impl Signal for Spans {
    const WHAT: &'static str = "spans";
    const METHOD: &'static str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    type Response = ExportTraceServiceResponse;

    fn rejected(response: &Self::Response) -> Option<(i64, &str)> {
        let partial = response.partial_success.as_ref()?;
        Some((partial.rejected_spans, &partial.error_message))
    }
}

/// Log records: `LogsService/Export`.
#[derive(Debug)]
pub(crate) struct Logs;

impl Signal for Logs {
    const WHAT: &'static str = "log records";
    const METHOD: &'static str = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    type Response = ExportLogsServiceResponse;

    fn rejected(response: &Self::Response) -> Option<(i64, &str)> {
        let partial = response.partial_success.as_ref()?;
        Some((partial.rejected_log_records, &partial.error_message))
    }
}

/// The span exporter of plain-text OTLP endpoints.
pub(crate) type SpanExporter = Exporter<Spans>;
/// The log record exporter of plain-text OTLP endpoints.
pub(crate) type LogExporter = Exporter<Logs>;

const RETRIES: u32 = 3;
const FIRST_WAIT: Duration = Duration::from_millis(100);
const LONGEST_WAIT: Duration = Duration::from_millis(1600);
const JITTER_MS: u64 = 100;
/// The longest wait a collector can ask for.
const LONGEST_ASKED: Duration = Duration::from_secs(600);

/// An exporter of one signal to a plain-text OTLP endpoint.
pub(crate) struct Exporter<S> {
    transport: Transport,
    gzip: bool,
    timeout: Duration,
    resource: EncodedResource,
    shut_down: AtomicBool,
    /// A partial success is said once, not for every batch.
    partial_told: AtomicBool,
    signal: PhantomData<S>,
}

enum Transport {
    Grpc {
        client: Grpc<Channel>,
        metadata: MetadataMap,
    },
    Http {
        client: reqwest::Client,
        url: reqwest::Url,
        headers: http::HeaderMap,
    },
}

impl<S: Signal> std::fmt::Debug for Exporter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match self.transport {
            Transport::Grpc { .. } => "grpc",
            Transport::Http { .. } => "http/protobuf",
        };
        f.debug_struct("Exporter")
            .field("signal", &S::WHAT)
            .field("transport", &transport)
            .finish_non_exhaustive()
    }
}

/// Why an attempt failed, and whether another is worth making.
struct Failure {
    message: String,
    retry: Retry,
}

/// Whether to try again, and how soon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Retry {
    No,
    /// After the backoff.
    Later,
    /// After at least what the collector asked for.
    After(Duration),
}

impl<S: Signal> Exporter<S> {
    /// The exporter for `config` when signalry sends the signal itself: gRPC or HTTP/protobuf
    /// to an `http://` endpoint. `None` otherwise (HTTP/JSON, TLS), for the SDK's exporter.
    pub(crate) fn new(config: &OtlpConfig, mut headers: http::HeaderMap) -> Option<Self> {
        // As the OTLP specification asks of exporters, unless the configuration names one.
        if !headers.contains_key(http::header::USER_AGENT) {
            headers.insert(
                http::header::USER_AGENT,
                http::HeaderValue::from_static(USER_AGENT),
            );
        }
        let gzip = config.compression == Compression::Gzip;
        let transport = match config.protocol {
            Protocol::Grpc => {
                let mut client = Grpc::new(crate::grpc::channel(&config.endpoint, config.timeout)?);
                if gzip {
                    client = client
                        .send_compressed(CompressionEncoding::Gzip)
                        .accept_compressed(CompressionEncoding::Gzip);
                }
                Transport::Grpc {
                    client,
                    metadata: MetadataMap::from_headers(headers),
                }
            }
            Protocol::HttpProtobuf => {
                let url = reqwest::Url::parse(&config.endpoint).ok()?;
                if url.scheme() != "http" {
                    return None;
                }
                let client = reqwest::Client::builder()
                    .timeout(config.timeout)
                    .build()
                    .ok()?;
                Transport::Http {
                    client,
                    url,
                    headers,
                }
            }
            Protocol::HttpJson => return None,
        };
        Some(Self {
            transport,
            gzip,
            timeout: config.timeout,
            resource: EncodedResource::default(),
            shut_down: AtomicBool::new(false),
            partial_told: AtomicBool::new(false),
            signal: PhantomData,
        })
    }

    /// One attempt: the collector's response, or why there is none.
    async fn send(&self, body: &Bytes) -> Result<S::Response, Failure> {
        match &self.transport {
            Transport::Grpc { client, metadata } => {
                let mut client = client.clone();
                client.ready().await.map_err(|e| Failure {
                    message: format!("cannot reach the collector: {e}"),
                    retry: Retry::Later,
                })?;
                let mut call = tonic::Request::new(body.clone());
                *call.metadata_mut() = metadata.clone();
                call.set_timeout(self.timeout);
                client
                    .unary(
                        call,
                        PathAndQuery::from_static(S::METHOD),
                        EncodedCodec(PhantomData::<S::Response>),
                    )
                    .await
                    .map(tonic::Response::into_inner)
                    .map_err(|status| Failure {
                        message: format!("{:?}: {}", status.code(), status.message()),
                        retry: grpc_retry(&status),
                    })
            }
            Transport::Http {
                client,
                url,
                headers,
            } => {
                let mut request = client
                    .post(url.clone())
                    .headers(headers.clone())
                    .header(http::header::CONTENT_TYPE, "application/x-protobuf")
                    .body(body.clone());
                if self.gzip {
                    request = request.header(http::header::CONTENT_ENCODING, "gzip");
                }
                let response = request.send().await.map_err(|e| Failure {
                    message: format!("cannot reach the collector: {e}"),
                    retry: Retry::Later,
                })?;
                let status = response.status();
                if !status.is_success() {
                    let asked = response
                        .headers()
                        .get(http::header::RETRY_AFTER)
                        .and_then(|value| value.to_str().ok())
                        .and_then(retry_after);
                    return Err(Failure {
                        message: format!("HTTP status {status}"),
                        retry: http_retry(status.as_u16(), asked),
                    });
                }
                // A body that does not decode is no reason to send the records again.
                let body = response.bytes().await.unwrap_or_default();
                Ok(S::Response::decode(body).unwrap_or_default())
            }
        }
    }

    /// Says once that the collector rejected records: as the specification asks, they are not
    /// sent again.
    fn partial_success(&self, response: &S::Response) {
        let Some((rejected, message)) = S::rejected(response) else {
            return;
        };
        if (rejected > 0 || !message.is_empty()) && !self.partial_told.swap(true, Ordering::Relaxed)
        {
            eprintln!(
                "signalry: the collector rejected {rejected} {what} of an export: {message} \
                 (said once)",
                what = S::WHAT,
            );
        }
    }

    /// The request body: the encoded batch, gzipped when asked (over gRPC, tonic compresses).
    fn body(&self, encoded: Vec<u8>) -> Result<Bytes, OTelSdkError> {
        if !self.gzip || matches!(self.transport, Transport::Grpc { .. }) {
            return Ok(Bytes::from(encoded));
        }
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gzip, &encoded)
            .and_then(|()| gzip.finish())
            .map(Bytes::from)
            .map_err(|e| OTelSdkError::InternalFailure(format!("cannot compress: {e}")))
    }
}

/// The gRPC statuses the SDK's exporter retries, as the OTLP specification lists them:
/// `RESOURCE_EXHAUSTED` only when the collector says when (`RetryInfo`).
fn grpc_retry(status: &tonic::Status) -> Retry {
    use tonic_types::StatusExt as _;
    let asked = status
        .get_details_retry_info()
        .and_then(|info| info.retry_delay)
        .filter(|delay| !delay.is_zero())
        .map(|delay| delay.min(LONGEST_ASKED));
    match status.code() {
        tonic::Code::ResourceExhausted => asked.map_or(Retry::No, Retry::After),
        tonic::Code::Unavailable => asked.map_or(Retry::Later, Retry::After),
        tonic::Code::Cancelled
        | tonic::Code::DeadlineExceeded
        | tonic::Code::Aborted
        | tonic::Code::OutOfRange
        | tonic::Code::DataLoss => Retry::Later,
        _ => Retry::No,
    }
}

/// The HTTP statuses OTLP/HTTP retries; 429 and 503 after the `Retry-After` asked, if any.
fn http_retry(status: u16, asked: Option<Duration>) -> Retry {
    match (status, asked) {
        (429 | 503, Some(asked)) => Retry::After(asked),
        (429 | 502 | 503 | 504, _) => Retry::Later,
        _ => Retry::No,
    }
}

/// A `Retry-After` value: seconds, or an HTTP date; at most [`LONGEST_ASKED`].
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    let asked = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    };
    Some(asked.min(LONGEST_ASKED))
}

impl<S: Signal> Exporter<S> {
    /// Sends `body`, again while the collector's answer says to, within the retry policy.
    async fn deliver(&self, body: Bytes) -> OTelSdkResult {
        let mut wait = FIRST_WAIT;
        let mut longest = LONGEST_WAIT;
        let mut attempt = 0;
        loop {
            match self.send(&body).await {
                Ok(response) => {
                    self.partial_success(&response);
                    return Ok(());
                }
                Err(failure) if failure.retry != Retry::No && attempt < RETRIES => {
                    if let Retry::After(asked) = failure.retry {
                        // Never sooner than asked; later waits grow from there.
                        longest = longest.max(asked);
                        wait = wait.max(asked);
                    }
                    let jitter = Duration::from_millis(crate::clock::ticks() % JITTER_MS);
                    tokio::time::sleep(wait + jitter).await;
                    wait = (wait * 2).min(longest);
                    attempt += 1;
                }
                Err(failure) => {
                    return Err(OTelSdkError::InternalFailure(format!(
                        "export to the collector failed: {}",
                        failure.message
                    )))
                }
            }
        }
    }

    fn shut(&self) -> OTelSdkResult {
        if self.shut_down.swap(true, Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        Ok(())
    }

    fn open(&self) -> OTelSdkResult {
        if self.shut_down.load(Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        Ok(())
    }
}

impl opentelemetry_sdk::trace::SpanExporter for Exporter<Spans> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.open()?;
        let body = self.body(export_trace_request(&self.resource, &batch))?;
        drop(batch);
        self.deliver(body).await
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.shut()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = EncodedResource::new(resource);
    }
}

impl opentelemetry_sdk::logs::LogExporter for Exporter<Logs> {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        self.open()?;
        let body = self.body(export_logs_request(&self.resource, &batch))?;
        self.deliver(body).await
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        self.shut()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = EncodedResource::new(resource);
    }
}

/// Requests already encoded, written into tonic's buffer in one piece; responses (`R`) decoded
/// by prost.
struct EncodedCodec<R>(PhantomData<R>);

impl<R: prost::Message + Default + Send + 'static> Codec for EncodedCodec<R> {
    type Encode = Bytes;
    type Decode = R;
    type Encoder = EncodedRequest;
    type Decoder = ProstDecoder<R>;

    fn encoder(&mut self) -> EncodedRequest {
        EncodedRequest
    }

    fn decoder(&mut self) -> Self::Decoder {
        ProstDecoder::default()
    }
}

struct EncodedRequest;

impl Encoder for EncodedRequest {
    type Item = Bytes;
    type Error = tonic::Status;

    fn encode(&mut self, item: Bytes, buf: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        buf.reserve(item.len());
        buf.put_slice(&item);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- the span exporter against a gRPC peer ---------------------------------------------

    /// What the peer received in one request.
    struct Received {
        path: String,
        headers: http::HeaderMap,
        body: Vec<u8>,
    }

    /// A gRPC peer on a local port that answers its requests with `codes`, in order, and
    /// returns what it received once the client goes away.
    async fn grpc_peer(
        codes: Vec<tonic::Code>,
    ) -> (String, tokio::task::JoinHandle<Vec<Received>>) {
        grpc_peer_with(
            codes
                .into_iter()
                .map(|c| tonic::Status::new(c, ""))
                .collect(),
        )
        .await
    }

    /// The same, answering with whole statuses (their details too).
    async fn grpc_peer_with(
        statuses: Vec<tonic::Status>,
    ) -> (String, tokio::task::JoinHandle<Vec<Received>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let endpoint = format!("http://{}", listener.local_addr().expect("its address"));
        let served = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.expect("a connection");
            let mut connection = h2::server::handshake(socket).await.expect("HTTP/2");
            let mut received = Vec::new();
            let mut statuses = statuses.into_iter();
            while let Some(Ok((request, mut respond))) = connection.accept().await {
                let (parts, mut body) = request.into_parts();
                let mut bytes = Vec::new();
                while let Some(chunk) = body.data().await {
                    let chunk = chunk.expect("the body");
                    let _ = body.flow_control().release_capacity(chunk.len());
                    bytes.extend_from_slice(&chunk);
                }
                received.push(Received {
                    path: parts.uri.path().to_owned(),
                    headers: parts.headers,
                    body: bytes,
                });
                let status = statuses
                    .next()
                    .unwrap_or_else(|| tonic::Status::new(tonic::Code::Ok, ""));
                let code = status.code();
                let response = http::Response::builder()
                    .status(200)
                    .header("content-type", "application/grpc")
                    .body(())
                    .expect("a response");
                let mut stream = respond.send_response(response, false).expect("headers");
                if code == tonic::Code::Ok {
                    // An empty `ExportTraceServiceResponse`, uncompressed.
                    let message = Bytes::from_static(&[0, 0, 0, 0, 0]);
                    stream.send_data(message, false).expect("the message");
                }
                let mut trailers = http::HeaderMap::new();
                status
                    .add_header(&mut trailers)
                    .expect("the status as trailers");
                stream.send_trailers(trailers).expect("trailers");
            }
            received
        });
        (endpoint, served)
    }

    fn spans() -> Vec<SpanData> {
        use opentelemetry::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId};
        vec![SpanData {
            span_context: SpanContext::new(
                TraceId::from(7),
                SpanId::from(8),
                TraceFlags::SAMPLED,
                false,
                Default::default(),
            ),
            parent_span_id: SpanId::INVALID,
            parent_span_is_remote: false,
            span_kind: SpanKind::Server,
            name: "GET /orders".into(),
            start_time: std::time::UNIX_EPOCH + Duration::from_secs(1),
            end_time: std::time::UNIX_EPOCH + Duration::from_secs(2),
            attributes: vec![opentelemetry::KeyValue::new("http.route", "/orders")],
            dropped_attributes_count: 0,
            events: Default::default(),
            links: Default::default(),
            status: Status::Unset,
            instrumentation_scope: crate::pipeline::scope(),
        }]
    }

    fn config(endpoint: &str, protocol: Protocol, gzip: bool) -> OtlpConfig {
        OtlpConfig {
            endpoint: endpoint.to_owned(),
            protocol,
            headers: Vec::new(),
            timeout: Duration::from_secs(5),
            compression: if gzip {
                Compression::Gzip
            } else {
                Compression::None
            },
        }
    }

    fn exporter(endpoint: &str, protocol: Protocol, gzip: bool) -> SpanExporter {
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", "Bearer t0ken".parse().expect("a value"));
        let mut exporter = SpanExporter::new(&config(endpoint, protocol, gzip), headers)
            .expect("a plain-text endpoint");
        opentelemetry_sdk::trace::SpanExporter::set_resource(&mut exporter, &resource());
        exporter
    }

    /// Exports [`spans`] once with a new exporter, then waits for the peer's account of it.
    async fn export_once<R>(
        endpoint: &str,
        protocol: Protocol,
        gzip: bool,
        served: tokio::task::JoinHandle<Vec<R>>,
    ) -> (Vec<R>, OTelSdkResult) {
        use opentelemetry_sdk::trace::SpanExporter as _;
        let exporter = exporter(endpoint, protocol, gzip);
        let result = exporter.export(spans()).await;
        // The gRPC peer stops when the connection closes.
        drop(exporter);
        (served.await.expect("the peer"), result)
    }

    fn resource() -> Resource {
        Resource::builder_empty().with_service_name("shop").build()
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a test runtime")
    }

    fn gunzip(compressed: &[u8]) -> Vec<u8> {
        let mut message = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(compressed), &mut message)
            .expect("gzip");
        message
    }

    /// Over gRPC the request is the SDK exporter's: its method, headers, timeout and
    /// compression, and a body that is the batch's encoding.
    #[test]
    fn a_grpc_export_is_one_request_with_the_configured_headers() {
        let runtime = runtime();
        let (received, result) = runtime.block_on(async {
            let (endpoint, served) = grpc_peer(vec![tonic::Code::Ok]).await;
            export_once(&endpoint, Protocol::Grpc, true, served).await
        });
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(received.len(), 1);
        let request = &received[0];
        assert_eq!(request.path, Spans::METHOD);
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("content-type"), "application/grpc");
        assert_eq!(header("authorization"), "Bearer t0ken");
        assert!(
            header("user-agent").starts_with(USER_AGENT),
            "{}",
            header("user-agent")
        );
        assert_eq!(header("grpc-encoding"), "gzip");
        assert!(header("grpc-timeout").ends_with('m') || header("grpc-timeout").ends_with('u'));
        // A compressed message: flag 1, then its length, then gzip.
        let (prefix, compressed) = request.body.split_at(5);
        assert_eq!(prefix[0], 1);
        let length = u32::from_be_bytes([prefix[1], prefix[2], prefix[3], prefix[4]]);
        assert_eq!(length as usize, compressed.len());
        let expected = export_trace_request(&EncodedResource::new(&resource()), &spans());
        assert_eq!(gunzip(compressed), expected);
    }

    /// A status worth retrying is retried with the same bytes; another fails the export at once.
    #[test]
    fn over_grpc_unavailable_is_retried_and_invalid_argument_is_not() {
        use opentelemetry_sdk::trace::SpanExporter as _;
        let runtime = runtime();
        let (retried, result) = runtime.block_on(async {
            let (endpoint, served) =
                grpc_peer(vec![tonic::Code::Unavailable, tonic::Code::Ok]).await;
            let exporter = exporter(&endpoint, Protocol::Grpc, false);
            let result = exporter.export(spans()).await;
            drop(exporter);
            (served.await.expect("the peer"), result)
        });
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(retried.len(), 2);
        assert_eq!(retried[0].body, retried[1].body);
        assert_eq!(retried[0].body[0], 0, "not compressed");

        let (refused, result) = runtime.block_on(async {
            let (endpoint, served) = grpc_peer(vec![tonic::Code::InvalidArgument]).await;
            export_once(&endpoint, Protocol::Grpc, false, served).await
        });
        assert_eq!(refused.len(), 1);
        let error = result.expect_err("refused").to_string();
        assert!(error.contains("InvalidArgument"), "{error}");
    }

    /// After shutdown nothing is sent.
    #[test]
    fn a_shut_down_exporter_sends_nothing() {
        use opentelemetry_sdk::trace::SpanExporter as _;
        let runtime = runtime();
        let _entered = runtime.enter();
        let exporter = exporter("http://127.0.0.1:9", Protocol::Grpc, false);
        assert!(exporter
            .shutdown_with_timeout(Duration::from_secs(1))
            .is_ok());
        let result = runtime.block_on(exporter.export(spans()));
        assert!(
            matches!(result, Err(OTelSdkError::AlreadyShutdown)),
            "{result:?}"
        );
    }

    // --- HTTP/protobuf -----------------------------------------------------------------------

    /// What an HTTP/1.1 peer received in one request.
    struct Posted {
        head: String,
        body: Vec<u8>,
    }

    impl Posted {
        fn header(&self, name: &str) -> Option<&str> {
            self.head.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.eq_ignore_ascii_case(name).then(|| value.trim())
            })
        }
    }

    /// An HTTP/1.1 peer that answers one request per status in `statuses` (a 429 asks for a
    /// retry after one second), then returns what it received.
    async fn http_peer(statuses: Vec<u16>) -> (String, tokio::task::JoinHandle<Vec<Posted>>) {
        use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let endpoint = format!(
            "http://{}/v1/traces",
            listener.local_addr().expect("its address")
        );
        let served = tokio::spawn(async move {
            let mut posted = Vec::new();
            let mut statuses = statuses.into_iter().peekable();
            while statuses.peek().is_some() {
                let (socket, _) = listener.accept().await.expect("a connection");
                let mut socket = tokio::io::BufReader::new(socket);
                while let Some(status) = statuses.peek().copied() {
                    let mut head = String::new();
                    loop {
                        let mut line = String::new();
                        if socket.read_line(&mut line).await.expect("a line") == 0 {
                            break;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        head.push_str(&line);
                    }
                    if head.is_empty() {
                        break; // the client closed this connection
                    }
                    let mut request = Posted {
                        head,
                        body: Vec::new(),
                    };
                    let length: usize = request
                        .header("content-length")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                    request.body = vec![0; length];
                    socket
                        .read_exact(&mut request.body)
                        .await
                        .expect("the body");
                    posted.push(request);
                    statuses.next();
                    let asked = if status == 429 {
                        "retry-after: 1\r\n"
                    } else {
                        ""
                    };
                    let response = format!(
                        "HTTP/1.1 {status} X\r\n{asked}content-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n"
                    );
                    socket
                        .get_mut()
                        .write_all(response.as_bytes())
                        .await
                        .expect("the response");
                }
            }
            posted
        });
        (endpoint, served)
    }

    /// Over HTTP the request is the SDK exporter's too: a POST of the encoding to the signal's
    /// URL, gzipped when asked, with the configured headers.
    #[test]
    fn an_http_export_posts_the_encoding_with_the_configured_headers() {
        let runtime = runtime();
        let (posted, result) = runtime.block_on(async {
            let (endpoint, served) = http_peer(vec![200]).await;
            export_once(&endpoint, Protocol::HttpProtobuf, true, served).await
        });
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(posted.len(), 1);
        let request = &posted[0];
        assert!(
            request.head.starts_with("POST /v1/traces HTTP/1.1"),
            "{}",
            request.head
        );
        assert_eq!(
            request.header("content-type"),
            Some("application/x-protobuf")
        );
        assert_eq!(request.header("content-encoding"), Some("gzip"));
        assert_eq!(request.header("authorization"), Some("Bearer t0ken"));
        assert_eq!(request.header("user-agent"), Some(USER_AGENT));
        let expected = export_trace_request(&EncodedResource::new(&resource()), &spans());
        assert_eq!(gunzip(&request.body), expected);
    }

    /// 503 is retried with the same body; 400 fails the export at once.
    #[test]
    fn over_http_unavailable_is_retried_and_bad_request_is_not() {
        let runtime = runtime();
        let (posted, result) = runtime.block_on(async {
            let (endpoint, served) = http_peer(vec![503, 200]).await;
            export_once(&endpoint, Protocol::HttpProtobuf, false, served).await
        });
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(posted.len(), 2);
        assert_eq!(posted[0].body, posted[1].body);

        let (posted, result) = runtime.block_on(async {
            let (endpoint, served) = http_peer(vec![400]).await;
            export_once(&endpoint, Protocol::HttpProtobuf, false, served).await
        });
        assert_eq!(posted.len(), 1);
        let error = result.expect_err("refused").to_string();
        assert!(error.contains("400"), "{error}");
    }

    /// TLS and JSON are left to the SDK's exporter.
    #[test]
    fn only_plain_text_grpc_and_http_protobuf_are_sent_by_signalry() {
        let runtime = runtime();
        let _entered = runtime.enter();
        let headers = http::HeaderMap::new;
        let own = |endpoint: &str, protocol| {
            SpanExporter::new(&config(endpoint, protocol, false), headers()).is_some()
        };
        assert!(own("http://127.0.0.1:4317", Protocol::Grpc));
        assert!(own(
            "http://127.0.0.1:4318/v1/traces",
            Protocol::HttpProtobuf
        ));
        assert!(!own("https://collector.example:4317", Protocol::Grpc));
        assert!(!own(
            "https://collector.example/v1/traces",
            Protocol::HttpProtobuf
        ));
        assert!(!own("http://127.0.0.1:4318/v1/traces", Protocol::HttpJson));
    }

    // --- what the collector asks for -------------------------------------------------------

    #[test]
    fn retry_after_is_seconds_or_a_date_and_at_most_ten_minutes() {
        assert_eq!(retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("99999"), Some(LONGEST_ASKED));
        let later = std::time::SystemTime::now() + Duration::from_secs(30);
        let asked = retry_after(&httpdate::fmt_http_date(later)).expect("a date");
        assert!(
            (Duration::from_secs(28)..=Duration::from_secs(30)).contains(&asked),
            "{asked:?}"
        );
        assert_eq!(
            retry_after("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn http_statuses_are_retried_as_otlp_says() {
        let asked = Some(Duration::from_secs(2));
        assert_eq!(http_retry(429, asked), Retry::After(Duration::from_secs(2)));
        assert_eq!(http_retry(503, asked), Retry::After(Duration::from_secs(2)));
        assert_eq!(http_retry(503, None), Retry::Later);
        assert_eq!(http_retry(502, asked), Retry::Later);
        assert_eq!(http_retry(504, None), Retry::Later);
        assert_eq!(http_retry(400, asked), Retry::No);
        assert_eq!(http_retry(500, None), Retry::No);
    }

    #[test]
    fn grpc_statuses_are_retried_as_otlp_says() {
        use tonic_types::{ErrorDetails, StatusExt as _};
        let asking = |code, delay| {
            tonic::Status::with_error_details(code, "", ErrorDetails::with_retry_info(delay))
        };
        let second = Some(Duration::from_secs(1));
        assert_eq!(
            grpc_retry(&asking(tonic::Code::ResourceExhausted, second)),
            Retry::After(Duration::from_secs(1))
        );
        assert_eq!(
            grpc_retry(&tonic::Status::resource_exhausted("full")),
            Retry::No
        );
        assert_eq!(
            grpc_retry(&asking(tonic::Code::Unavailable, second)),
            Retry::After(Duration::from_secs(1))
        );
        assert_eq!(grpc_retry(&tonic::Status::unavailable("")), Retry::Later);
        assert_eq!(
            grpc_retry(&asking(tonic::Code::Unavailable, Some(Duration::ZERO))),
            Retry::Later
        );
        assert_eq!(grpc_retry(&tonic::Status::aborted("")), Retry::Later);
        assert_eq!(grpc_retry(&tonic::Status::invalid_argument("")), Retry::No);
    }

    /// The wait a collector asks for is kept, over gRPC and HTTP.
    #[test]
    fn an_export_waits_as_long_as_the_collector_asks() {
        use tonic_types::{ErrorDetails, StatusExt as _};
        let runtime = runtime();
        let asked = Duration::from_millis(300);
        let started = std::time::Instant::now();
        let (received, result) = runtime.block_on(async {
            let (endpoint, served) = grpc_peer_with(vec![
                tonic::Status::with_error_details(
                    tonic::Code::ResourceExhausted,
                    "slow down",
                    ErrorDetails::with_retry_info(Some(asked)),
                ),
                tonic::Status::new(tonic::Code::Ok, ""),
            ])
            .await;
            export_once(&endpoint, Protocol::Grpc, false, served).await
        });
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(received.len(), 2);
        assert!(started.elapsed() >= asked, "{:?}", started.elapsed());

        let started = std::time::Instant::now();
        let (posted, result) = runtime.block_on(async {
            let (endpoint, served) = http_peer(vec![429, 200]).await;
            export_once(&endpoint, Protocol::HttpProtobuf, false, served).await
        });
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(posted.len(), 2);
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }

    // --- log records -------------------------------------------------------------------------

    /// Log records take the same way as spans, to their own method and path.
    #[test]
    fn log_records_go_to_the_logs_service_over_grpc_and_http() {
        use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
        use opentelemetry_sdk::logs::LogExporter as _;
        let provider = opentelemetry_sdk::logs::SdkLoggerProvider::builder().build();
        let mut record = provider.logger("test").create_log_record();
        record.set_body("order failed".into());
        record.set_observed_timestamp(std::time::UNIX_EPOCH + Duration::from_secs(1));
        let scope = crate::pipeline::scope();
        let data = [(&record, &scope)];
        let expected = crate::otlp_encode::export_logs_request(
            &EncodedResource::new(&resource()),
            &LogBatch::new(&data),
        );
        let log_exporter = |endpoint: &str, protocol| {
            let mut exporter =
                LogExporter::new(&config(endpoint, protocol, false), http::HeaderMap::new())
                    .expect("a plain-text endpoint");
            exporter.set_resource(&resource());
            exporter
        };
        let runtime = runtime();

        let received = runtime.block_on(async {
            let (endpoint, served) = grpc_peer(vec![tonic::Code::Ok]).await;
            let exporter = log_exporter(&endpoint, Protocol::Grpc);
            exporter
                .export(LogBatch::new(&data))
                .await
                .expect("exported");
            drop(exporter);
            served.await.expect("the peer")
        });
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].path, Logs::METHOD);
        assert_eq!(&received[0].body[5..], expected.as_slice());

        let logs_url = |endpoint: String| endpoint.replace("/v1/traces", "/v1/logs");
        let posted = runtime.block_on(async {
            let (endpoint, served) = http_peer(vec![200]).await;
            let exporter = log_exporter(&logs_url(endpoint), Protocol::HttpProtobuf);
            exporter
                .export(LogBatch::new(&data))
                .await
                .expect("exported");
            served.await.expect("the peer")
        });
        assert_eq!(posted.len(), 1);
        assert!(
            posted[0].head.starts_with("POST /v1/logs HTTP/1.1"),
            "{}",
            posted[0].head
        );
        assert_eq!(posted[0].body, expected);
    }
}
