#[signalry::traced(name = "first", name = "second")]
fn handler() {}

fn main() {
    handler();
}
