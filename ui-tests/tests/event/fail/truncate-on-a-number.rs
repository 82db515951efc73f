#[derive(signalry::TelemetryEvent)]
struct Ran {
    #[event(truncate = 10)]
    status: i32,
}

fn main() {}
