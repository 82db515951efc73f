#[signalry::metric(counter, name = "a.b", name = "c.d")]
fn work() {}

fn main() {}
