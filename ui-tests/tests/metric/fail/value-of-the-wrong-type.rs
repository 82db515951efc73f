fn main() {
    signalry::counter!("orders.created", -1);
}
