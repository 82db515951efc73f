fn main() {
    signalry::histogram!("db.query.duration", 0.5, unit = "s");
    signalry::histogram!("db.query.duration", 500.0, unit = "ms");
}
