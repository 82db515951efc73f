#[allow(non_snake_case)]
#[signalry::metric(counter)]
fn HandleOrder() {}

fn main() {}
