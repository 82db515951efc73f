use signalry::otel::trace::SpanContext;

#[signalry::traced(root, parent = SpanContext::empty_context())]
fn handler() {}

fn main() {
    handler();
}
