//! A call site keeps working across a second `init`: it records into the new pipeline, never
//! into the shut-down one. In a binary of its own, since it starts and stops pipelines.

use signalry_tests::console::metrics_summary;

fn record(n: u64) {
    signalry::counter!("reinit.events", n, unit = "{event}");
}

#[test]
fn a_call_site_follows_a_new_pipeline() {
    let first = metrics_summary(|| record(2));
    assert!(first.contains("reinit.events"), "{first}");

    let second = metrics_summary(|| {
        record(5);
        record(1);
    });
    let line = second
        .lines()
        .find(|l| l.contains("reinit.events"))
        .unwrap_or_else(|| panic!("the second pipeline saw nothing: {second}"));
    assert!(line.trim_end().ends_with(" 6"), "{line}");
}
