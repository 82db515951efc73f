//! Every form of `self`, associated functions, and methods of generic types.

use std::pin::Pin;

#[derive(Debug, Clone, Default)]
struct Counter {
    count: u64,
}

impl Counter {
    #[signalry::traced]
    fn new(start: u64) -> Self {
        Self { count: start }
    }

    #[signalry::traced]
    fn by_value(self) -> u64 {
        self.count
    }

    #[signalry::traced]
    fn by_ref(&self) -> u64 {
        self.count
    }

    #[signalry::traced]
    fn by_mut(&mut self, step: u64) -> u64 {
        self.count += step;
        self.count
    }

    #[signalry::traced]
    fn by_mut_self(mut self, step: u64) -> Self {
        self.count += step;
        self
    }

    #[signalry::traced]
    fn boxed(self: Box<Self>) -> u64 {
        self.count
    }

    #[signalry::traced]
    fn pinned(self: Pin<&mut Self>) -> u64 {
        self.get_mut().count
    }

    #[signalry::traced]
    fn explicit_ref<'a>(self: &'a Self, other: &'a Self) -> &'a Self {
        if self.count >= other.count {
            self
        } else {
            other
        }
    }

    #[signalry::traced]
    async fn by_ref_async(&self) -> u64 {
        self.count
    }

    #[signalry::traced]
    async fn by_mut_async(&mut self, step: u64) -> u64 {
        self.count += step;
        self.count
    }

    #[signalry::traced]
    async fn by_value_async(self) -> u64 {
        self.count
    }
}

struct Wrapper<T> {
    inner: T,
}

impl<T: Clone + std::fmt::Debug> Wrapper<T> {
    #[signalry::traced(fields(inner = ?self.inner))]
    fn get(&self) -> T {
        self.inner.clone()
    }

    #[signalry::traced]
    fn replace(&mut self, value: T) -> T {
        std::mem::replace(&mut self.inner, value)
    }
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

fn main() {
    let mut counter = Counter::new(1);
    let _ = counter.by_ref();
    let _ = counter.by_mut(2);
    let _ = counter.clone().by_value();
    let counter = counter.by_mut_self(1);
    let _ = Box::new(counter.clone()).boxed();
    let mut pinned = counter.clone();
    let _ = Pin::new(&mut pinned).pinned();
    let other = Counter::default();
    let _ = counter.explicit_ref(&other);
    let mut async_counter = counter.clone();
    drop(assert_send(counter.by_ref_async()));
    drop(assert_send(async_counter.by_mut_async(1)));
    drop(assert_send(counter.by_value_async()));

    let mut wrapper = Wrapper { inner: "a" };
    let _ = wrapper.get();
    let _ = wrapper.replace("b");
}
