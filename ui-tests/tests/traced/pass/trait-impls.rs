//! Methods of trait impls (std traits and the user's own), and default methods in traits.

use std::fmt;

struct Celsius(f64);

impl fmt::Display for Celsius {
    #[signalry::traced]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}°C", self.0)
    }
}

struct Countdown(u32);

impl Iterator for Countdown {
    type Item = u32;

    #[signalry::traced]
    fn next(&mut self) -> Option<Self::Item> {
        if self.0 == 0 {
            return None;
        }
        self.0 -= 1;
        Some(self.0)
    }
}

impl std::str::FromStr for Celsius {
    type Err = std::num::ParseFloatError;

    #[signalry::traced(err, ret)]
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.trim_end_matches("°C").parse()?))
    }
}

impl fmt::Debug for Celsius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Celsius({})", self.0)
    }
}

trait Store {
    type Key;

    fn get(&self, key: &Self::Key) -> Option<String>;

    #[signalry::traced]
    fn get_or_default(&self, key: &Self::Key) -> String {
        self.get(key).unwrap_or_default()
    }

    #[signalry::traced(name = "store.exists")]
    fn exists(&self, key: &Self::Key) -> bool
    where
        Self: Sized,
    {
        self.get(key).is_some()
    }
}

struct Memory;

impl Store for Memory {
    type Key = u64;

    #[signalry::traced(kind = client)]
    fn get(&self, key: &u64) -> Option<String> {
        (*key == 1).then(|| "one".to_owned())
    }
}

impl<T: Store + ?Sized> Store for Box<T> {
    type Key = T::Key;

    #[signalry::traced]
    fn get(&self, key: &Self::Key) -> Option<String> {
        (**self).get(key)
    }
}

impl Drop for Countdown {
    #[signalry::traced]
    fn drop(&mut self) {}
}

fn main() {
    let _ = Celsius(21.5).to_string();
    let _ = Countdown(3).count();
    let _: Result<Celsius, _> = "20°C".parse();
    let _ = Memory.get_or_default(&1);
    let _ = Memory.exists(&2);
    let boxed: Box<Memory> = Box::new(Memory);
    let _ = boxed.get(&1);
}
