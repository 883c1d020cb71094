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
//! and in the crate: `mod fno { include!(concat!(env!("OUT_DIR"), "/fno.rs")); }`. The crate
//! needs `d365fo-odata` and `serde` as dependencies.
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

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::csdl;
use crate::emit::{self, Options, ServiceProfile};
use crate::select::{self, Selection};

/// The F&O schema namespace, which [`ProfileChoice::Auto`] looks for.
const FNO_NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";

/// Which service capability profile the generated entities name as `Entity::Profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProfileChoice {
    /// F&O when the document has the schema `Microsoft.Dynamics.DataEntities`, else generic.
    #[default]
    Auto,
    /// Dynamics 365 Finance & Operations (`d365fo_odata::profile::Fno`).
    Fno,
    /// Any OData v4 service (`d365fo_odata::profile::GenericOData`).
    Generic,
}

/// Generation failed; nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The metadata document could not be read or parsed (the message has file, line and
    /// column).
    #[error("cannot read metadata: {0}")]
    Parse(#[from] csdl::Error),
    /// The selection names entity sets, singletons or operations the document lacks.
    #[error("cannot select from the metadata: {0}")]
    Select(#[from] select::SelectError),
    /// Nothing was selected.
    #[error(
        "nothing to generate from {source_name}: select entity sets, singletons or operations \
         (or call all_entity_sets)"
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
    /// `OUT_DIR` is not set ([`Generator::write_to_out_dir`] runs only inside a build script).
    #[error("OUT_DIR is not set: write_to_out_dir is meant for build scripts; use write_to_file")]
    NoOutDir,
    /// `rustfmt` ([`Generator::rustfmt`]) could not be run or did not accept the code.
    #[error("cannot format the generated code with rustfmt: {0}")]
    Rustfmt(String),
    /// The runtime crate path given to [`Generator::runtime_crate`] is not a Rust path.
    #[error("runtime crate path {0:?} is not an absolute Rust path such as `::d365fo_odata`")]
    RuntimePath(String),
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
    fingerprint: String,
    /// The entity sets, singletons and operations named so far.
    names: Selection,
    all_entity_sets: bool,
    profile: ProfileChoice,
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
            fingerprint: String::new(),
            names: Selection::new(),
            all_entity_sets: false,
            profile: ProfileChoice::Auto,
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
        self.names = self.names.entity_sets(names);
        self
    }

    /// Adds singletons by name.
    pub fn singletons<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.names = self.names.singletons(names);
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
        self.names = self.names.operations(names);
        self
    }

    /// Selects every entity set of the document.
    pub fn all_entity_sets(mut self) -> Self {
        self.all_entity_sets = true;
        self
    }

    /// Chooses the service profile (default [`ProfileChoice::Auto`]).
    pub fn profile(mut self, profile: ProfileChoice) -> Self {
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
        // Every entity set (in document order) comes before the named ones.
        let mut selection = Selection::new();
        if self.all_entity_sets {
            selection = selection.entity_sets(self.doc.entity_sets().map(|s| s.name.to_string()));
        }
        let closure = selection.and(&self.names).resolve(&self.doc)?;
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
            ProfileChoice::Fno => ServiceProfile::Fno,
            ProfileChoice::Generic => ServiceProfile::Generic,
            ProfileChoice::Auto => {
                if self.doc.schema(FNO_NAMESPACE).is_some() {
                    ServiceProfile::Fno
                } else {
                    ServiceProfile::Generic
                }
            }
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
            "// Generated by d365fo-odata-codegen {} from `{source}`. Do not edit.",
            env!("CARGO_PKG_VERSION")
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
        for w in warnings {
            let _ = writeln!(h, "// Note: {}", w.replace('\n', " "));
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
    /// the metadata file (when it came from [`from_file`](Self::from_file)).
    ///
    /// # Errors
    /// [`GenerateError::NoOutDir`] outside a build script; otherwise as
    /// [`write_to_file`](Self::write_to_file).
    pub fn write_to_out_dir(&self, file_name: &str) -> Result<Generated, GenerateError> {
        let out_dir = std::env::var_os("OUT_DIR").ok_or(GenerateError::NoOutDir)?;
        if let Some(path) = &self.source_path {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "cargo:rerun-if-changed={}", path.display());
        }
        self.write_to_file(Path::new(&out_dir).join(file_name))
    }
}

/// Formats `code` with `rustfmt --edition 2024`, fed through stdin (written from another thread
/// so that neither side blocks on a full pipe).
fn rustfmt(code: &str) -> Result<String, GenerateError> {
    use std::process::{Command, Stdio};
    let program = std::env::var_os("RUSTFMT").unwrap_or_else(|| "rustfmt".into());
    let shown = PathBuf::from(&program).display().to_string();
    let mut child = Command::new(&program)
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            GenerateError::Rustfmt(format!(
                "cannot run `{shown}`: {e} (install it with `rustup component add rustfmt`, \
                 set RUSTFMT, or generate without formatting)"
            ))
        })?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let output = std::thread::scope(|scope| {
        let writer = scope.spawn(move || stdin.write_all(code.as_bytes()));
        let output = child.wait_with_output();
        (writer.join(), output)
    });
    let (written, output) = output;
    let output = output.map_err(|e| GenerateError::Rustfmt(format!("`{shown}` failed: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(GenerateError::Rustfmt(format!(
            "`{shown}` exited with {}: {}",
            output.status,
            stderr.trim()
        )));
    }
    match written {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            return Err(GenerateError::Rustfmt(format!(
                "writing to `{shown}` failed: {e}"
            )));
        }
        Err(_) => {
            return Err(GenerateError::Rustfmt(format!(
                "writing to `{shown}` failed"
            )));
        }
    }
    String::from_utf8(output.stdout)
        .map_err(|_| GenerateError::Rustfmt(format!("`{shown}` wrote output that is not UTF-8")))
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), GenerateError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| GenerateError::Io { path, source }
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bindings.rs".to_owned());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .map_err(io(&temp));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io(path)(e)
    })
}
