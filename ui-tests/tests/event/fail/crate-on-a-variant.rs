#[derive(signalry::TelemetryEvent)]
enum JobEvent {
    #[event(crate = ::signalry)]
    Started { id: u64 },
}

fn main() {}
