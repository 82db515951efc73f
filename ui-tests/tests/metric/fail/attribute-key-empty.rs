fn main() {
    signalry::counter!("orders.created", 1, attributes("" = "a"));
}
