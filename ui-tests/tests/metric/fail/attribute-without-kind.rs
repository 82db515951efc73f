#[signalry::metric(name = "jobs.done")]
fn work() {}

fn main() {}
