#[signalry::traced(skip(user, nope))]
fn handler(user: u64, order: u64) -> u64 {
    user + order
}

fn main() {
    let _ = handler(1, 2);
}
