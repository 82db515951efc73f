//! Every variant of an event enum declared, its counter declared with its attribute, and an
//! event whose flattened field gives the attributes declared under its prefix.

use signalry::TelemetryEvent as _;

#[derive(signalry::TelemetryEvent)]
#[event(name = "job", count = "jobs.events")]
enum JobEvent {
    Started {
        #[event(rename = "job.id")]
        id: i64,
        #[event(rename = "job.outcome", count_by)]
        outcome: &'static str,
    },
    Failed {
        #[event(rename = "job.id")]
        id: i64,
        #[event(rename = "job.outcome", count_by)]
        outcome: &'static str,
    },
}

#[derive(signalry::TelemetryEvent)]
#[event(nested)]
struct Request {
    method: &'static str,
}

#[derive(signalry::TelemetryEvent)]
struct RequestDone {
    #[event(flatten, rename = "http.request")]
    request: Request,
    outcome: &'static str,
}

fn main() {
    JobEvent::Started { id: 1, outcome: "running" }.emit();
    JobEvent::Failed { id: 1, outcome: "failed" }.emit();
    RequestDone { request: Request { method: "GET" }, outcome: "ok" }.emit();
}
