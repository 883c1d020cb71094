//! The command line: subcommands and flags, and the configuration each set of flags describes
//! (laid over the configuration file with [`Config::override_with`], the one place where flags
//! and file meet).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use d365fo_odata_codegen::config::{Config, DEFAULT_FILE_NAME};
use d365fo_odata_codegen::{Profile, Selection};

use crate::Failure;

#[derive(Debug, Parser)]
#[command(
    name = "d365fo-codegen",
    version,
    about = "Typed Rust bindings for Dynamics 365 Finance & Operations (and any OData v4 service)",
    after_help = "Exit codes: 0 success; 1 breaking changes (diff) or a failed operation; \
                  2 usage or input error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Generate Rust bindings for the selected entity sets, singletons and operations.
    Generate(GenerateArgs),
    /// List entity sets (with key and property counts), types, enums and operations.
    List(ListArgs),
    /// Download `$metadata` from an environment and save it with its SHA-256 fingerprint.
    Fetch(FetchArgs),
    /// Compare the bindings two metadata files generate for a selection; exit code 1 when a
    /// change can stop code using them from compiling or change its meaning.
    Diff(DiffArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ConfigArg {
    /// Configuration file [default: ./d365fo-codegen.toml when it exists].
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
}

impl ConfigArg {
    /// The configuration named by `--config`, else `./d365fo-codegen.toml` when it exists,
    /// with `flags` laid over it.
    pub(crate) fn load(&self, flags: Config) -> Result<Config, Failure> {
        let path = match &self.config {
            Some(path) => path.clone(),
            None => {
                let default = PathBuf::from(DEFAULT_FILE_NAME);
                if !default.is_file() {
                    return Ok(Config::default().override_with(flags));
                }
                default
            }
        };
        let config = Config::from_path(&path).map_err(Failure::input)?;
        Ok(config.override_with(flags))
    }
}

/// How the metadata is read (added to the configuration's `[metadata]` settings).
#[derive(Debug, Args)]
pub(crate) struct ReadArgs {
    /// Refuse what only Microsoft's lenient readers accept: facet values in another letter
    /// case, vocabularies used without a reference, a type and an operation of one name,
    /// referenced documents that cannot be found.
    #[arg(long)]
    strict: bool,
    /// Directory in which `edmx:Reference` documents are looked for by file name (repeatable;
    /// the metadata file's directory is always searched).
    #[arg(long = "reference-dir", value_name = "DIR")]
    reference_dirs: Vec<PathBuf>,
    /// Largest metadata document read, in bytes [default: 536870912 (512 MiB)].
    #[arg(long, value_name = "BYTES")]
    max_metadata_bytes: Option<u64>,
}

impl ReadArgs {
    fn apply(&self, config: &mut Config) {
        config.metadata.strict = self.strict;
        config
            .metadata
            .reference_dirs
            .clone_from(&self.reference_dirs);
        config.metadata.max_bytes = self.max_metadata_bytes;
    }
}

#[derive(Debug, Args)]
pub(crate) struct SelectArgs {
    /// Entity set to include (repeatable; added to the configuration's).
    #[arg(long = "entity-set", short = 'e', value_name = "NAME")]
    entity_sets: Vec<String>,
    /// Singleton to include (repeatable).
    #[arg(long = "singleton", value_name = "NAME")]
    singletons: Vec<String>,
    /// Action/function import or operation to include (repeatable).
    #[arg(long = "operation", value_name = "NAME")]
    operations: Vec<String>,
}

impl SelectArgs {
    fn selection(&self) -> Selection {
        Selection::new()
            .entity_sets(self.entity_sets.iter().cloned())
            .singletons(self.singletons.iter().cloned())
            .operations(self.operations.iter().cloned())
    }
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Metadata file [default: the configuration's metadata.path].
    #[arg(long, short = 'm', value_name = "FILE")]
    metadata: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) config: ConfigArg,
    #[command(flatten)]
    read: ReadArgs,
    /// Output: a `.rs` file, or a directory that gets `mod.rs` [default: the configuration's
    /// output.path].
    #[arg(long, short = 'o', value_name = "PATH")]
    out: Option<PathBuf>,
    #[command(flatten)]
    select: SelectArgs,
    /// Generate every entity set of the document.
    #[arg(long)]
    all_entity_sets: bool,
    /// Capability profile of the bindings [default: the configuration's, else auto].
    #[arg(long, value_enum)]
    profile: Option<Profile>,
    /// Rename a type: `CustomerV3=Customer` (repeatable).
    #[arg(long = "rename", value_name = "FROM=TO", value_parser = parse_rename)]
    renames: Vec<(String, String)>,
    /// Path of the runtime crate in the generated code [default: ::d365fo_odata].
    #[arg(long, value_name = "PATH")]
    runtime_crate: Option<String>,
    /// Write nothing; exit 1 when the output file is missing or differs from what would be
    /// generated.
    #[arg(long)]
    pub(crate) check: bool,
    /// Do not pass the output through rustfmt (by default it is formatted, so that checked-in
    /// bindings pass `cargo fmt --check`; needs rustfmt on PATH or in RUSTFMT).
    #[arg(long)]
    pub(crate) no_rustfmt: bool,
}

impl GenerateArgs {
    /// The configuration these flags describe.
    pub(crate) fn flags(&self) -> Config {
        let mut config = Config::default();
        config.metadata.path.clone_from(&self.metadata);
        self.read.apply(&mut config);
        config.select = self.select.selection();
        if self.all_entity_sets {
            config.select = config.select.all_entity_sets();
        }
        config.output.path.clone_from(&self.out);
        config.output.profile = self.profile;
        config.output.runtime_crate.clone_from(&self.runtime_crate);
        config.renames = self.renames.iter().cloned().collect();
        config
    }
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Metadata file [default: the configuration's metadata.path].
    #[arg(long, short = 'm', value_name = "FILE")]
    metadata: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) config: ConfigArg,
    #[command(flatten)]
    read: ReadArgs,
    /// Only names containing this text (case-insensitive).
    #[arg(long, short = 's', value_name = "TEXT")]
    pub(crate) search: Option<String>,
    /// Width to wrap the tables to [default: the COLUMNS variable, else the terminal's width,
    /// else 100].
    #[arg(long, value_name = "COLUMNS")]
    pub(crate) width: Option<usize>,
}

impl ListArgs {
    /// The configuration these flags describe.
    pub(crate) fn flags(&self) -> Config {
        let mut config = Config::default();
        config.metadata.path.clone_from(&self.metadata);
        self.read.apply(&mut config);
        config
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuthMode {
    /// `--token` when given, else the environment chain (client secret, workload identity,
    /// managed identity, Azure CLI).
    Auto,
    /// The environment chain only.
    Env,
    /// App registration with a client secret (`--tenant-id`, `--client-id`, `--client-secret`).
    ClientSecret,
    /// App registration with a certificate (`--certificate`; crate feature client-certificate).
    ClientCertificate,
    /// The managed identity of this Azure host (`--client-id` for a user-assigned one).
    ManagedIdentity,
    /// Workload identity federation (AZURE_FEDERATED_TOKEN_FILE).
    WorkloadIdentity,
    /// The Azure CLI's signed-in account.
    AzureCli,
    /// No Authorization header.
    None,
}

#[derive(Debug, Args)]
pub(crate) struct FetchArgs {
    /// Environment URL (`https://contoso.operations.dynamics.com`), its `/data` root or the
    /// `$metadata` URL [default: the configuration's metadata.url]. `http://` only for loopback.
    #[arg(long, short = 'u', value_name = "URL")]
    url: Option<String>,
    /// Where to save the document; `<FILE>.sha256` gets its fingerprint [default: the
    /// configuration's metadata.path].
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) config: ConfigArg,
    /// How to authorize the request.
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) auth: AuthMode,
    /// A bearer token obtained elsewhere.
    #[arg(
        long,
        env = "D365FO_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub(crate) token: Option<String>,
    /// Entra ID tenant (id or domain).
    #[arg(long, env = "AZURE_TENANT_ID", value_name = "TENANT")]
    pub(crate) tenant_id: Option<String>,
    /// Application (client) id.
    #[arg(long, env = "AZURE_CLIENT_ID", value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// Client secret.
    #[arg(
        long,
        env = "AZURE_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub(crate) client_secret: Option<String>,
    /// Certificate with private key, PKCS #12 (`.pfx`).
    #[arg(long, env = "AZURE_CLIENT_CERTIFICATE_PATH", value_name = "FILE")]
    pub(crate) certificate: Option<PathBuf>,
    /// Password of the certificate file.
    #[arg(
        long,
        env = "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub(crate) certificate_password: Option<String>,
    /// Token scope [default: https://ENVIRONMENT-HOST/.default].
    #[arg(long, value_name = "SCOPE")]
    pub(crate) scope: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub(crate) timeout: u64,
    /// Largest document downloaded, in bytes [default: the configuration's metadata.max_bytes,
    /// else 536870912 (512 MiB)].
    #[arg(long, value_name = "BYTES")]
    max_metadata_bytes: Option<u64>,
    /// No progress output.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

impl FetchArgs {
    /// The configuration these flags describe.
    pub(crate) fn flags(&self) -> Config {
        let mut config = Config::default();
        config.metadata.url.clone_from(&self.url);
        config.metadata.path.clone_from(&self.out);
        config.metadata.max_bytes = self.max_metadata_bytes;
        config
    }
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The old metadata file.
    pub(crate) old: PathBuf,
    /// The new metadata file.
    pub(crate) new: PathBuf,
    #[command(flatten)]
    pub(crate) config: ConfigArg,
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    select: SelectArgs,
}

impl DiffArgs {
    /// The configuration these flags describe.
    pub(crate) fn flags(&self) -> Config {
        let mut config = Config::default();
        self.read.apply(&mut config);
        config.select = self.select.selection();
        config
    }
}

fn parse_rename(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => {
            let to = to.trim();
            if !d365fo_odata_codegen::select::is_type_name(to) {
                return Err(format!(
                    "`{to}` is not a Rust type name (ASCII letters, digits and `_`, not \
                     starting with a digit, not a keyword)"
                ));
            }
            Ok((from.trim().to_owned(), to.to_owned()))
        }
        _ => Err(format!("expected FROM=TO, got `{text}`")),
    }
}
