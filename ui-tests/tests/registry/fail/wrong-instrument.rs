fn main() {
    signalry::gauge!("queue.size", 3.0, unit = "{item}");
}
