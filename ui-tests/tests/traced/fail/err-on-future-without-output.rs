use std::future::Future;

trait Fallible: Future {}
impl<F: Future> Fallible for F {}

#[signalry::traced(err)]
fn handler() -> impl Fallible {
    async move { Ok::<u32, std::io::Error>(1) }
}

fn main() {
    let _ = handler();
}
