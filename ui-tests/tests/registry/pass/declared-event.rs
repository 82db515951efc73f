//! An event declared in the registry, with its required attribute.

use signalry::TelemetryEvent as _;

#[derive(signalry::TelemetryEvent)]
#[event(name = "order.failed", severity = error)]
struct OrderFailed {
    #[event(rename = "order.id")]
    id: u64,
    #[event(rename = "order.kind")]
    kind: String,
}

fn main() {
    OrderFailed { id: 1, kind: "express".to_owned() }.emit();
}
