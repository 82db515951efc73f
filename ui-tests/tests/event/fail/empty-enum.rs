#[derive(signalry::TelemetryEvent)]
enum Never {}

fn main() {}
