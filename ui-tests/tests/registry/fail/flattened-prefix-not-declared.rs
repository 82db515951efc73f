#[derive(signalry::TelemetryEvent)]
#[event(nested)]
struct Peer {
    address: &'static str,
}

#[derive(signalry::TelemetryEvent)]
struct RequestDone {
    #[event(rename = "http.request.method")]
    method: &'static str,
    #[event(flatten)]
    peer: Peer,
}

fn main() {}
