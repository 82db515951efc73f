//! Compile-time checks against a registry file: every metric used must be declared in it, with
//! its instrument, unit and attributes. In a test binary of its own because it points
//! `SIGNALRY_REGISTRY` at `tests/registry/telemetry.yaml` for everything it compiles.

#[test]
fn registry() {
    let registry = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/registry/telemetry.yaml");
    // Set before trybuild starts cargo, which passes it on to the compiler; nothing else in
    // this binary reads the environment.
    std::env::set_var("SIGNALRY_REGISTRY", registry);
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/registry/fail/*.rs");
    cases.pass("tests/registry/pass/*.rs");
}
