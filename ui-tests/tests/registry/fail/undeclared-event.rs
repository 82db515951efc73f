#[derive(signalry::TelemetryEvent)]
#[event(name = "order.faild")]
struct OrderFailed {
    #[event(rename = "order.id")]
    id: u64,
}

fn main() {}
