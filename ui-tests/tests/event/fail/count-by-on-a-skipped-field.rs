#[derive(signalry::TelemetryEvent)]
#[event(count = "auth.logins")]
struct LoggedIn {
    #[event(count_by, skip)]
    region: String,
}

fn main() {}
