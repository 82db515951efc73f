fn main() {
    signalry::counter!("Orders.Created", 1);
}
