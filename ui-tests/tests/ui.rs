//! Compile-time behaviour of the macros: every error they can give (`*/fail/`, one file per
//! error, with the expected message beside it) and every supported shape (`*/pass/`).

#[test]
fn traced() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/traced/fail/*.rs");
    cases.pass("tests/traced/pass/*.rs");
}

#[test]
fn metric() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/metric/fail/*.rs");
    cases.pass("tests/metric/pass/*.rs");
}

#[test]
fn event() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/event/fail/*.rs");
    cases.pass("tests/event/pass/*.rs");
}
