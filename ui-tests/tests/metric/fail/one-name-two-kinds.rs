fn main() {
    signalry::counter!("queue.depth", 1);
    signalry::histogram!("queue.depth", 2.0);
}
