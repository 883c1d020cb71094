//! `d365fo-codegen`: command-line front end of the code generator.
//!
//! ```text
//! d365fo-codegen fetch    --url https://contoso.sandbox.operations.dynamics.com --out metadata/fno.xml
//! d365fo-codegen list     --metadata metadata/fno.xml --search Customer
//! d365fo-codegen generate --metadata metadata/fno.xml --config d365fo-codegen.toml --out src/fno/
//! d365fo-codegen diff     old.xml new.xml --config d365fo-codegen.toml
//! ```
//!
//! Exit codes: 0 success (for `diff`: no breaking change); 1 `diff` found a breaking change, or an
//! operation failed (download refused, output not writable, `generate --check` found stale
//! bindings); 2 usage or input error (bad arguments or configuration, unknown names, metadata
//! that does not parse).
#![allow(
    clippy::print_stdout,
    reason = "a command-line tool: results go to stdout, diagnostics to stderr"
)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use d365fo_odata_codegen::config::{Config, DEFAULT_FILE_NAME, Profile};
use d365fo_odata_codegen::csdl::{Document, ReadOptions};
use d365fo_odata_codegen::diff::{self, Scope};
use d365fo_odata_codegen::list::Listing;
use d365fo_odata_codegen::{GenerateError, Generator, ProfileChoice};

#[derive(Debug, Parser)]
#[command(
    name = "d365fo-codegen",
    version,
    about = "Typed Rust bindings for Dynamics 365 Finance & Operations (and any OData v4 service)",
    after_help = "Exit codes: 0 success; 1 breaking changes (diff) or a failed operation; \
                  2 usage or input error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
struct ConfigArg {
    /// Configuration file [default: ./d365fo-codegen.toml when it exists].
    #[arg(long, short = 'c', value_name = "FILE")]
    config: Option<PathBuf>,
}

/// How the metadata is read (added to the configuration's `[metadata]` settings).
#[derive(Debug, Args)]
struct ReadArgs {
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
    fn options(&self, config: &Config) -> ReadOptions {
        let mut options = config.metadata.read_options();
        if self.strict {
            options = options.strict(true);
        }
        for dir in &self.reference_dirs {
            options = options.reference_dir(dir);
        }
        if let Some(limit) = self.max_metadata_bytes {
            options = options.max_bytes(limit);
        }
        options
    }
}

#[derive(Debug, Args)]
struct SelectArgs {
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

#[derive(Debug, Args)]
struct GenerateArgs {
    /// Metadata file [default: the configuration's metadata.path].
    #[arg(long, short = 'm', value_name = "FILE")]
    metadata: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
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
    profile: Option<ProfileArg>,
    /// Rename a type: `CustomerV3=Customer` (repeatable).
    #[arg(long = "rename", value_name = "FROM=TO", value_parser = parse_rename)]
    renames: Vec<(String, String)>,
    /// Path of the runtime crate in the generated code [default: ::d365fo_odata].
    #[arg(long, value_name = "PATH")]
    runtime_crate: Option<String>,
    /// Write nothing; exit 1 when the output file is missing or differs from what would be
    /// generated.
    #[arg(long)]
    check: bool,
    /// Do not pass the output through rustfmt (by default it is formatted, so that checked-in
    /// bindings pass `cargo fmt --check`; needs rustfmt on PATH or in RUSTFMT).
    #[arg(long)]
    no_rustfmt: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ProfileArg {
    Auto,
    Fno,
    Generic,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Metadata file [default: the configuration's metadata.path].
    #[arg(long, short = 'm', value_name = "FILE")]
    metadata: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    read: ReadArgs,
    /// Only names containing this text (case-insensitive).
    #[arg(long, short = 's', value_name = "TEXT")]
    search: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AuthMode {
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
struct FetchArgs {
    /// Environment URL (`https://contoso.operations.dynamics.com`), its `/data` root or the
    /// `$metadata` URL [default: the configuration's metadata.url]. `http://` only for loopback.
    #[arg(long, short = 'u', value_name = "URL")]
    url: Option<String>,
    /// Where to save the document; `<FILE>.sha256` gets its fingerprint [default: the
    /// configuration's metadata.path].
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
    /// How to authorize the request.
    #[arg(long, value_enum, default_value = "auto")]
    auth: AuthMode,
    /// A bearer token obtained elsewhere.
    #[arg(
        long,
        env = "D365FO_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,
    /// Entra ID tenant (id or domain).
    #[arg(long, env = "AZURE_TENANT_ID", value_name = "TENANT")]
    tenant_id: Option<String>,
    /// Application (client) id.
    #[arg(long, env = "AZURE_CLIENT_ID", value_name = "ID")]
    client_id: Option<String>,
    /// Client secret.
    #[arg(
        long,
        env = "AZURE_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    client_secret: Option<String>,
    /// Certificate with private key, PKCS #12 (`.pfx`).
    #[arg(long, env = "AZURE_CLIENT_CERTIFICATE_PATH", value_name = "FILE")]
    certificate: Option<PathBuf>,
    /// Password of the certificate file.
    #[arg(
        long,
        env = "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    certificate_password: Option<String>,
    /// Token scope [default: https://ENVIRONMENT-HOST/.default].
    #[arg(long, value_name = "SCOPE")]
    scope: Option<String>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    timeout: u64,
    /// No progress output.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Debug, Args)]
struct DiffArgs {
    /// The old metadata file.
    old: PathBuf,
    /// The new metadata file.
    new: PathBuf,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    read: ReadArgs,
    #[command(flatten)]
    select: SelectArgs,
}

/// A failure with its exit code.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// Usage or input error (exit 2).
    fn input(error: impl std::fmt::Display) -> Self {
        Failure {
            code: 2,
            message: error.to_string(),
        }
    }

    /// An operation that failed (exit 1).
    fn failed(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str("\n  caused by: ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        Failure { code: 1, message }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(args) => generate(args),
        Command::List(args) => list(args),
        Command::Fetch(args) => fetch(args),
        Command::Diff(args) => diff(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// The configuration named by `--config`, else `./d365fo-codegen.toml` when it exists.
fn load_config(arg: &ConfigArg) -> Result<Config, Failure> {
    let path = match &arg.config {
        Some(path) => path.clone(),
        None => {
            let default = PathBuf::from(DEFAULT_FILE_NAME);
            if !default.is_file() {
                return Ok(Config::default());
            }
            default
        }
    };
    Config::from_path(&path).map_err(Failure::input)
}

fn metadata_path(arg: Option<PathBuf>, config: &Config) -> Result<PathBuf, Failure> {
    arg.or_else(|| config.metadata.path.clone()).ok_or_else(|| {
        Failure::input(
            "no metadata file: pass --metadata FILE or set [metadata] path in the configuration",
        )
    })
}

/// Reads a document, printing what the reader accepted leniently on stderr.
fn read_document(path: &Path, options: &ReadOptions) -> Result<Document, Failure> {
    let doc = Document::from_path_with(path, options).map_err(Failure::input)?;
    for warning in doc.warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(doc)
}

fn list(args: ListArgs) -> Result<u8, Failure> {
    let config = load_config(&args.config)?;
    let path = metadata_path(args.metadata, &config)?;
    let doc = read_document(&path, &args.read.options(&config))?;
    let listing = Listing::new(&doc, args.search.as_deref());
    if listing.is_empty() {
        match &args.search {
            Some(search) => eprintln!("nothing in {} matches `{search}`", path.display()),
            None => eprintln!("{} declares nothing to list", path.display()),
        }
        return Ok(0);
    }
    print!("{listing}");
    Ok(0)
}

fn diff(args: DiffArgs) -> Result<u8, Failure> {
    let config = load_config(&args.config)?;
    let options = args.read.options(&config);
    let old = read_document(&args.old, &options)?;
    let new = read_document(&args.new, &options)?;
    let mut scope = Scope::new()
        .entity_sets(
            config
                .select
                .entity_sets
                .iter()
                .chain(&args.select.entity_sets)
                .cloned(),
        )
        .singletons(
            config
                .select
                .singletons
                .iter()
                .chain(&args.select.singletons)
                .cloned(),
        )
        .operations(
            config
                .select
                .operations
                .iter()
                .chain(&args.select.operations)
                .cloned(),
        );
    if config.select.all_entity_sets {
        scope = Scope::new();
    }
    let report = diff::diff(&old, &new, &scope).map_err(Failure::input)?;
    print!("{report}");
    Ok(u8::from(report.is_breaking()))
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

/// `d365fo_odata` → `::d365fo_odata`; paths already absolute (`::x`, `crate::x`) are kept.
fn runtime_path(given: &str) -> String {
    let given = given.trim();
    if given.contains("::") || given == "crate" {
        given.to_owned()
    } else {
        format!("::{given}")
    }
}

/// A directory (`src/fno/`, an existing directory, or a name without `.rs`) gets `mod.rs`.
fn output_file(out: &Path) -> PathBuf {
    let text = out.as_os_str().to_string_lossy();
    let is_dir = text.ends_with(['/', '\\'])
        || out.is_dir()
        || out.extension().is_none_or(|ext| ext != "rs");
    if is_dir {
        out.join("mod.rs")
    } else {
        out.to_owned()
    }
}

fn generate(args: GenerateArgs) -> Result<u8, Failure> {
    let config = load_config(&args.config)?;
    let metadata = metadata_path(args.metadata, &config)?;
    let out = args
        .out
        .or_else(|| config.output.path.clone())
        .ok_or_else(|| {
            Failure::input(
                "no output path: pass --out PATH or set [output] path in the configuration",
            )
        })?;
    let target = output_file(&out);

    let options = args.read.options(&config);
    let mut generator = Generator::from_file_with(&metadata, &options).map_err(|e| match e {
        GenerateError::Io { path, source } => {
            Failure::input(format!("cannot read {}: {source}", path.display()))
        }
        other => Failure::input(other),
    })?;
    // Reader warnings come first in `Generated::warnings`; print them now, so that they are seen
    // when generation fails too, and skip them below.
    let read_warnings = generator.document().warnings().len();
    for warning in generator.document().warnings() {
        eprintln!("warning: {warning}");
    }
    let select = &config.select;
    generator = generator
        .entity_sets(
            select
                .entity_sets
                .iter()
                .chain(&args.select.entity_sets)
                .cloned(),
        )
        .singletons(
            select
                .singletons
                .iter()
                .chain(&args.select.singletons)
                .cloned(),
        )
        .operations(
            select
                .operations
                .iter()
                .chain(&args.select.operations)
                .cloned(),
        );
    if select.all_entity_sets || args.all_entity_sets {
        generator = generator.all_entity_sets();
    }
    let profile = match args.profile {
        Some(ProfileArg::Auto) => Profile::Auto,
        Some(ProfileArg::Fno) => Profile::Fno,
        Some(ProfileArg::Generic) => Profile::Generic,
        None => config.output.profile.unwrap_or_default(),
    };
    generator = generator.profile(match profile {
        Profile::Auto => ProfileChoice::Auto,
        Profile::Fno => ProfileChoice::Fno,
        Profile::Generic => ProfileChoice::Generic,
    });
    for (from, to) in config
        .renames
        .iter()
        .chain(args.renames.iter().map(|(f, t)| (f, t)))
    {
        generator = generator.rename_type(from, to);
    }
    if let Some(runtime) = args
        .runtime_crate
        .as_deref()
        .or(config.output.runtime_crate.as_deref())
    {
        generator = generator.runtime_crate(&runtime_path(runtime));
    }

    generator = generator.rustfmt(!args.no_rustfmt);

    let classify = |e: GenerateError| match e {
        GenerateError::Io { .. } => Failure::failed(&e),
        other => Failure::input(other),
    };
    if args.check {
        let generated = generator.generate().map_err(classify)?;
        for warning in generated.warnings.iter().skip(read_warnings) {
            eprintln!("warning: {warning}");
        }
        let current = std::fs::read(&target).unwrap_or_default();
        if current == generated.code.as_bytes() {
            println!("{} is up to date", target.display());
            return Ok(0);
        }
        eprintln!(
            "{} is out of date: run `d365fo-codegen generate` without --check",
            target.display()
        );
        return Ok(1);
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure {
            code: 1,
            message: format!("cannot create output directory {}: {e}", dir.display()),
        })?;
    }
    let generated = generator.write_to_file(&target).map_err(classify)?;
    for warning in generated.warnings.iter().skip(read_warnings) {
        eprintln!("warning: {warning}");
    }
    println!(
        "wrote {} ({} bytes) from {} (sha256:{})",
        target.display(),
        generated.code.len(),
        metadata.display(),
        generated.fingerprint
    );
    Ok(0)
}

#[cfg(not(feature = "fetch"))]
fn fetch(_args: FetchArgs) -> Result<u8, Failure> {
    Err(Failure::input(
        "this build of d365fo-codegen has no `fetch` (crate feature `fetch` is off)",
    ))
}

#[cfg(feature = "fetch")]
fn fetch(args: FetchArgs) -> Result<u8, Failure> {
    use std::io::IsTerminal as _;
    use std::time::Duration;

    use d365fo_odata_codegen::fetch::{Fetch, FetchError, Progress};

    let config = load_config(&args.config)?;
    let url = args
        .url
        .clone()
        .or_else(|| config.metadata.url.clone())
        .ok_or_else(|| {
            Failure::input("no URL: pass --url URL or set [metadata] url in the configuration")
        })?;
    let out = args
        .out
        .clone()
        .or_else(|| config.metadata.path.clone())
        .ok_or_else(|| {
            Failure::input(
                "no output file: pass --out FILE or set [metadata] path in the configuration",
            )
        })?;
    let fetch_error = |e: FetchError| match e {
        FetchError::Url { .. } => Failure::input(e),
        other => Failure::failed(&other),
    };
    let authorization = authorization(&args)?;

    let mut request = Fetch::new(&url)
        .authorization(authorization)
        .timeout(Duration::from_secs(args.timeout));
    if let Some(scope) = &args.scope {
        request = request.scope(scope);
    }
    let target = request.metadata_url().map_err(fetch_error)?;
    if !args.quiet {
        let terminal = std::io::stderr().is_terminal();
        let every = if terminal {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(2)
        };
        eprintln!("fetching {target}");
        request = request.on_progress(every, move |p: Progress| {
            let line = progress_line(p);
            if terminal {
                eprint!("\r{line}\x1b[K");
                if p.done {
                    eprintln!();
                }
            } else {
                eprintln!("{line}");
            }
        });
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(&e))?;
    let downloaded = runtime.block_on(request.download()).map_err(fetch_error)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Failure {
            code: 1,
            message: format!("cannot create directory {}: {e}", dir.display()),
        })?;
    }
    let saved = downloaded.save(&out).map_err(fetch_error)?;
    println!(
        "saved {} ({} bytes, {} entity sets) sha256:{}",
        saved.path.display(),
        saved.bytes,
        downloaded.document.entity_sets().count(),
        saved.sha256
    );
    println!(
        "fingerprint written to {}",
        saved.fingerprint_path.display()
    );
    Ok(0)
}

#[cfg(feature = "fetch")]
fn progress_line(p: d365fo_odata_codegen::fetch::Progress) -> String {
    let size = |bytes: u64| {
        if bytes >= 1 << 20 {
            format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
        } else {
            format!("{:.1} KiB", bytes as f64 / 1024.0)
        }
    };
    let seconds = p.elapsed.as_secs_f64();
    match p.total {
        Some(total) if total > 0 => format!(
            "received {} of {} ({}%) in {seconds:.1} s",
            size(p.received),
            size(total),
            p.received * 100 / total
        ),
        _ => format!("received {} in {seconds:.1} s", size(p.received)),
    }
}

#[cfg(feature = "fetch")]
fn authorization(args: &FetchArgs) -> Result<d365fo_odata_codegen::fetch::Authorization, Failure> {
    use d365fo_odata_codegen::fetch::Authorization;

    let credential_failure = |e: d365fo_odata_codegen::fetch::FetchError| Failure::failed(&e);
    let need = |value: &Option<String>, what: &str| {
        value
            .clone()
            .ok_or_else(|| Failure::input(format!("--auth client-secret needs {what}")))
    };
    match args.auth {
        AuthMode::Auto => match &args.token {
            Some(token) => Ok(Authorization::bearer(token)),
            None => Authorization::from_env().map_err(credential_failure),
        },
        AuthMode::Env => Authorization::from_env().map_err(credential_failure),
        AuthMode::None => Ok(Authorization::None),
        AuthMode::ClientSecret => Authorization::client_secret(
            &need(&args.tenant_id, "--tenant-id (or AZURE_TENANT_ID)")?,
            &need(&args.client_id, "--client-id (or AZURE_CLIENT_ID)")?,
            &need(
                &args.client_secret,
                "--client-secret (or AZURE_CLIENT_SECRET)",
            )?,
        )
        .map_err(credential_failure),
        AuthMode::ManagedIdentity => {
            Authorization::managed_identity(args.client_id.clone()).map_err(credential_failure)
        }
        AuthMode::WorkloadIdentity => {
            Authorization::workload_identity().map_err(credential_failure)
        }
        AuthMode::AzureCli => Authorization::azure_cli().map_err(credential_failure),
        AuthMode::ClientCertificate => client_certificate(args),
    }
}

#[cfg(all(feature = "fetch", feature = "client-certificate"))]
fn client_certificate(
    args: &FetchArgs,
) -> Result<d365fo_odata_codegen::fetch::Authorization, Failure> {
    let required = |value: &Option<String>, what: &str| {
        value
            .clone()
            .ok_or_else(|| Failure::input(format!("--auth client-certificate needs {what}")))
    };
    let path = args.certificate.clone().ok_or_else(|| {
        Failure::input(
            "--auth client-certificate needs --certificate FILE (or AZURE_CLIENT_CERTIFICATE_PATH)",
        )
    })?;
    let pkcs12 = std::fs::read(&path)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}", path.display())))?;
    d365fo_odata_codegen::fetch::Authorization::client_certificate(
        &required(&args.tenant_id, "--tenant-id (or AZURE_TENANT_ID)")?,
        &required(&args.client_id, "--client-id (or AZURE_CLIENT_ID)")?,
        pkcs12,
        args.certificate_password.clone(),
    )
    .map_err(|e| Failure::failed(&e))
}

#[cfg(all(feature = "fetch", not(feature = "client-certificate")))]
fn client_certificate(
    _args: &FetchArgs,
) -> Result<d365fo_odata_codegen::fetch::Authorization, Failure> {
    Err(Failure::input(
        "--auth client-certificate needs a build with the crate feature `client-certificate`",
    ))
}
