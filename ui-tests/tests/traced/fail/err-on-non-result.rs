#[signalry::traced(err)]
fn handler() -> u32 {
    42
}

fn main() {
    let _ = handler();
}
