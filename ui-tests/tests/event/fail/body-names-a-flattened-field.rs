#[derive(signalry::TelemetryEvent)]
struct Http {
    method: String,
}

#[derive(signalry::TelemetryEvent)]
#[event(body = "request {http} done")]
struct RequestDone {
    #[event(flatten)]
    http: Http,
}

fn main() {}
