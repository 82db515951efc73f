#[derive(signalry::TelemetryEvent)]
#[event(name = "job.started", count = "jobs.started")]
struct Started {
    #[event(rename = "job.id")]
    id: i64,
}

fn main() {}
