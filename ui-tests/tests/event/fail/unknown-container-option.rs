#[derive(signalry::TelemetryEvent)]
#[event(colour = "red")]
struct OrderFailed {
    id: u64,
}

fn main() {}
