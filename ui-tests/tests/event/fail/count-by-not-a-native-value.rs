struct Region;

#[derive(signalry::TelemetryEvent)]
#[event(count = "auth.logins")]
struct LoggedIn {
    #[event(count_by)]
    region: Region,
}

fn main() {}
