fn main() {
    signalry::counter!("orders.created");
}
