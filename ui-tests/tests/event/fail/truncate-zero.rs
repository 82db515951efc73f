#[derive(signalry::TelemetryEvent)]
struct Ran {
    #[event(truncate = 0)]
    stdout: String,
}

fn main() {}
