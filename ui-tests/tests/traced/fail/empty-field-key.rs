#[signalry::traced(fields("" = 1))]
fn handler() {}

fn main() {
    handler();
}
