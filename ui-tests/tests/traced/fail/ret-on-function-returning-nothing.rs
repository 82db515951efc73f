#[signalry::traced(ret)]
fn handler() {}

fn main() {
    handler();
}
