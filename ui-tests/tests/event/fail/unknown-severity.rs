#[derive(signalry::TelemetryEvent)]
#[event(severity = loud)]
struct OrderFailed {
    id: u64,
}

fn main() {}
