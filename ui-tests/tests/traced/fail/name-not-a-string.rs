#[signalry::traced(name = handler)]
fn handler() {}

fn main() {
    handler();
}
