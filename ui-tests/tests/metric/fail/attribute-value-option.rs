fn main() {
    let region: Option<&str> = None;
    signalry::counter!("orders.created", 1, attributes(region = region));
}
