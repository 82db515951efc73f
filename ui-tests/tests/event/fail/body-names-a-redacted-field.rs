#[derive(signalry::TelemetryEvent)]
#[event(body = "login as {password}")]
struct Login {
    #[event(redact)]
    password: String,
}

fn main() {}
