//! Test support for signalry's end-to-end tests.
//!
//! The tests in `tests/tests/` check signalry's behaviour against real peers started on
//! loopback. This library holds the harnesses that start those peers and read back what
//! they received:
//!
//! - [`collector`]: the [rotel](https://pypi.org/project/rotel/) OpenTelemetry collector
//!   (`rotel-agent`), run with its detailed debug log for traces, metrics and logs and the
//!   blackhole exporter. [`collector::Collector::start`] starts one on free ports and
//!   [`collector::Collector::wait_for`] returns the spans, metrics and log records it has
//!   printed, parsed into [`collector::Received`].
//!
//! Tests that need a peer fail (they never skip) when the peer is not installed;
//! `scripts/test` installs the peers.

pub mod collector;
