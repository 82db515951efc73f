fn main() {
    signalry::counter!("orders.created", 1, unit = "{order}", unit = "1");
}
