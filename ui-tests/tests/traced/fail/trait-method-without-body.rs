trait Service {
    #[signalry::traced]
    fn call(&self) -> u32;
}

struct Echo;

impl Service for Echo {
    fn call(&self) -> u32 {
        1
    }
}

fn main() {
    let _ = Echo.call();
}
