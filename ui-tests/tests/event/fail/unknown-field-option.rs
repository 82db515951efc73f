#[derive(signalry::TelemetryEvent)]
struct OrderFailed {
    #[event(compress)]
    id: u64,
}

fn main() {}
