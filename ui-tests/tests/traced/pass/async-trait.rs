//! Methods under `#[async_trait]`: the attribute goes on the trait or impl, `#[traced]` on the
//! method; the span covers the boxed future.

use async_trait::async_trait;

#[async_trait]
trait Service: Sync {
    async fn call(&self, id: u64) -> Option<String>;

    #[signalry::traced]
    async fn call_or(&self, id: u64, fallback: &str) -> String {
        self.call(id).await.unwrap_or_else(|| fallback.to_owned())
    }
}

struct Echo {
    prefix: String,
}

#[async_trait]
impl Service for Echo {
    #[signalry::traced(kind = server, fields(prefix = %self.prefix))]
    async fn call(&self, id: u64) -> Option<String> {
        if id == 0 {
            return None;
        }
        Some(format!("{}{id}", self.prefix))
    }
}

#[async_trait]
trait Fallible {
    async fn run(&mut self, input: &str) -> Result<u32, std::num::ParseIntError>;
}

#[async_trait]
impl Fallible for Echo {
    #[signalry::traced(err, ret)]
    async fn run(&mut self, input: &str) -> Result<u32, std::num::ParseIntError> {
        let n = input.parse()?;
        self.prefix.push('!');
        Ok(n)
    }
}

#[async_trait(?Send)]
trait Local {
    async fn local(&self) -> usize;
}

#[async_trait(?Send)]
impl Local for std::rc::Rc<String> {
    #[signalry::traced]
    async fn local(&self) -> usize {
        self.len()
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    let mut echo = Echo {
        prefix: "id-".to_owned(),
    };
    drop(assert_send(echo.call(1)));
    drop(assert_send(echo.call_or(0, "none")));
    drop(assert_send(echo.run("12")));
    drop(std::rc::Rc::new(String::from("x")).local());
}
