fn main() {
    signalry::histogram!("db.query.duration", 12.0, unit = "ms");
}
