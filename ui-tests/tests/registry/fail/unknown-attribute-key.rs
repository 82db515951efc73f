fn main() {
    signalry::histogram!("db.query.duration", 0.5, unit = "s", attributes(db.system.nmae = "postgresql"));
}
