#[derive(signalry::TelemetryEvent)]
struct Http {
    method: String,
}

#[derive(signalry::TelemetryEvent)]
struct RequestDone {
    #[event(flatten)]
    http: Http,
    #[event(rename = "http.method")]
    verb: String,
}

fn main() {}
