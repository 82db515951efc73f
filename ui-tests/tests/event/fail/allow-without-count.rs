#[derive(signalry::TelemetryEvent)]
#[event(allow(namespaced))]
struct LoggedIn {
    user: String,
}

fn main() {}
