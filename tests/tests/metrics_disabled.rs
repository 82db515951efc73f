//! With telemetry off (no `init`, no capture), a recording costs no evaluation of its value or
//! attributes. In a binary of its own: a capture elsewhere would turn telemetry on.

use std::cell::Cell;

#[test]
fn values_and_attributes_are_not_evaluated_when_telemetry_is_off() {
    let evaluated = Cell::new(0);
    let count = || {
        evaluated.set(evaluated.get() + 1);
        1
    };
    let label = || {
        evaluated.set(evaluated.get() + 1);
        "x"
    };
    signalry::counter!("work.done", count(), attributes(label = label()));
    assert_eq!(evaluated.get(), 0);
}
