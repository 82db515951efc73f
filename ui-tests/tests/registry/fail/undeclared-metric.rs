fn main() {
    signalry::counter!("orders.craeted", 1, unit = "{order}", attributes(order.kind = "express"));
}
