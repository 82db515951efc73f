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

use http::Uri;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tonic::transport::{Channel, Endpoint};

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
}
