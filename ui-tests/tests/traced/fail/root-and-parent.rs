#[signalry::traced(root, parent = signalry::otel::trace::SpanContext::empty_context())]
fn handler() {}

fn main() {
    handler();
}
