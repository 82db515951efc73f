#[signalry::traced(crate = "signalry")]
fn handler() {}

fn main() {
    handler();
}
