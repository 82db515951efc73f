#[signalry::metric(gauge)]
fn work() {}

fn main() {}
