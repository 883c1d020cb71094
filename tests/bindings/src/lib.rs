//! Typed bindings for the local F&O-shaped sandbox, generated at build time from
//! `tests/sandbox/metadata.xml` by `d365fo-odata-codegen`.
//!
//! The integration tests and compile-fail tests of `d365fo-odata` use them as a user crate would.

include!(concat!(env!("OUT_DIR"), "/sandbox.rs"));

/// Bindings of `tests/compile_fail/write_rules.xml`: F&O write-model shapes the sandbox does
/// not serve (a read-only entity type, an optional non-nullable property, a create-only
/// property), for the compile-fail cases.
pub mod write_rules {
    include!(concat!(env!("OUT_DIR"), "/write_rules.rs"));
}
