fn main() {
    let _observation = signalry::observable_gauge!(
        "queue.fill.ratio",
        |observer| observer.observe(0.5, &[]),
        attributes(queue.name = "jobs")
    );
}
