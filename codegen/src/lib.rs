//! Code generator for `d365fo-odata`.
//!
//! Reads an OData v4 CSDL document (`$metadata`) and emits typed Rust bindings for the entity sets,
//! singletons and operations a user selects.
//!
//! - [`csdl`] reads the XML into a typed, indexed model.
//! - [`select`] computes what a chosen set of entity sets and operations needs.
//! - [`generator`] emits the Rust bindings: [`Generator`] is the `build.rs` and CLI entry point.
//! - [`synthetic`] writes a full-scale F&O-shaped document for benchmarks and stress tests.
//! - [`config`] reads `d365fo-codegen.toml`; [`list`] and [`diff`] explore and compare documents;
//!   `fetch` (feature `fetch`) downloads `$metadata` from an environment.

pub mod config;
pub mod csdl;
pub mod diff;
mod emit;
#[cfg(feature = "fetch")]
pub mod fetch;
pub mod generator;
pub mod list;
pub mod select;
pub mod suggest;
pub mod synthetic;

pub use config::{Config, Profile};
pub use generator::{GenerateError, Generated, Generator};
pub use select::Selection;
