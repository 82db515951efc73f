#[signalry::metric(histogram, unit = "By")]
fn work() {}

fn main() {}
