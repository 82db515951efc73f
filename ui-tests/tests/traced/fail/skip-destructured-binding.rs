#[signalry::traced(skip(left))]
fn handler((left, right): (u64, u64)) -> u64 {
    left + right
}

fn main() {
    let _ = handler((1, 2));
}
