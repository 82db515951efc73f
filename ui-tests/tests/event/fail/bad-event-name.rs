#[derive(signalry::TelemetryEvent)]
#[event(name = "order failed")]
struct OrderFailed {
    id: u64,
}

fn main() {}
