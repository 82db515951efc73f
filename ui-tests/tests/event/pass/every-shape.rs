//! Every supported event shape: named structs, tuple structs with keys, generics and
//! lifetimes, every field option.

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

fn main() {
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
