#[signalry::traced(kind = sideways)]
fn handler() {}

fn main() {
    handler();
}
