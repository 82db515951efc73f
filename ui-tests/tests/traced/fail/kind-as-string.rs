#[signalry::traced(kind = "server")]
fn handler() {}

fn main() {
    handler();
}
