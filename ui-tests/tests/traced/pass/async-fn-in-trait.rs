//! Native `async fn` in traits: default methods and implementations.

use std::future::Future;

trait Repository {
    async fn load(&self, id: u64) -> Option<String>;

    #[signalry::traced]
    async fn load_or(&self, id: u64, fallback: &str) -> String {
        self.load(id).await.unwrap_or_else(|| fallback.to_owned())
    }
}

struct Memory;

impl Repository for Memory {
    #[signalry::traced(kind = client, fields(db.system.name = "memory"))]
    async fn load(&self, id: u64) -> Option<String> {
        (id == 1).then(|| "one".to_owned())
    }
}

/// A trait whose futures must be `Send`, implemented with `async fn`: the span must not make
/// them `!Send`.
trait SendRepository: Sync {
    fn fetch(&self, id: u64) -> impl Future<Output = Result<String, std::io::Error>> + Send;
}

impl SendRepository for Memory {
    #[signalry::traced(err)]
    async fn fetch(&self, id: u64) -> Result<String, std::io::Error> {
        if id == 0 {
            return Err(std::io::Error::other("no such id"));
        }
        Ok(id.to_string())
    }
}

struct Generic<T>(T);

impl<T: Send + Sync + Clone> Repository for Generic<T> {
    #[signalry::traced(skip_all)]
    async fn load(&self, _id: u64) -> Option<String> {
        let _ = self.0.clone();
        None
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    drop(Memory.load(1));
    drop(Memory.load_or(2, "none"));
    drop(assert_send(Memory.fetch(0)));
    drop(Generic(1).load(1));
}
