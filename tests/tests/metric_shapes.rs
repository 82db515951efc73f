//! Across crates, one metric name with two shapes is reported at run time, and tests can
//! assert that it never happens. In a binary of its own: the report is process-wide.

use signalry::testing::{assert_consistent_metrics, capture, metric_conflicts};

#[test]
fn a_name_used_differently_by_two_crates_is_reported() {
    let ((), _) = capture(|| {
        signalry_tests::other_crate::count_work_items();
        signalry_tests::other_crate::count_work_items();
    });
    assert!(metric_conflicts().is_empty(), "{:?}", metric_conflicts());
    assert_consistent_metrics();

    // Within this crate `work.items` is used once, so the compiler cannot see the clash.
    let ((), _) = capture(|| signalry::histogram!("work.items", 0.5, unit = "s"));
    let conflicts = metric_conflicts();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert!(conflicts[0].contains("`work.items`"), "{}", conflicts[0]);
    assert!(
        conflicts[0].contains("a counter in `{item}`"),
        "{}",
        conflicts[0]
    );
    assert!(
        conflicts[0].contains("a histogram in `s`"),
        "{}",
        conflicts[0]
    );
    assert!(
        conflicts[0].contains("signalry_tests::other_crate"),
        "{}",
        conflicts[0]
    );
    let caught = std::panic::catch_unwind(assert_consistent_metrics);
    assert!(caught.is_err(), "assert_consistent_metrics must fail now");
}
