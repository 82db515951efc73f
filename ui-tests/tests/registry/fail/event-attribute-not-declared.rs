#[derive(signalry::TelemetryEvent)]
#[event(name = "order.failed")]
struct OrderFailed {
    #[event(rename = "order.id")]
    id: u64,
    #[event(rename = "order.knd")]
    kind: String,
}

fn main() {}
