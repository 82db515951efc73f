#[derive(signalry::TelemetryEvent)]
enum Outcome {
    Ok,
    Failed,
}

fn main() {}
