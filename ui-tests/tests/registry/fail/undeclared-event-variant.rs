#[derive(signalry::TelemetryEvent)]
#[event(name = "job")]
enum JobEvent {
    Started {
        #[event(rename = "job.id")]
        id: i64,
    },
    Retried {
        #[event(rename = "job.id")]
        id: i64,
    },
}

fn main() {}
