#[derive(signalry::TelemetryEvent)]
#[event(nested, name = "peer")]
struct Peer {
    address: String,
}

fn main() {}
