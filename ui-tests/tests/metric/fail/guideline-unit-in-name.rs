fn main() {
    signalry::histogram!("db.query.duration_ms", 1.0, unit = "ms");
}
