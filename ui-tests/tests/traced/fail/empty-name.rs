#[signalry::traced(name = "  ")]
fn handler() {}

fn main() {
    handler();
}
