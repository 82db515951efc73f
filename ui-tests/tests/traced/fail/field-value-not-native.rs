#[signalry::traced(fields(v = vec![1]))]
fn handler() {}

fn main() {
    handler();
}
