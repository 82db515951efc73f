#[derive(signalry::TelemetryEvent)]
enum JobEvent {
    Started {
        #[event(rename = "job.id")]
        id: u64,
        #[event(rename = "job.id")]
        other: u64,
    },
}

fn main() {}
