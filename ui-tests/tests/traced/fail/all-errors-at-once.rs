#[signalry::traced(nmae = "typo", kind = sideways, name = "a", name = "b")]
fn handler() {}

fn main() {
    handler();
}
