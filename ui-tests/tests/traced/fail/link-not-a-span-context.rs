#[signalry::traced(link = "trace-id")]
fn handler() {}

fn main() {
    handler();
}
