//! `signalry::testing` after a test's own `init` guard is gone. In a binary of its own: the
//! guard's start and stop would otherwise race with captures running in parallel.

use signalry::config::Signal;
use signalry::otel::Value;
use signalry::testing::capture;

#[signalry::traced]
fn plain(x: u32) -> u32 {
    x + 1
}

#[test]
fn capture_works_again_after_an_init_guard_is_dropped() {
    let (_, before) = capture(|| plain(1));
    assert_eq!(before.span("plain").attribute("x"), Some(&Value::I64(1)));

    let guard = signalry::builder()
        .exporters(Signal::Traces, &[])
        .exporters(Signal::Metrics, &[])
        .exporters(Signal::Logs, &[])
        .init();
    let (_, during) = capture(|| plain(2));
    assert_eq!(during.span("plain").attribute("x"), Some(&Value::I64(2)));
    drop(guard);

    let (_, after) = capture(|| plain(3));
    assert_eq!(after.span("plain").attribute("x"), Some(&Value::I64(3)));
}
