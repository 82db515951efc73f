#[signalry::traced(skip(user), skip_all)]
fn handler(user: u64) -> u64 {
    user
}

fn main() {
    let _ = handler(1);
}
