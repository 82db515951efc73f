//! `#[metric]` on every function shape, alone and beside `#[traced]`.

use std::future::Future;

#[derive(Debug)]
pub struct Failure;

#[signalry::metric(counter)]
#[signalry::metric(histogram)]
#[signalry::metric(updown)]
fn free(x: u32) -> Result<u32, Failure> {
    if x == 0 {
        return Err(Failure);
    }
    Ok(x)
}

pub struct Service {
    calls: u32,
}

impl Service {
    #[signalry::traced]
    #[signalry::metric(counter, name = "service.calls", attributes(service.kind = "test"))]
    fn by_ref(&self) -> u32 {
        self.calls
    }

    #[signalry::metric(histogram, name = "service.fetch.duration", unit = "ms")]
    async fn fetch(&mut self) -> std::io::Result<u32> {
        self.calls += 1;
        Ok(self.calls)
    }

    #[signalry::metric(updown, name = "service.work.active")]
    fn returns_future(&self) -> impl Future<Output = u32> + '_ {
        async move { self.calls }
    }
}

#[async_trait::async_trait]
pub trait Store {
    async fn load(&self, id: u64) -> Result<u64, Failure>;
}

#[async_trait::async_trait]
impl Store for Service {
    #[signalry::metric(counter, name = "store.loads")]
    async fn load(&self, id: u64) -> Result<u64, Failure> {
        Ok(id + u64::from(self.calls))
    }
}

/// Never returns: the call ends through unwinding.
#[signalry::metric(counter, name = "crash.calls")]
#[allow(dead_code)]
fn crash() -> ! {
    panic!("always")
}

/// Returns a borrow, and returns early.
#[signalry::metric(counter, name = "lookup.calls")]
#[signalry::metric(histogram, name = "lookup.duration")]
fn lookup(names: &[String], i: usize) -> &str {
    if i >= names.len() {
        return "";
    }
    &names[i]
}

fn main() {
    let _ = lookup(&[], 0);
    let _ = free(1);
    let mut service = Service { calls: 0 };
    let _ = service.by_ref();
    let _ = service.fetch();
    let _ = service.returns_future();
    let _ = service.load(1);
}
