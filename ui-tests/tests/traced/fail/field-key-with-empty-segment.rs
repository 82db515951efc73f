#[signalry::traced(fields("http..route" = "/"))]
fn handler() {}

fn main() {
    handler();
}
