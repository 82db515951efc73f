fn main() {
    signalry::histogram!("job.duration", 1.0, unit = "min");
}
