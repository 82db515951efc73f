#[signalry::metric(counter)]
struct Work;

fn main() {}
