fn main() {
    signalry::counter!("orders.created", 1, attributes(items = vec![1, 2]));
}
