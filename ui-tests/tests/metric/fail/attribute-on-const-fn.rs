#[signalry::metric(counter)]
const fn work() {}

fn main() {}
