#[derive(signalry::TelemetryEvent)]
#[event(body = "job {id}")]
enum JobEvent {
    Started { id: u64 },
}

fn main() {}
