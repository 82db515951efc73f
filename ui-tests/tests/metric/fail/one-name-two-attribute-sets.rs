#[signalry::metric(counter, name = "orders.handled", attributes(channel = "web"))]
fn handle_web() {}

fn main() {
    handle_web();
    signalry::counter!("orders.handled", 1, attributes(channel = "api", region = "eu"));
}
