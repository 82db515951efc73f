//! The function shapes of the first `#[traced]`: sync, async, `Result`, methods.

use std::fmt;

#[derive(Debug)]
struct Failure;

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("failure")
    }
}

#[signalry::traced]
fn sync_unit() {}

#[signalry::traced]
fn sync_value(a: u32, b: u32) -> u32 {
    a + b
}

#[signalry::traced]
fn sync_result(ok: bool) -> Result<u32, Failure> {
    if !ok {
        return Err(Failure);
    }
    Ok(1)
}

#[signalry::traced]
fn io_result(path: &str) -> std::io::Result<usize> {
    Ok(path.len())
}

#[signalry::traced(name = "async.value", kind = client)]
async fn async_value(x: u64) -> u64 {
    x * 2
}

#[signalry::traced]
async fn async_result(ok: bool) -> Result<(), Failure> {
    if ok {
        Ok(())
    } else {
        Err(Failure)
    }
}

struct Service {
    calls: u32,
}

impl Service {
    #[signalry::traced]
    fn by_ref(&self) -> u32 {
        self.calls
    }

    #[signalry::traced]
    fn by_mut(&mut self) -> Result<u32, Failure> {
        self.calls += 1;
        Ok(self.calls)
    }

    #[signalry::traced]
    async fn by_ref_async(&self) -> u32 {
        self.calls
    }
}

mod reexport {
    pub use ::signalry;
}

#[signalry::traced(crate = reexport::signalry)]
fn through_a_reexport() {}

fn main() {
    sync_unit();
    let _ = sync_value(1, 2);
    let _ = sync_result(true);
    let _ = io_result("x");
    let _ = async_value(1);
    let _ = async_result(true);
    let mut service = Service { calls: 0 };
    let _ = service.by_ref();
    let _ = service.by_mut();
    let _ = service.by_ref_async();
    through_a_reexport();
}
