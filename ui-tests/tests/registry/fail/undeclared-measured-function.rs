#[signalry::metric(counter)]
fn handle() {}

fn main() {
    handle();
}
