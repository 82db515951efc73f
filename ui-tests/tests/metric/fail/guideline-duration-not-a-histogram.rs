fn main() {
    signalry::gauge!("job.duration", 1.0, unit = "s");
}
