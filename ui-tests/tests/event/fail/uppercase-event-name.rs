#[derive(signalry::TelemetryEvent)]
#[event(name = "Order.Failed")]
struct OrderFailed {
    id: u64,
}

fn main() {}
