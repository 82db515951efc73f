//! Generic parameters, lifetimes, const generics, where clauses and `impl Trait` arguments and
//! returns all keep working.

use std::fmt::{Debug, Display};

#[signalry::traced]
fn identity<T>(value: T) -> T {
    value
}

#[signalry::traced(ret)]
fn debug_ret<T: Debug + Clone>(value: &T) -> T {
    value.clone()
}

#[signalry::traced]
fn longest<'a, 'b: 'a>(left: &'a str, right: &'b str) -> &'a str {
    if left.len() >= right.len() {
        left
    } else {
        right
    }
}

#[signalry::traced]
fn first_n<const N: usize>(items: [u8; N]) -> usize {
    items.len()
}

#[signalry::traced(err, ret)]
fn parse_all<I, T>(inputs: I) -> Result<Vec<T>, T::Err>
where
    I: IntoIterator,
    I::Item: AsRef<str>,
    T: std::str::FromStr + Debug,
    T::Err: Display,
{
    let mut out = Vec::new();
    for input in inputs {
        out.push(input.as_ref().parse()?);
    }
    Ok(out)
}

#[signalry::traced]
fn describe(label: impl Display, value: impl Debug) -> String {
    format!("{label}: {value:?}")
}

#[signalry::traced(ret)]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[signalry::traced]
fn borrowed_iter<'a>(items: &'a [u32]) -> impl Iterator<Item = &'a u32> + 'a {
    items.iter()
}

#[signalry::traced]
fn dyn_arg(writer: &mut dyn std::fmt::Write, text: &str) -> std::fmt::Result {
    writer.write_str(text)
}

#[signalry::traced]
fn boxed_closure<F>(f: F) -> Box<dyn Fn(u32) -> u32>
where
    F: Fn(u32) -> u32 + 'static,
{
    Box::new(f)
}

#[signalry::traced]
async fn async_generic<T: Send + Debug>(value: T) -> T {
    value
}

#[signalry::traced(err)]
async fn async_where<E>(fail: bool, error: E) -> Result<(), E>
where
    E: std::error::Error + Send,
{
    if fail {
        return Err(error);
    }
    Ok(())
}

fn main() {
    let _ = identity(1_u8);
    let _ = debug_ret(&vec![1, 2]);
    let _ = longest("a", "bc");
    let _ = first_n([1, 2, 3]);
    let _: Result<Vec<u32>, _> = parse_all(["1", "2"]);
    let _ = describe("x", [1]);
    let _ = evens(10).count();
    let _ = borrowed_iter(&[1, 2]).count();
    let mut text = String::new();
    let _ = dyn_arg(&mut text, "hi");
    let _ = boxed_closure(|n| n + 1)(1);
    drop(async_generic("v"));
    drop(async_where(false, std::fmt::Error));
}
