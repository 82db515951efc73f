fn main() {
    signalry::counter!("legacy_requests", 1, allow(namespaces));
}
