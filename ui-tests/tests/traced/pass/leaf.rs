//! `leaf` on every function shape: the span is recorded but never made current, and the
//! futures of async leaf functions stay `Send`.

use std::future::Future;

#[signalry::traced(leaf)]
fn sync_leaf(x: u64) -> u64 {
    x + 1
}

#[signalry::traced(leaf, err, ret)]
fn sync_leaf_result(input: &str) -> Result<u32, std::num::ParseIntError> {
    let n = input.trim().parse()?;
    Ok(n)
}

#[signalry::traced(leaf, err)]
async fn async_leaf(id: u64) -> Result<u64, String> {
    if id == 0 {
        return Err("no id".to_owned());
    }
    Ok(id)
}

#[signalry::traced(leaf, ret)]
fn returns_future(id: u64) -> impl Future<Output = u64> + Send {
    async move { id * 2 }
}

#[signalry::traced(leaf, root, kind = client, name = "cache.get")]
fn every_other_option(key: &str) -> usize {
    key.len()
}

struct Store {
    hits: u64,
}

impl Store {
    #[signalry::traced(leaf)]
    fn hit(&mut self) -> u64 {
        self.hits += 1;
        self.hits
    }

    #[signalry::traced(leaf, ret)]
    async fn hits(&self) -> u64 {
        self.hits
    }
}

#[async_trait::async_trait]
trait Lookup {
    async fn lookup(&self, key: u64) -> Option<u64>;
}

#[async_trait::async_trait]
impl Lookup for Store {
    #[signalry::traced(leaf, ret)]
    async fn lookup(&self, key: u64) -> Option<u64> {
        (key < self.hits).then_some(key)
    }
}

fn send<T: Send>(value: T) -> T {
    value
}

fn main() {
    let _ = sync_leaf(1);
    let _ = sync_leaf_result("7");
    let _ = every_other_option("k");
    let mut store = Store { hits: 0 };
    let _ = store.hit();
    drop(send(async_leaf(1)));
    drop(send(returns_future(2)));
    drop(send(store.hits()));
    drop(send(store.lookup(3)));
}
