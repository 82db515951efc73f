#[signalry::traced(skip(_body))]
fn handler(id: u64, _body: &[u8]) -> u64 {
    id
}

fn main() {
    let _ = handler(1, b"");
}
