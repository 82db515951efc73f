#[derive(signalry::TelemetryEvent)]
struct Login {
    #[event(redact, display)]
    password: String,
}

fn main() {}
