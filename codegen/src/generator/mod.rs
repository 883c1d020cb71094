//! [`Generator`]: the `build.rs` (and CLI) entry point — metadata in, one Rust file out (laid
//! out by the generator itself, or by `rustfmt` when asked: [`Generator::rustfmt`]).
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     d365fo_odata_codegen::Generator::from_file("metadata/fno.xml")?
//!         .entity_sets(["CustomersV3", "SalesOrderHeadersV2", "SalesOrderLines"])
//!         .write_to_out_dir("fno.rs")?;
//!     Ok(())
//! }
//! ```
//!
//! and in the crate: `#[allow(dead_code)] mod fno { include!(concat!(env!("OUT_DIR"), "/fno.rs")); }`
//! (every generated item is public API of the bindings; a program uses part of them). The crate
//! needs `d365fo-odata` as its only dependency: generated code reaches `serde` through it.
//! [`Generator::from_config_file`] reads the same `d365fo-codegen.toml` as the command line
//! instead. An error returned from `main` prints its message (what, where, did you mean), as the
//! command line does.
//!
//! # What is generated
//!
//! For each selected entity type `CustomerV3` (entity set `CustomersV3`):
//!
//! | item | what |
//! |---|---|
//! | `struct CustomerV3` | read model (`Deserialize` only): one field per property, `snake_case`; keys and non-nullable properties plain, others `Option`; expanded navigation properties; `etag` |
//! | `struct CustomerV3Key` | the key (`new(..)` in key order), writing the URL key predicate |
//! | `impl Entity for CustomerV3` | entity set name, type name, key type, service profile, ETag |
//! | `mod customer_v3` | `Field<CustomerV3, T>` handles (`CREDIT_LIMIT`) and `Navigation` handles; collection properties as `Field<CustomerV3, Vec<T>>` and complex ones as `Field<CustomerV3, Address>`, which serve `$select` but have no literal, so comparisons with them do not compile |
//! | `struct NewCustomerV3` | create model (`Serialize`): only properties writable on create; required ones are `new(..)` arguments; unset optional ones are not sent |
//! | `struct CustomerV3Patch` | update model: only properties writable on update, all optional |
//! | `trait CustomerV3Operations` for `EntityRef<CustomerV3>`, re-exported by `mod prelude` | actions and functions bound to one entity, as methods of `client.entity::<CustomerV3>(&key)` |
//! | `struct CustomerV3Set`, `CustomerV3::set(&client)` | actions and functions bound to the entity set, as its methods |
//! | `struct ArchivedCustomersV3(pub CustomerV3)`, `mod archived_customers_v3` | for each further selected entity set of the same type: a row type named after the set (suffix `Set` when the name is taken), dereferencing to the read model, with its own `Entity` impl (same key) and handle module |
//!
//! Singletons get their entity type's items but no `Entity` impl of their own: `Entity`
//! describes an entity set whose members are addressed by key, which a singleton is not.
//!
//! The `serde` impls of entity read and write models are written out (a short map visitor over
//! the OData names, using `d365fo_odata::codec`) rather than derived: the derive's expansion is
//! several times larger per property and dominated the build time of large bindings.
//!
//! Enumerations become enums with an `Unknown(String)` arm (flags enumerations also get a
//! `…Flags` set), complex types become structs, type definitions aliases, and unbound
//! operations async functions in `mod operations`. An operation takes up to three required
//! parameters as arguments, more as the fields of a `…Params` struct; optional ones are setters
//! of the `…Request` it then returns.
//!
//! # Names
//!
//! Types are `UpperCamelCase`, fields and modules `snake_case`, handles `SHOUTY_SNAKE_CASE`.
//! A character other than an ASCII letter or digit becomes `_` and its code point in hex; a
//! leading digit gets a prefix (`T`, `n`, `N`); a Rust keyword gets a trailing `_`. When a name is
//! taken — in F&O an enumeration often has the name of an entity type, compared ignoring case —
//! the later item gets a suffix for its kind (`Enum`, `Complex`, `Def`), then a number from 2.
//! Entity types are named first, then complex types, enumerations and type definitions, each in
//! document order, so the result depends only on the document and the selection; every rename is
//! reported in [`Generated::warnings`]. [`Generator::rename_type`] chooses a name instead.
//! An enumeration member named `Unknown` becomes `UnknownMember`.

mod error;
mod files;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub use error::GenerateError;
use files::{rustfmt, sha256_hex, write_atomically};

use crate::config::{Config, Profile};
use crate::csdl;
use crate::emit::{self, Options, ServiceProfile};
use crate::select::{self, Selection};

/// The F&O schema namespace, which [`Profile::Auto`] looks for.
const FNO_NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";

/// The profile [`Profile::Auto`] picks for `doc`: F&O when it has the F&O namespace.
pub(crate) fn auto_profile(doc: &csdl::Document) -> ServiceProfile {
    if doc.schema(FNO_NAMESPACE).is_some() {
        ServiceProfile::Fno
    } else {
        ServiceProfile::Generic
    }
}

/// The result of [`Generator::generate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The Rust source: one file (formatted by rustfmt with [`Generator::rustfmt`]), starting
    /// with a header that names the generator version and the metadata fingerprint.
    pub code: String,
    /// Things that did not stop generation: what the metadata reader accepted leniently
    /// (first, each with file, line and column; see [`csdl::Document::warnings`]), renames,
    /// omitted properties and operations, dangling navigation bindings.
    pub warnings: Vec<String>,
    /// SHA-256 (lower-case hex) of the metadata bytes; empty when the generator was made from
    /// an already parsed document ([`Generator::from_document`]).
    pub fingerprint: String,
}

/// Generates Rust bindings from an OData v4 metadata document.
///
/// Build one from a file, bytes or a parsed document, choose what to generate (entity sets,
/// singletons, operations — the types they need follow), then [`generate`](Self::generate) or
/// write the file. See the [module documentation](self) for the shape of the output.
#[derive(Debug, Clone)]
pub struct Generator {
    doc: csdl::Document,
    source_path: Option<PathBuf>,
    /// The configuration file it was made from ([`Generator::from_config_file`]).
    config_path: Option<PathBuf>,
    fingerprint: String,
    /// What is selected so far.
    selection: Selection,
    profile: Profile,
    renames: BTreeMap<String, String>,
    runtime: String,
    write_models: bool,
    rustfmt: bool,
}

impl Generator {
    /// Reads and parses the metadata file at `path`.
    ///
    /// # Errors
    /// [`GenerateError::Io`] when the file cannot be read; [`GenerateError::Parse`] (with line
    /// and column) when it is not valid CSDL.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Generator, GenerateError> {
        Generator::from_file_with(path, &csdl::ReadOptions::new())
    }

    /// Reads and parses the metadata file at `path` with reader options: strict reading,
    /// directories holding referenced documents, the size limit (see [`csdl::ReadOptions`]).
    /// References relative to the document resolve against its directory.
    ///
    /// # Errors
    /// As [`from_file`](Self::from_file); [`GenerateError::Parse`] with
    /// [`csdl::ErrorKind::TooLarge`] before reading a file over the size limit.
    pub fn from_file_with(
        path: impl AsRef<Path>,
        options: &csdl::ReadOptions,
    ) -> Result<Generator, GenerateError> {
        let path = path.as_ref();
        let io = |source| GenerateError::Io {
            path: path.to_owned(),
            source,
        };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > options.byte_limit() {
            // Let the reader say it, in its words, without reading the file.
            csdl::Document::from_path_with(path, options)?;
        }
        let bytes = std::fs::read(path).map_err(io)?;
        let mut options = options.clone();
        if options.base().is_none()
            && let Some(dir) = path.parent()
        {
            options = options.base_dir(dir);
        }
        let doc = csdl::Document::parse_file_bytes(
            &bytes,
            path.display().to_string(),
            &options,
            Some(path),
        )?;
        let mut generator = Generator::from_document(doc);
        generator.fingerprint = sha256_hex(&bytes);
        generator.source_path = Some(path.to_owned());
        Ok(generator)
    }

    /// Reads the configuration file at `path` (`d365fo-codegen.toml`, see [`crate::config`]) and
    /// makes the generator it describes, as [`from_config`](Self::from_config) does; a build
    /// script that writes with [`write_to_out_dir`](Self::write_to_out_dir) reruns when the
    /// configuration or the metadata changes.
    ///
    /// ```no_run
    /// // build.rs
    /// fn main() -> Result<(), d365fo_odata_codegen::GenerateError> {
    ///     d365fo_odata_codegen::Generator::from_config_file("d365fo-codegen.toml")?
    ///         .write_to_out_dir("fno.rs")?;
    ///     Ok(())
    /// }
    /// ```
    ///
    /// # Errors
    /// [`GenerateError::Config`] when the file cannot be read or is invalid (with line and
    /// column); otherwise as [`from_config`](Self::from_config).
    pub fn from_config_file(path: impl AsRef<Path>) -> Result<Generator, GenerateError> {
        let path = path.as_ref();
        let config = Config::from_path(path)?;
        let mut generator = Generator::from_config(&config)?;
        generator.config_path = Some(path.to_owned());
        Ok(generator)
    }

    /// The generator a configuration describes: the metadata file of `[metadata]` read with its
    /// settings, the `[select]` selection, the `[output]` profile and runtime crate path (a bare
    /// crate name such as `d365fo_odata` is taken as `::d365fo_odata`), the `[renames]`. The
    /// command line reads the same [`Config`], with its flags laid over it
    /// ([`Config::override_with`]).
    ///
    /// # Errors
    /// [`GenerateError::NoMetadataPath`] when `[metadata]` has no `path`; otherwise as
    /// [`from_file_with`](Self::from_file_with).
    pub fn from_config(config: &Config) -> Result<Generator, GenerateError> {
        let path = config
            .metadata
            .path
            .as_deref()
            .ok_or(GenerateError::NoMetadataPath)?;
        let mut generator = Generator::from_file_with(path, &config.metadata.read_options())?
            .selection(config.select.clone())
            .profile(config.output.profile.unwrap_or_default());
        for (from, to) in &config.renames {
            generator = generator.rename_type(from, to);
        }
        if let Some(runtime) = &config.output.runtime_crate {
            generator = generator.runtime_crate(&absolute_path(runtime));
        }
        Ok(generator)
    }

    /// Parses metadata held in memory; `source_name` names it in messages and in the header.
    ///
    /// # Errors
    /// [`GenerateError::Parse`] when the bytes are not valid CSDL.
    pub fn from_bytes(bytes: &[u8], source_name: &str) -> Result<Generator, GenerateError> {
        Generator::from_bytes_with(bytes, source_name, &csdl::ReadOptions::new())
    }

    /// Parses metadata held in memory with reader options (see [`csdl::ReadOptions`]).
    ///
    /// # Errors
    /// [`GenerateError::Parse`] when the bytes are not valid CSDL under these options.
    pub fn from_bytes_with(
        bytes: &[u8],
        source_name: &str,
        options: &csdl::ReadOptions,
    ) -> Result<Generator, GenerateError> {
        let doc = csdl::Document::parse_with(bytes, source_name, options)?;
        let mut generator = Generator::from_document(doc);
        generator.fingerprint = sha256_hex(bytes);
        Ok(generator)
    }

    /// Uses an already parsed document (the fingerprint is then empty).
    pub fn from_document(doc: csdl::Document) -> Generator {
        Generator {
            doc,
            source_path: None,
            config_path: None,
            fingerprint: String::new(),
            selection: Selection::new(),
            profile: Profile::Auto,
            renames: BTreeMap::new(),
            runtime: "::d365fo_odata".to_owned(),
            write_models: true,
            rustfmt: false,
        }
    }

    /// The parsed document.
    pub fn document(&self) -> &csdl::Document {
        &self.doc
    }

    /// Adds entity sets by name (`CustomersV3`; case-sensitive).
    pub fn entity_sets<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.selection = self.selection.entity_sets(names);
        self
    }

    /// Adds singletons by name.
    pub fn singletons<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.selection = self.selection.singletons(names);
        self
    }

    /// Adds actions and functions: an import name (`SetCustomerOnHold`), a qualified name
    /// (`Microsoft.Dynamics.DataEntities.ExportToPackage`) or an unambiguous simple name.
    /// Operations bound to selected entity types are included without naming them.
    pub fn operations<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.selection = self.selection.operations(names);
        self
    }

    /// Selects every entity set of the document.
    pub fn all_entity_sets(mut self) -> Self {
        self.selection = self.selection.all_entity_sets();
        self
    }

    /// Adds what `selection` selects to what is selected so far (see [`Selection::extend`]).
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection.extend(selection);
        self
    }

    /// Chooses the service profile (default [`Profile::Auto`]).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Names the Rust type generated for the OData type `from` (qualified, or simple when
    /// unambiguous) `to`, e.g. to settle an enumeration/entity name collision yourself.
    pub fn rename_type(mut self, from: &str, to: &str) -> Self {
        self.renames.insert(from.to_owned(), to.to_owned());
        self
    }

    /// The path the generated code uses for the runtime crate (default `::d365fo_odata`);
    /// must be absolute (`::name` or `crate::…`).
    pub fn runtime_crate(mut self, path: &str) -> Self {
        path.clone_into(&mut self.runtime);
        self
    }

    /// Whether to generate create and update models (default `true`). Read-only bindings
    /// compile faster.
    pub fn write_models(mut self, enabled: bool) -> Self {
        self.write_models = enabled;
        self
    }

    /// Whether to pass the code through `rustfmt` (default `false`). Turn it on for bindings
    /// that are checked in, so that they pass the project's `cargo fmt --check`; code included
    /// from `OUT_DIR` needs no formatting. The `rustfmt` run is the one named by the `RUSTFMT`
    /// environment variable, else the one on `PATH` (`rustup component add rustfmt`), with
    /// `--edition 2024`.
    pub fn rustfmt(mut self, enabled: bool) -> Self {
        self.rustfmt = enabled;
        self
    }

    /// Generates the code.
    ///
    /// # Errors
    /// [`GenerateError::Select`] naming every unknown name (with suggestions), every type the
    /// selection needs from a referenced document that was not loaded, and every rename that
    /// cannot be applied (not a Rust type name, naming no type or several, colliding);
    /// [`GenerateError::EmptySelection`]; [`GenerateError::RuntimePath`];
    /// [`GenerateError::Rustfmt`] when formatting was asked for and failed.
    pub fn generate(&self) -> Result<Generated, GenerateError> {
        let closure = self.selection.resolve(&self.doc)?;
        select::check_renames(&self.doc, &closure, &self.renames)?;
        if closure.entity_sets.is_empty()
            && closure.singletons.is_empty()
            && closure.operations.is_empty()
        {
            return Err(GenerateError::EmptySelection {
                source_name: self.doc.source_name().to_owned(),
            });
        }
        let runtime: syn::Path = syn::parse_str(&self.runtime)
            .ok()
            .filter(|p: &syn::Path| {
                p.leading_colon.is_some() || p.segments.first().is_some_and(|s| s.ident == "crate")
            })
            .ok_or_else(|| GenerateError::RuntimePath(self.runtime.clone()))?;
        let profile = match self.profile {
            Profile::Fno => ServiceProfile::Fno,
            Profile::Generic => ServiceProfile::Generic,
            Profile::Auto => auto_profile(&self.doc),
        };
        let options = Options {
            profile,
            runtime: quote::ToTokens::to_token_stream(&runtime).to_string(),
            renames: &self.renames,
            write_models: self.write_models,
        };
        let emitted = emit::emit(&self.doc, &closure, &options);
        let mut code = self.header(profile, &emitted.warnings);
        for (i, chunk) in emitted.chunks.iter().enumerate() {
            if i > 0 {
                code.push('\n');
            }
            code.push_str(chunk);
        }
        if self.rustfmt {
            code = rustfmt(&code)?;
        }
        let mut warnings: Vec<String> = self.doc.warnings().iter().map(|w| w.to_string()).collect();
        warnings.extend(emitted.warnings);
        Ok(Generated {
            code,
            warnings,
            fingerprint: self.fingerprint.clone(),
        })
    }

    fn header(&self, profile: ServiceProfile, warnings: &[String]) -> String {
        let source = Path::new(self.doc.source_name()).file_name().map_or_else(
            || self.doc.source_name().to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut h = String::new();
        let _ = writeln!(
            h,
            "// Generated by d365fo-odata-codegen {} from `{}`. Do not edit.",
            env!("CARGO_PKG_VERSION"),
            emit::visible_controls(&source.replace(['\n', '\r'], " "))
        );
        if self.fingerprint.is_empty() {
            h.push_str("// Metadata SHA-256: not known (generated from a parsed document).\n");
        } else {
            let _ = writeln!(h, "// Metadata SHA-256: {}", self.fingerprint);
        }
        let _ = writeln!(
            h,
            "// Service profile: {}.",
            match profile {
                ServiceProfile::Fno => "Dynamics 365 Finance & Operations",
                ServiceProfile::Generic => "generic OData v4",
            }
        );
        h.push_str(
            "// Every item is public API. Included into a private module, allow `dead_code` on it:\n\
             // `#[allow(dead_code)] mod fno { include!(...); }` (a program uses part of the API).\n",
        );
        for w in warnings {
            // Names in notes are the document's, as written: no bidirectional controls in
            // comments (rustc refuses them).
            let _ = writeln!(
                h,
                "// Note: {}",
                emit::visible_controls(&w.replace('\n', " "))
            );
        }
        h.push('\n');
        h
    }

    /// Generates the code and writes it to `path` through a temporary file in the same
    /// directory, renamed into place: the file is never half-written.
    ///
    /// # Errors
    /// As [`generate`](Self::generate), and [`GenerateError::Io`] naming the path when the
    /// directory is missing or not writable.
    pub fn write_to_file(&self, path: impl AsRef<Path>) -> Result<Generated, GenerateError> {
        let generated = self.generate()?;
        write_atomically(path.as_ref(), generated.code.as_bytes())?;
        Ok(generated)
    }

    /// For build scripts: writes `$OUT_DIR/file_name` and prints `cargo:rerun-if-changed` for
    /// the metadata file (when it came from [`from_file`](Self::from_file) or a configuration)
    /// and for the configuration file (when it came from
    /// [`from_config_file`](Self::from_config_file)).
    ///
    /// # Errors
    /// [`GenerateError::NoOutDir`] outside a build script; otherwise as
    /// [`write_to_file`](Self::write_to_file).
    pub fn write_to_out_dir(&self, file_name: &str) -> Result<Generated, GenerateError> {
        let out_dir = std::env::var_os("OUT_DIR").ok_or(GenerateError::NoOutDir)?;
        let mut stdout = std::io::stdout().lock();
        for path in self.source_path.iter().chain(&self.config_path) {
            let _ = writeln!(stdout, "cargo:rerun-if-changed={}", path.display());
        }
        drop(stdout);
        self.write_to_file(Path::new(&out_dir).join(file_name))
    }
}

/// `d365fo_odata` → `::d365fo_odata`; paths already absolute (`::x`, `crate::x`) are kept.
fn absolute_path(given: &str) -> String {
    let given = given.trim();
    if given.contains("::") || given == "crate" {
        given.to_owned()
    } else {
        format!("::{given}")
    }
}
