//! The `d365fo-codegen.toml` configuration file: where the metadata comes from, what to select,
//! how to name things and where the generated code goes.
//!
//! ```toml
//! [metadata]
//! path = "metadata/fno.xml"                                # read by generate, list and diff
//! url = "https://contoso.sandbox.operations.dynamics.com"  # downloaded to `path` by fetch
//! # strict = true                  # refuse what only Microsoft's lenient readers accept
//! # reference_dirs = ["metadata/"]  # where edmx:Reference documents are looked for
//! # max_bytes = 536870912           # largest metadata document read (default 512 MiB)
//!
//! [select]
//! entity_sets = ["CustomersV3", "SalesOrderHeadersV2", "SalesOrderLines"]
//! singletons = []
//! operations = []
//! # all_entity_sets = true                               # everything (large)
//! # include_bound_operations = false                     # default true
//!
//! [output]
//! path = "src/fno/"        # a directory (ends in `/`; gets `mod.rs`) or a `.rs` file
//! profile = "fno"          # "auto" (default), "fno" or "generic"
//! runtime_crate = "d365fo_odata"
//!
//! [renames]
//! CustomerV3 = "Customer"  # entity, complex or enum type name → Rust type name
//! ```
//!
//! Every section and key is optional. Relative paths are relative to the directory holding the
//! file. A key the format does not know is an error naming the key, its line and column, so a
//! typo (`entity_set = [...]`) never silently selects nothing.
//!
//! ```no_run
//! use d365fo_odata_codegen::config::Config;
//!
//! let config = Config::from_path("d365fo-codegen.toml")?;
//! println!("{:?}", config.select.entity_set_names());
//! # Ok::<(), d365fo_odata_codegen::config::ConfigError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::select::Selection;

/// The usual name of the configuration file.
pub const DEFAULT_FILE_NAME: &str = "d365fo-codegen.toml";

/// A parsed `d365fo-codegen.toml`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `[metadata]`: where the `$metadata` document comes from.
    #[serde(default)]
    pub metadata: MetadataSource,
    /// `[select]`: what to generate bindings for (and what `diff` compares): the one
    /// [`Selection`] type the [`Generator`](crate::Generator) and [`diff`](crate::diff) take.
    #[serde(default)]
    pub select: Selection,
    /// `[output]`: where and how to write the generated code.
    #[serde(default)]
    pub output: OutputConfig,
    /// `[renames]`: type name in the metadata (simple or qualified) → Rust type name.
    #[serde(default)]
    pub renames: BTreeMap<String, String>,
}

/// `[metadata]`: a local file, an environment URL, or both (fetch downloads the URL to the file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataSource {
    /// The metadata file (`metadata/fno.xml`), resolved against the configuration's directory.
    pub path: Option<PathBuf>,
    /// The environment URL (`https://contoso.operations.dynamics.com`) `fetch` downloads from.
    pub url: Option<String>,
    /// Read strictly (see [`ReadOptions::strict`](crate::csdl::ReadOptions::strict)); default
    /// `false`.
    #[serde(default)]
    pub strict: bool,
    /// Directories in which `edmx:Reference` documents are looked for by file name, resolved
    /// against the configuration's directory.
    #[serde(default)]
    pub reference_dirs: Vec<PathBuf>,
    /// Largest metadata document read, in bytes (default 512 MiB).
    pub max_bytes: Option<u64>,
}

impl MetadataSource {
    /// The reader options these settings describe.
    pub fn read_options(&self) -> crate::csdl::ReadOptions {
        let mut options = crate::csdl::ReadOptions::new().strict(self.strict);
        for dir in &self.reference_dirs {
            options = options.reference_dir(dir);
        }
        if let Some(limit) = self.max_bytes {
            options = options.max_bytes(limit);
        }
        options
    }
}

/// `[output]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Where the generated code goes: a `.rs` file, or a directory (then `mod.rs` inside it).
    pub path: Option<PathBuf>,
    /// The capability profile the generated bindings enforce.
    pub profile: Option<Profile>,
    /// Path of the runtime crate in generated code (default `d365fo_odata`; `crate::runtime` and
    /// the like for re-exports).
    pub runtime_crate: Option<String>,
}

/// The capability profile of the generated bindings: what `Entity::Profile` the generated
/// entities name. The one profile type of the configuration file (`[output] profile`), the
/// [`Generator`](crate::Generator) ([`Generator::profile`](crate::Generator::profile)) and the
/// command line (`--profile`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// F&O when the document has the schema `Microsoft.Dynamics.DataEntities`, generic OData v4
    /// otherwise.
    #[default]
    Auto,
    /// Dynamics 365 Finance & Operations (`d365fo_odata::profile::Fno`: no `in`/`has`, one
    /// level of `$expand`, ...).
    Fno,
    /// Any OData v4 service (`d365fo_odata::profile::GenericOData`): the full operator set.
    Generic,
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Auto => "auto",
            Profile::Fno => "fno",
            Profile::Generic => "generic",
        })
    }
}

/// Why a configuration file could not be used. `Debug` prints the same message as `Display`
/// (file, line and column, what is wrong), so a build script returning it shows the message.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML, has an unknown key, or a value of the wrong type.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending key or value (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong, naming the key (`unknown field `entity_set`, expected one of ...`).
        message: String,
    },
    /// The values are well-formed but unusable together.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Config {
    /// Reads and checks a configuration file; relative paths in it are made relative to the
    /// file's directory.
    ///
    /// # Errors
    /// [`ConfigError::Read`] when the file cannot be read; [`ConfigError::Parse`] with line and
    /// column for invalid TOML, unknown keys and wrong value types; [`ConfigError::Invalid`] for a
    /// metadata URL that is not `http(s)://`.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut config = Config::parse(&text, path)?;
        let base = path.parent().unwrap_or(Path::new(""));
        config.resolve_paths(base);
        Ok(config)
    }

    /// Parses configuration text; `path` names it in errors. Paths are left as written.
    ///
    /// # Errors
    /// As [`Config::from_path`], without the read error.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => line_column(text, span.start),
                None => (0, 0),
            };
            ConfigError::Parse {
                path: path.to_owned(),
                line,
                column,
                message: e.message().trim_end().to_owned(),
            }
        })?;
        if let Some(url) = &config.metadata.url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message: format!("metadata.url `{url}` is not an http(s) URL"),
            });
        }
        for (from, to) in &config.renames {
            if from.is_empty() || to.is_empty() {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    message: format!("renames: `{from}` = `{to}` has an empty name"),
                });
            }
            if !crate::select::is_type_name(to) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    message: format!(
                        "renames: `{from}` = `{to}`: `{to}` is not a Rust type name (ASCII \
                         letters, digits and `_`, not starting with a digit, not a keyword)"
                    ),
                });
            }
        }
        Ok(config)
    }

    /// Lays `flags` over this configuration, as the command line does with its flags: a value
    /// `flags` sets replaces this one's (`metadata.path`, `metadata.url`, `metadata.max_bytes`,
    /// `output.path`, `output.profile`, `output.runtime_crate`); lists are added to
    /// (`metadata.reference_dirs`, the names of `select`); a switch turned on stays on
    /// (`metadata.strict`, `select.all_entity_sets`); a rename in `flags` wins over one of the
    /// same type here.
    ///
    /// ```
    /// use d365fo_odata_codegen::config::{Config, Profile};
    /// use d365fo_odata_codegen::select::Selection;
    ///
    /// let file = Config::parse(
    ///     "[select]\nentity_sets = [\"CustomersV3\"]\n[output]\nprofile = \"generic\"\n",
    ///     "d365fo-codegen.toml",
    /// )?;
    /// let mut flags = Config {
    ///     select: Selection::new().entity_sets(["SalesOrderLines"]),
    ///     ..Config::default()
    /// };
    /// flags.output.profile = Some(Profile::Fno);
    /// let merged = file.override_with(flags);
    /// assert_eq!(merged.select.entity_set_names(), ["CustomersV3", "SalesOrderLines"]);
    /// assert_eq!(merged.output.profile, Some(Profile::Fno));
    /// # Ok::<(), d365fo_odata_codegen::config::ConfigError>(())
    /// ```
    #[must_use]
    pub fn override_with(mut self, flags: Config) -> Config {
        let Config {
            metadata,
            select,
            output,
            renames,
        } = flags;
        let MetadataSource {
            path,
            url,
            strict,
            reference_dirs,
            max_bytes,
        } = metadata;
        self.metadata.path = path.or(self.metadata.path);
        self.metadata.url = url.or(self.metadata.url);
        self.metadata.strict |= strict;
        self.metadata.reference_dirs.extend(reference_dirs);
        self.metadata.max_bytes = max_bytes.or(self.metadata.max_bytes);
        self.select.extend(select);
        let OutputConfig {
            path,
            profile,
            runtime_crate,
        } = output;
        self.output.path = path.or(self.output.path);
        self.output.profile = profile.or(self.output.profile);
        self.output.runtime_crate = runtime_crate.or(self.output.runtime_crate);
        self.renames.extend(renames);
        self
    }

    /// Joins relative `metadata.path` and `output.path` to `base`.
    fn resolve_paths(&mut self, base: &Path) {
        if base.as_os_str().is_empty() {
            return;
        }
        for path in [&mut self.metadata.path, &mut self.output.path]
            .into_iter()
            .flatten()
            .chain(self.metadata.reference_dirs.iter_mut())
        {
            if path.is_relative() {
                // Keep a trailing separator: it marks an output directory.
                let trailing = path.as_os_str().to_string_lossy().ends_with(['/', '\\']);
                let mut joined = base.join(&*path).into_os_string();
                if trailing && !joined.to_string_lossy().ends_with(['/', '\\']) {
                    joined.push("/");
                }
                *path = PathBuf::from(joined);
            }
        }
    }
}

/// 1-based line and character column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_section() {
        let text = r#"
[metadata]
path = "metadata/fno.xml"
url = "https://contoso.operations.dynamics.com"

[select]
entity_sets = ["CustomersV3"]
operations = ["ResetDataSource"]

[output]
path = "src/fno/"
profile = "fno"
runtime_crate = "crate::odata"

[renames]
CustomerV3 = "Customer"
"#;
        let config = Config::parse(text, "d365fo-codegen.toml").unwrap();
        assert_eq!(
            config.metadata.path.as_deref(),
            Some(Path::new("metadata/fno.xml"))
        );
        assert_eq!(config.select.entity_set_names(), ["CustomersV3"]);
        assert_eq!(config.select.operation_names(), ["ResetDataSource"]);
        assert_eq!(config.output.profile, Some(Profile::Fno));
        assert_eq!(config.output.runtime_crate.as_deref(), Some("crate::odata"));
        assert_eq!(config.renames["CustomerV3"], "Customer");
    }

    #[test]
    fn reads_reader_settings_and_resolves_reference_dirs() {
        let mut config = Config::parse(
            "[metadata]\nstrict = true\nreference_dirs = [\"vocab\"]\nmax_bytes = 1000\n",
            "c.toml",
        )
        .unwrap();
        config.resolve_paths(Path::new("project"));
        let options = config.metadata.read_options();
        assert!(options.is_strict());
        assert_eq!(options.byte_limit(), 1000);
        assert_eq!(options.reference_dirs(), [PathBuf::from("project/vocab")]);
        assert!(!Config::default().metadata.read_options().is_strict());
    }

    #[test]
    fn rename_to_a_name_that_is_no_rust_type_is_an_error() {
        let error = Config::parse("[renames]\nCustomerV3 = \"fn\"\n", "c.toml").unwrap_err();
        assert!(
            error.to_string().contains("not a Rust type name"),
            "{error}"
        );
        let error = Config::parse("[renames]\nA = \"1st-Customer\"\n", "c.toml").unwrap_err();
        assert!(error.to_string().contains("`1st-Customer`"), "{error}");
    }

    #[test]
    fn reads_the_whole_selection() {
        let config = Config::parse(
            "[select]\nsingletons = [\"Company\"]\nall_entity_sets = true\n\
             include_bound_operations = false\n",
            "c.toml",
        )
        .unwrap();
        let expected = Selection::new()
            .singletons(["Company"])
            .all_entity_sets()
            .include_bound_operations(false);
        assert_eq!(config.select, expected);
        let error = Config::parse("[select]\nall_entity_set = true\n", "c.toml").unwrap_err();
        assert!(error.to_string().contains("all_entity_set"), "{error}");
    }

    #[test]
    fn flags_override_values_and_add_to_lists() {
        let file = Config::parse(
            "[metadata]\npath = \"a.xml\"\nreference_dirs = [\"v\"]\n\
             [select]\nentity_sets = [\"A\"]\n\
             [output]\npath = \"src/a.rs\"\nruntime_crate = \"crate::odata\"\n\
             [renames]\nX = \"Y\"\nK = \"L\"\n",
            "c.toml",
        )
        .unwrap();
        let mut flags = Config {
            select: Selection::new().entity_sets(["B"]).all_entity_sets(),
            ..Config::default()
        };
        flags.metadata.path = Some("b.xml".into());
        flags.metadata.strict = true;
        flags.metadata.reference_dirs = vec!["w".into()];
        flags.output.profile = Some(Profile::Generic);
        flags.renames.insert("X".into(), "Z".into());
        let merged = file.override_with(flags);
        assert_eq!(merged.metadata.path.as_deref(), Some(Path::new("b.xml")));
        assert!(merged.metadata.strict);
        assert_eq!(
            merged.metadata.reference_dirs,
            [PathBuf::from("v"), PathBuf::from("w")]
        );
        assert_eq!(merged.select.entity_set_names(), ["A", "B"]);
        assert!(merged.select.selects_all_entity_sets());
        assert_eq!(merged.output.path.as_deref(), Some(Path::new("src/a.rs")));
        assert_eq!(merged.output.profile, Some(Profile::Generic));
        assert_eq!(merged.output.runtime_crate.as_deref(), Some("crate::odata"));
        assert_eq!(merged.renames["X"], "Z");
        assert_eq!(merged.renames["K"], "L");
        // Nothing given: nothing changes.
        let same = merged.clone().override_with(Config::default());
        assert_eq!(same, merged);
    }

    #[test]
    fn an_empty_file_is_an_empty_config() {
        assert_eq!(Config::parse("", "x.toml").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "[select]\nentity_sets = []\nentity_set = [\"CustomersV3\"]\n";
        let error = Config::parse(text, "d365fo-codegen.toml").unwrap_err();
        let ConfigError::Parse {
            line,
            column,
            message,
            ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!((*line, *column), (3, 1));
        assert!(message.contains("entity_set"), "{message}");
        assert!(
            error
                .to_string()
                .starts_with("d365fo-codegen.toml:3:1: unknown field `entity_set`"),
            "{error}"
        );
        assert_eq!(format!("{error:?}"), error.to_string());
    }

    #[test]
    fn unknown_section_is_an_error() {
        let error = Config::parse("[outptu]\npath = \"x\"\n", "c.toml").unwrap_err();
        assert!(error.to_string().contains("c.toml:1:"), "{error}");
        assert!(error.to_string().contains("outptu"), "{error}");
    }

    #[test]
    fn unknown_profile_is_an_error() {
        let error = Config::parse("[output]\nprofile = \"sap\"\n", "c.toml").unwrap_err();
        assert!(error.to_string().contains("c.toml:2:"), "{error}");
        assert!(error.to_string().contains("sap"), "{error}");
    }

    #[test]
    fn metadata_url_must_be_http() {
        let error = Config::parse("[metadata]\nurl = \"ftp://x\"\n", "c.toml").unwrap_err();
        assert!(matches!(error, ConfigError::Invalid { .. }), "{error}");
    }

    #[test]
    fn relative_paths_follow_the_file() {
        let mut config = Config::parse(
            "[metadata]\npath = \"m.xml\"\n[output]\npath = \"src/fno/\"\n",
            "c.toml",
        )
        .unwrap();
        config.resolve_paths(Path::new("project"));
        assert_eq!(
            config.metadata.path.as_deref(),
            Some(Path::new("project/m.xml"))
        );
        assert!(
            config
                .output
                .path
                .unwrap()
                .to_string_lossy()
                .ends_with("src/fno/")
        );
    }
}
