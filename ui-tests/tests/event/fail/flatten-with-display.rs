#[derive(signalry::TelemetryEvent)]
struct Http {
    method: String,
}

#[derive(signalry::TelemetryEvent)]
struct RequestDone {
    #[event(flatten, display)]
    http: Http,
}

fn main() {}
