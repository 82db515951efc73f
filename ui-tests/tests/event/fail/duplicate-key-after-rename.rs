#[derive(signalry::TelemetryEvent)]
struct OrderFailed {
    #[event(rename = "order.id")]
    id: u64,
    #[event(rename = "order.id")]
    legacy_id: u64,
}

fn main() {}
