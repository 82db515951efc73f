fn main() {
    signalry::counter!("Requests_total", 1, unit = "µs", attributes(a = 1, a = 2), allow(nothing));
}
