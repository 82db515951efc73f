//! Functions that return a future they build from a trailing `async move {}` block, or a boxed
//! one: the span starts at the call and ends with the future.

use std::future::Future;
use std::pin::Pin;

#[signalry::traced]
fn plain(id: u64) -> impl Future<Output = u64> {
    let doubled = id * 2;
    async move { doubled }
}

#[signalry::traced(err, ret)]
fn fallible(id: u64) -> impl Future<Output = Result<u64, std::io::Error>> + Send {
    async move {
        if id == 0 {
            return Err(std::io::Error::other("zero"));
        }
        let parsed: u64 = "7".parse().map_err(std::io::Error::other)?;
        Ok(parsed + id)
    }
}

#[signalry::traced]
fn boxed(id: u64) -> Pin<Box<dyn Future<Output = String> + Send>> {
    Box::pin(async move { id.to_string() })
}

#[signalry::traced(err)]
fn boxed_fallible(id: u64) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'static>> {
    Box::pin(async move {
        if id == 0 {
            Err("zero".to_owned())
        } else {
            Ok(())
        }
    })
}

struct Client {
    base: String,
}

impl Client {
    #[signalry::traced(fields(base = %self.base))]
    fn get<'a>(&'a self, path: &'a str) -> impl Future<Output = String> + Send + 'a {
        let base = &self.base;
        async move { format!("{base}{path}") }
    }

    #[signalry::traced(ret)]
    fn len(&self) -> impl Future<Output = usize> + '_ {
        async move { self.base.len() }
    }
}

#[signalry::traced]
fn generic<T: Send + 'static>(value: T) -> impl Future<Output = T> + Send {
    async move { value }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    drop(assert_send(plain(1)));
    drop(assert_send(fallible(1)));
    drop(assert_send(boxed(1)));
    drop(boxed_fallible(0));
    let client = Client {
        base: "http://localhost".to_owned(),
    };
    drop(assert_send(client.get("/")));
    drop(client.len());
    drop(assert_send(generic(1_u8)));
}
