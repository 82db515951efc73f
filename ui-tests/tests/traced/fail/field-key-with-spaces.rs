#[signalry::traced(fields("a b" = 1))]
fn handler() {}

fn main() {
    handler();
}
