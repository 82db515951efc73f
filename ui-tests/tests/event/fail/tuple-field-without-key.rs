#[derive(signalry::TelemetryEvent)]
struct JobDone(u64);

fn main() {}
