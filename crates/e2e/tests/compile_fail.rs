//! What the generated SDKs must not let compile, pinned with trybuild: a wrong value for a
//! constant of the API, and a call without a required argument. The expected compiler
//! messages are in `tests/compile_fail/*.stderr` (`TRYBUILD=overwrite` rewrites them).

#[test]
fn mistakes_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}
