struct Service;

#[signalry::traced]
impl Service {
    fn call(&self) -> u32 {
        1
    }
}

fn main() {
    let _ = Service.call();
}
