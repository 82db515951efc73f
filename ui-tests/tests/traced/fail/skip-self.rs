struct Service;

impl Service {
    #[signalry::traced(skip(self))]
    fn call(&self, n: u32) -> u32 {
        n
    }
}

fn main() {
    let _ = Service.call(1);
}
