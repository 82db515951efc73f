//! The README's first command: `cargo run --example quickstart`.
//!
//! With nothing configured, the spans print to the console as a tree, and the metrics as a
//! summary at exit; the metrics are checked at compile time against `telemetry.yaml`. Point it at a collector
//! and the same spans go out over OTLP:
//!
//! ```text
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 cargo run --example quickstart
//! ```

use std::fmt;
use std::time::Duration;

/// Why an order could not be charged.
#[derive(Debug)]
struct CardDeclined {
    order_id: u64,
}

impl fmt::Display for CardDeclined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "card declined for order {}", self.order_id)
    }
}

impl std::error::Error for CardDeclined {}

#[signalry::traced(name = "orders.handle", kind = server)]
#[signalry::metric(counter, name = "orders.handled", unit = "{order}", attributes(order.channel = "web"))]
#[signalry::metric(histogram, name = "orders.handle.duration")]
async fn handle_order(order_id: u64) -> Result<u32, CardDeclined> {
    let items = check_stock(order_id).await;
    charge(order_id, items)?;
    Ok(items)
}

#[signalry::traced]
async fn check_stock(order_id: u64) -> u32 {
    tokio::time::sleep(Duration::from_millis(3)).await;
    u32::try_from(order_id % 5).unwrap_or(0) + 1
}

#[signalry::traced(kind = client)]
fn charge(order_id: u64, items: u32) -> Result<(), CardDeclined> {
    std::thread::sleep(Duration::from_millis(u64::from(items)));
    if order_id.is_multiple_of(2) {
        return Err(CardDeclined { order_id });
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    // Reads the OTEL_* variables; with none set, telemetry goes to the console (stderr).
    let _telemetry = signalry::builder()
        .service_name("quickstart")
        .service_version(env!("CARGO_PKG_VERSION"))
        .init();

    for order_id in [1, 2] {
        match handle_order(order_id).await {
            Ok(items) => println!("order {order_id}: {items} item(s) charged"),
            Err(error) => println!("order {order_id}: {error}"),
        }
    }
    // Dropping `_telemetry` here flushes every span before the program exits.
}
