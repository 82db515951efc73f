#[signalry::metric(counter, attributes(ids = vec![1]))]
fn work() {}

fn main() {}
