fn main() {
    signalry::counter!("otel.sdk.spans", 1);
}
