fn main() {
    signalry::counter!("1orders.created", 1);
}
