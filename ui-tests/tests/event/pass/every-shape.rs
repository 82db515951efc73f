//! Every supported event shape: named structs, tuple structs with keys, generics and
//! lifetimes, enums with struct, tuple and unit variants, every field option, flattened
//! fields, counted events.

use signalry::TelemetryEvent as _;

#[derive(signalry::TelemetryEvent)]
#[event(name = "order.failed", severity = error, body = "order {order_id} failed: {reason}")]
struct OrderFailed<'a> {
    #[event(rename = "order.id")]
    order_id: u64,
    reason: &'a str,
    #[event(display)]
    amount: f64,
    #[event(debug)]
    items: Vec<(u32, u8)>,
    #[event(redact)]
    card_number: &'a str,
    #[event(truncate = 1024)]
    stderr: String,
    coupon: Option<String>,
    tags: Vec<&'a str>,
    #[event(skip)]
    _internal: (),
}

#[derive(signalry::TelemetryEvent)]
#[event(name = "job.done", severity = debug)]
struct JobDone(#[event(rename = "job.id")] u64, #[event(skip)] ());

#[derive(signalry::TelemetryEvent)]
struct Measured<T: std::fmt::Display> {
    #[event(display)]
    value: T,
}

mod reexport {
    pub use ::signalry;
}

#[derive(signalry::TelemetryEvent)]
#[event(crate = reexport::signalry)]
struct ThroughAReexport {
    ok: bool,
}

#[derive(signalry::TelemetryEvent)]
#[event(name = "job", severity = warn, count = "jobs.events")]
enum JobEvent<'a, T: std::fmt::Debug> {
    Started {
        #[event(rename = "job.id", count_by)]
        id: u64,
    },
    #[event(severity = error, body = "job failed: {reason}")]
    Failed {
        #[event(rename = "job.id", count_by)]
        id: u64,
        reason: &'a str,
        #[event(debug)]
        detail: T,
    },
    #[event(name = "job.gave_up", count = "jobs.abandoned")]
    Abandoned(#[event(rename = "job.id")] u64),
    Idle,
}

/// A legacy counter name, opted out of the guideline it breaks.
#[derive(signalry::TelemetryEvent)]
#[event(count = "logins", allow(namespaced))]
struct LoggedIn {
    #[event(count_by)]
    region: &'static str,
}

#[derive(signalry::TelemetryEvent)]
#[event(nested)]
struct Peer {
    address: String,
}

#[derive(signalry::TelemetryEvent)]
#[event(count = "requests.done")]
struct RequestDone<'a> {
    #[event(flatten)]
    peer: Peer,
    #[event(flatten, rename = "proxy")]
    via: Option<&'a Peer>,
    #[event(flatten)]
    job: JobEvent<'a, u8>,
    #[event(count_by, display)]
    outcome: &'a str,
}

fn main() {
    LoggedIn { region: "eu" }.emit();
    let peer = Peer {
        address: "10.0.0.1".to_owned(),
    };
    RequestDone {
        peer: Peer {
            address: "10.0.0.2".to_owned(),
        },
        via: Some(&peer),
        job: JobEvent::Idle,
        outcome: "ok",
    }
    .emit();
    let failed = JobEvent::Failed {
        id: 1,
        reason: "disk full",
        detail: 42,
    };
    failed.emit();
    let others: [JobEvent<'_, ()>; 3] = [
        JobEvent::Started { id: 1 },
        JobEvent::Abandoned(1),
        JobEvent::Idle,
    ];
    for event in &others {
        event.emit();
    }
    OrderFailed {
        order_id: 1,
        reason: "declined",
        amount: 9.5,
        items: vec![(1, 2)],
        card_number: "4111",
        stderr: String::new(),
        coupon: None,
        tags: vec!["a"],
        _internal: (),
    }
    .emit();
    JobDone(3, ()).emit();
    Measured { value: 2.5 }.emit();
    ThroughAReexport { ok: true }.emit();
}
