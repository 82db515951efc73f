struct Request {
    id: u64,
}

#[signalry::traced(fields(%request.id))]
fn handler(request: &Request) -> u64 {
    request.id
}

fn main() {
    let _ = handler(&Request { id: 1 });
}
