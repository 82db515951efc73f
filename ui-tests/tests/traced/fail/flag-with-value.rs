#[signalry::traced(err = true)]
fn handler() -> Result<(), std::io::Error> {
    Ok(())
}

fn main() {
    let _ = handler();
}
