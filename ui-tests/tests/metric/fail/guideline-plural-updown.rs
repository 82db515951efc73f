fn main() {
    signalry::updown!("queue.items", 1);
}
