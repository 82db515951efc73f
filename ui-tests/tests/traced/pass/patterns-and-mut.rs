//! Destructuring patterns, `mut` bindings, `_` and `_unused` arguments.

#[derive(Debug, Clone, Copy)]
struct Point {
    x: i64,
    y: i64,
}

struct Pair(u32, u32);

#[signalry::traced]
fn tuple((left, right): (u32, u32)) -> u32 {
    left + right
}

#[signalry::traced]
fn structure(Point { x, y }: Point) -> i64 {
    x * y
}

#[signalry::traced]
fn tuple_struct(Pair(a, b): Pair) -> u32 {
    a * b
}

#[signalry::traced]
fn slice_ref(&[first, second]: &[u8; 2]) -> u8 {
    first.wrapping_add(second)
}

#[signalry::traced]
fn reference(&value: &u64) -> u64 {
    value
}

#[signalry::traced]
fn binding_with_subpattern(whole @ Point { x, .. }: Point) -> i64 {
    whole.y + x
}

#[signalry::traced]
fn mutable(mut count: u32, mut text: String) -> String {
    count += 1;
    text.push_str(&count.to_string());
    text
}

#[signalry::traced(err)]
fn mutable_with_err(mut attempts: u8) -> Result<u8, String> {
    while attempts > 0 {
        attempts -= 1;
    }
    if attempts == 0 {
        Ok(attempts)
    } else {
        Err("attempts left".to_owned())
    }
}

#[signalry::traced]
fn ignored(_: u32, _unused: &str, used: bool) -> bool {
    used
}

#[signalry::traced]
async fn async_patterns((a, mut b): (u32, u32), Point { x, .. }: Point) -> i64 {
    b += a;
    i64::from(b) + x
}

fn main() {
    let point = Point { x: 2, y: 3 };
    let _ = tuple((1, 2));
    let _ = structure(point);
    let _ = tuple_struct(Pair(2, 3));
    let _ = slice_ref(&[1, 2]);
    let _ = reference(&7);
    let _ = binding_with_subpattern(point);
    let _ = mutable(1, String::new());
    let _ = mutable_with_err(3);
    let _ = ignored(1, "x", true);
    drop(async_patterns((1, 2), point));
}
