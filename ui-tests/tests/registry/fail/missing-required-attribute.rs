fn main() {
    signalry::counter!("orders.created", 1, unit = "{order}", attributes(payment.method = "card"));
}
