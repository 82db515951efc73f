#[derive(signalry::TelemetryEvent)]
#[event(count = "auth.logins")]
struct LoggedIn {
    #[event(count_by, redact)]
    user: String,
}

fn main() {}
