#[signalry::traced(kind = sideways, fields(%request.id))]
fn handler(request: u64) -> u64 {
    request
}

fn main() {
    let _ = handler(1);
}
