//! Typed bindings for the local F&O-shaped sandbox, generated at build time from
//! `tests/sandbox/metadata.xml` by `d365fo-odata-codegen`.
//!
//! The integration tests and compile-fail tests of `d365fo-odata` use them as a user crate would.

include!(concat!(env!("OUT_DIR"), "/sandbox.rs"));
