#[signalry::traced(parent = 5)]
fn handler() {}

fn main() {
    handler();
}
