#[signalry::traced(fields(?request))]
fn handler(id: u64) -> u64 {
    id
}

fn main() {
    let _ = handler(1);
}
