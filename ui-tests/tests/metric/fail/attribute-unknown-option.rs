#[signalry::metric(counter, units = "{call}")]
fn work() {}

fn main() {}
