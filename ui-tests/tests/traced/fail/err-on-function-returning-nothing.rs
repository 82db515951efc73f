#[signalry::traced(err)]
fn handler() {}

fn main() {
    handler();
}
