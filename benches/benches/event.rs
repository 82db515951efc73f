//! Group 4, one structured event with 5 attributes (an integer, two strings, a float, a bool)
//! per call, each through a batch log processor to a discarding exporter:
//!
//! | bench | event |
//! |---|---|
//! | `signalry_emit` | `#[derive(TelemetryEvent)]` struct, `.emit()` |
//! | `tracing_appender` | `tracing::info!(name: ..., field = value, ...)` through `opentelemetry-appender-tracing` (the only layer of a `Registry`, global default) on an SDK logger provider |
//! | `raw_otel` | a `LogRecord` built by hand: `create_log_record`, event name, severity, timestamp, 5 `add_attribute`, `emit` |
//!
//! The SDK logger providers of the peers are built like signalry's: batch log processor with
//! default settings.

mod common;

use std::hint::black_box;

use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::SdkLogger;
use signalry::TelemetryEvent as _;
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(signalry::TelemetryEvent)]
#[event(name = "bench.order.placed")]
struct OrderPlaced {
    order_id: u64,
    method: &'static str,
    amount: f64,
    retried: bool,
    region: &'static str,
}

#[inline(never)]
fn signalry_emit(order_id: u64) {
    OrderPlaced {
        order_id,
        method: "card",
        amount: 12.5,
        retried: false,
        region: "eu-west",
    }
    .emit();
}

#[inline(never)]
fn tracing_appender(order_id: u64) {
    tracing::info!(
        name: "bench.order.placed",
        order_id,
        method = "card",
        amount = 12.5,
        retried = false,
        region = "eu-west"
    );
}

#[inline(never)]
fn raw_otel(logger: &SdkLogger, order_id: u64) {
    let mut record = logger.create_log_record();
    record.set_event_name("bench.order.placed");
    record.set_severity_number(Severity::Info);
    record.set_severity_text("INFO");
    record.set_timestamp(std::time::SystemTime::now());
    record.add_attribute("order_id", AnyValue::Int(order_id as i64));
    record.add_attribute("method", "card");
    record.add_attribute("amount", 12.5);
    record.add_attribute("retried", false);
    record.add_attribute("region", "eu-west");
    logger.emit(record);
}

fn main() {
    let mut c = common::criterion();
    let _signalry = common::signalry_logs();
    let appender_provider = common::sdk_logger_provider();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&appender_provider));
    tracing::subscriber::set_global_default(subscriber)
        .expect("the tracing subscriber is set once");
    let raw_provider = common::sdk_logger_provider();
    let logger = raw_provider.logger("bench");

    let mut group = c.benchmark_group("event");
    group.bench_function("signalry_emit", |b| b.iter(|| signalry_emit(black_box(7))));
    group.bench_function("tracing_appender", |b| {
        b.iter(|| tracing_appender(black_box(7)))
    });
    group.bench_function("raw_otel", |b| b.iter(|| raw_otel(&logger, black_box(7))));
    group.finish();
    c.final_summary();
}
