#[signalry::traced(nmae = "typo")]
fn handler() {}

fn main() {
    handler();
}
