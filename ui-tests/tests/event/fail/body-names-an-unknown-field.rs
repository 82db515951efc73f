#[derive(signalry::TelemetryEvent)]
#[event(body = "order {order} failed")]
struct OrderFailed {
    id: u64,
}

fn main() {}
