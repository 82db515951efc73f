struct Http {
    method: String,
}

#[derive(signalry::TelemetryEvent)]
struct RequestDone {
    #[event(flatten)]
    http: Http,
}

fn main() {}
