//! Misusing typed queries is a compile error: each file under tests/compile_fail/ must fail to
//! build with the error recorded next to it.

#[test]
fn type_misuse_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/compile_fail/*.rs");
}
