//! The channel of the OTLP gRPC exporters: plain TCP that acknowledges what it reads at once.
//!
//! A gRPC response comes in more than one write (headers, then the message and trailers). A
//! collector whose socket keeps Nagle's algorithm on (`TCP_NODELAY` unset; rotel's is) holds
//! back a small write while an earlier one is unacknowledged, and Linux delays the client's
//! acknowledgement by up to 40 ms when the client has nothing to send: every export then waits
//! 40 ms for its response, and a batch processor exporting one batch at a time sends 25 batches
//! a second. Acknowledging at once (`TCP_QUICKACK`) lets the collector send the rest straight
//! away. The kernel leaves quick-ack mode by itself, so it is set again after each read, one
//! system call per read of a response.
//!
//! Only `http://` endpoints use this connector; `https://` ones keep the exporter's own TLS
//! channel.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};

use http::uri::PathAndQuery;
use http::Uri;
use hyper_util::rt::TokioIo;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;
use prost::bytes::{BufMut as _, Bytes};
use tokio::net::TcpStream;
use tonic::client::Grpc;
use tonic::codec::{Codec, CompressionEncoding, EncodeBuf, Encoder};
use tonic::metadata::MetadataMap;
use tonic::transport::{Channel, Endpoint};
use tonic_prost::ProstDecoder;

use crate::otlp_encode::{export_trace_request, EncodedResource};

/// A lazily connecting channel to a plain-text endpoint; `None` for any other scheme, which the
/// exporter connects by itself.
pub(crate) fn channel(endpoint: &str, timeout: Duration) -> Option<Channel> {
    let endpoint = Endpoint::from_shared(endpoint.to_owned()).ok()?;
    if endpoint.uri().scheme() != Some(&http::uri::Scheme::HTTP) {
        return None;
    }
    Some(
        endpoint
            .timeout(timeout)
            .connect_with_connector_lazy(QuickAckConnector),
    )
}

/// Opens [`QuickAck`] connections.
#[derive(Clone, Copy, Debug)]
struct QuickAckConnector;

impl tower_service::Service<Uri> for QuickAckConnector {
    type Response = QuickAck;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<QuickAck>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(async move {
            let host = uri.host().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("no host in {uri}"))
            })?;
            // `[::1]` in a URI is `::1` to the resolver.
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let port = uri.port_u16().unwrap_or(80);
            let stream = TcpStream::connect((host, port)).await?;
            stream.set_nodelay(true)?;
            quick_ack(&stream);
            Ok(QuickAck(TokioIo::new(stream)))
        })
    }
}

/// A TCP connection that asks for quick acknowledgement again after every read.
#[derive(Debug)]
struct QuickAck(TokioIo<TcpStream>);

/// Best effort: where the option is missing, the connection works as any other.
fn quick_ack(stream: &TcpStream) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = stream;
}

impl hyper::rt::Read for QuickAck {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let read = Pin::new(&mut this.0).poll_read(cx, buf);
        if read.is_ready() {
            quick_ack(this.0.inner());
        }
        read
    }
}

impl hyper::rt::Write for QuickAck {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

// --- the span exporter ---------------------------------------------------------------------

/// The gRPC method every OTLP span export calls.
const TRACE_EXPORT: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// Attempts after the first when the collector answers with a status worth retrying, and the
/// waits between them (doubling, plus up to [`JITTER`]): the retry policy of the SDK's
/// exporter, all within the export timeout the caller enforces.
const RETRIES: u32 = 3;
const FIRST_WAIT: Duration = Duration::from_millis(100);
const LONGEST_WAIT: Duration = Duration::from_millis(1600);
const JITTER: u64 = 100;

/// The span exporter for plain-text gRPC endpoints: the batch is encoded once, straight from
/// the spans (`otlp_encode`), and sent over [`channel`]; a retry sends the same bytes. Its
/// requests are those of the SDK's OTLP exporter: same method, headers, timeout, compression.
pub(crate) struct SpanExporter {
    client: Grpc<Channel>,
    metadata: MetadataMap,
    timeout: Duration,
    resource: EncodedResource,
    shut_down: AtomicBool,
    /// A partial success is said once, not for every batch.
    partial_told: AtomicBool,
}

impl std::fmt::Debug for SpanExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GrpcSpanExporter")
    }
}

impl SpanExporter {
    /// An exporter to a plain-text `endpoint`; `None` for any other scheme.
    pub(crate) fn new(
        endpoint: &str,
        timeout: Duration,
        metadata: MetadataMap,
        gzip: bool,
    ) -> Option<Self> {
        let mut client = Grpc::new(channel(endpoint, timeout)?);
        if gzip {
            client = client
                .send_compressed(CompressionEncoding::Gzip)
                .accept_compressed(CompressionEncoding::Gzip);
        }
        Some(Self {
            client,
            metadata,
            timeout,
            resource: EncodedResource::default(),
            shut_down: AtomicBool::new(false),
            partial_told: AtomicBool::new(false),
        })
    }

    async fn send(&self, request: &Bytes) -> Result<ExportTraceServiceResponse, tonic::Status> {
        let mut client = self.client.clone();
        client
            .ready()
            .await
            .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
        let mut call = tonic::Request::new(request.clone());
        *call.metadata_mut() = self.metadata.clone();
        call.set_timeout(self.timeout);
        client
            .unary(call, PathAndQuery::from_static(TRACE_EXPORT), EncodedCodec)
            .await
            .map(tonic::Response::into_inner)
    }

    /// Says once that the collector rejected spans: as the specification asks, they are not
    /// sent again.
    fn partial_success(&self, response: ExportTraceServiceResponse) {
        let Some(partial) = response.partial_success else {
            return;
        };
        if (partial.rejected_spans > 0 || !partial.error_message.is_empty())
            && !self.partial_told.swap(true, Ordering::Relaxed)
        {
            eprintln!(
                "signalry: the collector rejected {} spans of an export: {} (said once)",
                partial.rejected_spans, partial.error_message
            );
        }
    }
}

/// The statuses the SDK's exporter retries (`RESOURCE_EXHAUSTED` only with the collector's
/// retry information, which this exporter does not read: not retried).
fn retryable(code: tonic::Code) -> bool {
    matches!(
        code,
        tonic::Code::Cancelled
            | tonic::Code::DeadlineExceeded
            | tonic::Code::Aborted
            | tonic::Code::OutOfRange
            | tonic::Code::DataLoss
            | tonic::Code::Unavailable
    )
}

impl opentelemetry_sdk::trace::SpanExporter for SpanExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        if self.shut_down.load(Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        let request = Bytes::from(export_trace_request(&self.resource, &batch));
        drop(batch);
        let mut wait = FIRST_WAIT;
        let mut attempt = 0;
        loop {
            match self.send(&request).await {
                Ok(response) => {
                    self.partial_success(response);
                    return Ok(());
                }
                Err(status) if attempt < RETRIES && retryable(status.code()) => {
                    let jitter = Duration::from_millis(crate::clock::ticks() % JITTER);
                    tokio::time::sleep(wait + jitter).await;
                    wait = (wait * 2).min(LONGEST_WAIT);
                    attempt += 1;
                }
                Err(status) => {
                    return Err(OTelSdkError::InternalFailure(format!(
                        "export to the collector failed: {:?}: {}",
                        status.code(),
                        status.message()
                    )))
                }
            }
        }
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        if self.shut_down.swap(true, Ordering::Relaxed) {
            return Err(OTelSdkError::AlreadyShutdown);
        }
        Ok(())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.resource = EncodedResource::new(resource);
    }
}

/// Requests already encoded, written into tonic's buffer in one piece; responses decoded by
/// prost.
struct EncodedCodec;

impl Codec for EncodedCodec {
    type Encode = Bytes;
    type Decode = ExportTraceServiceResponse;
    type Encoder = EncodedRequest;
    type Decoder = ProstDecoder<ExportTraceServiceResponse>;

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
    use std::future::poll_fn;
    use std::io::{Read as _, Write as _};

    use hyper::rt::{Read as _, Write as _};
    use tower_service::Service as _;

    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a test runtime")
    }

    #[test]
    fn only_plain_text_endpoints_get_the_connector() {
        let runtime = runtime();
        let _entered = runtime.enter();
        let timeout = Duration::from_secs(1);
        assert!(channel("http://127.0.0.1:4317", timeout).is_some());
        assert!(channel("http://[::1]:4317", timeout).is_some());
        assert!(channel("https://collector.example:4317", timeout).is_none());
        assert!(channel("not a uri", timeout).is_none());
    }

    /// Bytes go both ways through the wrapper, and quick-ack mode is on after a read, when the
    /// kernel may have left it.
    #[test]
    fn a_connection_reads_writes_and_acknowledges_at_once() {
        exchange("127.0.0.1", |port| format!("http://127.0.0.1:{port}"));
    }

    /// An IPv6 literal is bracketed in the URI and not when connecting.
    #[test]
    fn an_ipv6_endpoint_connects() {
        if std::net::TcpListener::bind("[::1]:0").is_err() {
            // No IPv6 loopback on this machine: nothing to connect to.
            assert!(
                std::env::var_os("CI").is_none(),
                "CI machines have IPv6 loopback"
            );
            return;
        }
        exchange("[::1]", |port| format!("http://[::1]:{port}"));
    }

    /// One request and response through a [`QuickAck`] connection to a peer listening on
    /// `host`, at the URI `uri(port)`.
    fn exchange(host: &str, uri: impl Fn(u16) -> String) {
        let listener = std::net::TcpListener::bind(format!("{host}:0")).expect("a local port");
        let port = listener.local_addr().expect("its address").port();
        let peer = std::thread::spawn(move || {
            let (mut socket, _) = listener.accept().expect("a connection");
            let mut request = [0u8; 4];
            socket.read_exact(&mut request).expect("the request");
            socket.write_all(b"pong").expect("the response");
            request
        });
        let runtime = runtime();
        runtime.block_on(async {
            let uri: Uri = uri(port).parse().expect("a uri");
            let mut connection = QuickAckConnector.call(uri).await.expect("connected");
            let written = poll_fn(|cx| Pin::new(&mut connection).poll_write(cx, b"ping")).await;
            assert_eq!(written.expect("written"), 4);
            // As the kernel does by itself: the read must turn it on again.
            #[cfg(any(target_os = "linux", target_os = "android"))]
            socket2::SockRef::from(connection.0.inner())
                .set_tcp_quickack(false)
                .expect("the option");
            let mut response = [0u8; 4];
            let mut filled = 0;
            while filled < response.len() {
                let mut buf = hyper::rt::ReadBuf::new(&mut response[filled..]);
                poll_fn(|cx| Pin::new(&mut connection).poll_read(cx, buf.unfilled()))
                    .await
                    .expect("read");
                assert!(!buf.filled().is_empty(), "the peer closed early");
                filled += buf.filled().len();
            }
            assert_eq!(&response, b"pong");
            #[cfg(any(target_os = "linux", target_os = "android"))]
            {
                let socket = socket2::SockRef::from(connection.0.inner());
                assert!(socket.tcp_quickack().expect("the option"));
                assert!(socket.tcp_nodelay().expect("the option"));
            }
        });
        assert_eq!(&peer.join().expect("the peer"), b"ping");
    }

    // --- the span exporter against a gRPC peer ---------------------------------------------

    /// What the peer received in one request.
    struct Received {
        path: String,
        headers: http::HeaderMap,
        body: Vec<u8>,
    }

    /// A gRPC peer on a local port that answers its requests with `codes`, in order, and
    /// returns what it received once the client goes away.
    async fn peer(codes: Vec<tonic::Code>) -> (String, tokio::task::JoinHandle<Vec<Received>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let endpoint = format!("http://{}", listener.local_addr().expect("its address"));
        let served = tokio::spawn(async move {
            let (socket, _) = listener.accept().await.expect("a connection");
            let mut connection = h2::server::handshake(socket).await.expect("HTTP/2");
            let mut received = Vec::new();
            let mut codes = codes.into_iter();
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
                let code = codes.next().unwrap_or(tonic::Code::Ok);
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
                trailers.insert("grpc-status", (code as i32).into());
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

    fn exporter(endpoint: &str, gzip: bool) -> SpanExporter {
        let mut metadata = MetadataMap::new();
        metadata.insert("authorization", "Bearer t0ken".parse().expect("a value"));
        let mut exporter = SpanExporter::new(endpoint, Duration::from_secs(5), metadata, gzip)
            .expect("a plain-text endpoint");
        opentelemetry_sdk::trace::SpanExporter::set_resource(
            &mut exporter,
            &Resource::builder_empty().with_service_name("shop").build(),
        );
        exporter
    }

    /// The request is the SDK exporter's: its method, headers, timeout and compression, and a
    /// body that is the batch's encoding.
    #[test]
    fn an_export_is_one_grpc_request_with_the_configured_headers() {
        use opentelemetry_sdk::trace::SpanExporter as _;
        use std::io::Read as _;
        let runtime = runtime();
        let received = runtime.block_on(async {
            let (endpoint, served) = peer(vec![tonic::Code::Ok]).await;
            let exporter = exporter(&endpoint, true);
            exporter.export(spans()).await.expect("exported");
            drop(exporter);
            served.await.expect("the peer")
        });
        assert_eq!(received.len(), 1);
        let request = &received[0];
        assert_eq!(request.path, TRACE_EXPORT);
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
        assert_eq!(header("grpc-encoding"), "gzip");
        assert!(header("grpc-timeout").ends_with('m') || header("grpc-timeout").ends_with('u'));
        // A compressed message: flag 1, then its length, then gzip.
        let (prefix, compressed) = request.body.split_at(5);
        assert_eq!(prefix[0], 1);
        let length = u32::from_be_bytes([prefix[1], prefix[2], prefix[3], prefix[4]]);
        assert_eq!(length as usize, compressed.len());
        let mut message = Vec::new();
        flate2::read::GzDecoder::new(compressed)
            .read_to_end(&mut message)
            .expect("gzip");
        let resource = Resource::builder_empty().with_service_name("shop").build();
        let expected = export_trace_request(&EncodedResource::new(&resource), &spans());
        assert_eq!(message, expected);
    }

    /// A status worth retrying is retried with the same bytes; another fails the export at once.
    #[test]
    fn unavailable_is_retried_and_invalid_argument_is_not() {
        use opentelemetry_sdk::trace::SpanExporter as _;
        let runtime = runtime();
        let (retried, result) = runtime.block_on(async {
            let (endpoint, served) = peer(vec![tonic::Code::Unavailable, tonic::Code::Ok]).await;
            let exporter = exporter(&endpoint, false);
            let result = exporter.export(spans()).await;
            drop(exporter);
            (served.await.expect("the peer"), result)
        });
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(retried.len(), 2);
        assert_eq!(retried[0].body, retried[1].body);
        assert_eq!(retried[0].body[0], 0, "not compressed");

        let (refused, result) = runtime.block_on(async {
            let (endpoint, served) = peer(vec![tonic::Code::InvalidArgument]).await;
            let exporter = exporter(&endpoint, false);
            let result = exporter.export(spans()).await;
            drop(exporter);
            (served.await.expect("the peer"), result)
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
        let exporter = exporter("http://127.0.0.1:9", false);
        assert!(exporter
            .shutdown_with_timeout(Duration::from_secs(1))
            .is_ok());
        let result = runtime.block_on(exporter.export(spans()));
        assert!(
            matches!(result, Err(OTelSdkError::AlreadyShutdown)),
            "{result:?}"
        );
    }
}
