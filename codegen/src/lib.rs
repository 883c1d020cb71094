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
//!
//! One vocabulary runs through all of them: one [`Selection`] (what the [`Generator`] generates,
//! what [`diff`] compares, the configuration's `[select]`), one [`Profile`], one [`Config`] (read
//! by [`Generator::from_config`] in `build.rs` and by the command line, whose flags are laid over
//! it with [`Config::override_with`]).
//!
//! # Features
//!
//! The default features are what a build script needs (no network, credential or command-line
//! dependencies). `fetch` adds the `$metadata` download (through the runtime crate's client; tokio);
//! `cli` adds the `d365fo-codegen` binary and brings `fetch`
//! (`cargo install d365fo-odata-codegen --features cli`); `client-certificate` adds certificate
//! credentials to `fetch`.

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
