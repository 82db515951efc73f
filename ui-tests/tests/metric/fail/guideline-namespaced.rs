fn main() {
    signalry::counter!("requests", 1);
}
