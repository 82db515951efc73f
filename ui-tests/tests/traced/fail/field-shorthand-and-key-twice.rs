#[signalry::traced(fields(user, user = 2))]
fn handler(user: u64) -> u64 {
    user
}

fn main() {
    let _ = handler(1);
}
