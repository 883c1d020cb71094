//! [`GenerateError`]: why generation failed, worded for the person reading cargo's output.

use std::fmt;
use std::path::PathBuf;

use crate::config::ConfigError;
use crate::{csdl, select};

/// Generation failed; nothing was written.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The metadata document could not be read or parsed (the message has file, line and
    /// column).
    #[error("cannot read metadata: {0}")]
    Parse(#[from] csdl::Error),
    /// The selection names entity sets, singletons or operations the document lacks.
    #[error("cannot select from the metadata: {0}")]
    Select(#[from] select::SelectError),
    /// The configuration file could not be read or is invalid ([`Generator::from_config_file`](crate::Generator::from_config_file)).
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The configuration names no metadata file ([`Generator::from_config`](crate::Generator::from_config)).
    #[error(
        "no metadata file: the configuration has no `path` in its [metadata] section (on the \
         command line: --metadata FILE)"
    )]
    NoMetadataPath,
    /// Nothing was selected.
    #[error(
        "nothing to generate from {source_name}: select entity sets, singletons or operations \
         (in build.rs: Generator::entity_sets, singletons, operations or all_entity_sets; in \
         the configuration: [select]; on the command line: --entity-set, --singleton, \
         --operation or --all-entity-sets)"
    )]
    EmptySelection {
        /// The metadata document.
        source_name: String,
    },
    /// Reading the metadata or writing the output failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `OUT_DIR` is not set ([`Generator::write_to_out_dir`](crate::Generator::write_to_out_dir) runs only inside a build script).
    #[error("OUT_DIR is not set: write_to_out_dir is meant for build scripts; use write_to_file")]
    NoOutDir,
    /// `rustfmt` ([`Generator::rustfmt`](crate::Generator::rustfmt)) could not be run or did not accept the code.
    #[error("cannot format the generated code with rustfmt: {0}")]
    Rustfmt(String),
    /// The runtime crate path given to [`Generator::runtime_crate`](crate::Generator::runtime_crate) is not a Rust path.
    #[error("runtime crate path {0:?} is not an absolute Rust path such as `::d365fo_odata`")]
    RuntimePath(String),
}

/// The same text as `Display`: a build script's `fn main() -> Result<(), GenerateError>` (or
/// one returning `Box<dyn Error>` or `anyhow::Result`) prints the error with `{:?}`, and the
/// reader should see the message (what, where, did you mean), not the enum's structure.
impl fmt::Debug for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
