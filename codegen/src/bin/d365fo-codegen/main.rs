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

mod args;
mod fetch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser as _;
use d365fo_odata_codegen::config::Config;
use d365fo_odata_codegen::csdl::{Document, ReadOptions};
use d365fo_odata_codegen::diff;
use d365fo_odata_codegen::list::Listing;
use d365fo_odata_codegen::{GenerateError, Generator};

use args::{Cli, Command, DiffArgs, GenerateArgs, ListArgs};

/// A failure with its exit code.
pub(crate) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// Usage or input error (exit 2).
    pub(crate) fn input(error: impl std::fmt::Display) -> Self {
        Failure {
            code: 2,
            message: error.to_string(),
        }
    }

    /// An operation that failed (exit 1).
    pub(crate) fn failed(error: &(dyn std::error::Error + 'static)) -> Self {
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

    /// An operation that failed, with a message of its own (exit 1).
    pub(crate) fn failed_with(message: String) -> Self {
        Failure { code: 1, message }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(args) => generate(&args),
        Command::List(args) => list(&args),
        Command::Fetch(args) => fetch::run(&args),
        Command::Diff(args) => diff(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn metadata_path(config: &Config) -> Result<PathBuf, Failure> {
    config.metadata.path.clone().ok_or_else(|| {
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

fn list(args: &ListArgs) -> Result<u8, Failure> {
    let config = args.config.load(args.flags())?;
    let path = metadata_path(&config)?;
    let doc = read_document(&path, &config.metadata.read_options())?;
    let listing = Listing::new(&doc, args.search.as_deref());
    if listing.is_empty() {
        match &args.search {
            Some(search) => eprintln!("nothing in {} matches `{search}`", path.display()),
            None => eprintln!("{} declares nothing to list", path.display()),
        }
        return Ok(0);
    }
    let width = args.width.unwrap_or_else(terminal_width);
    print!("{}", listing.to_table(width));
    Ok(0)
}

/// The width to wrap to: `COLUMNS` when set to a number, else the terminal's width when stdout
/// is one, else 100.
fn terminal_width() -> usize {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return columns;
    }
    terminal_size::terminal_size().map_or(100, |(terminal_size::Width(w), _)| usize::from(w))
}

fn diff(args: &DiffArgs) -> Result<u8, Failure> {
    let config = args.config.load(args.flags())?;
    let options = config.metadata.read_options();
    let old = read_document(&args.old, &options)?;
    let new = read_document(&args.new, &options)?;
    let report = diff::diff(&old, &new, &config.select).map_err(Failure::input)?;
    print!("{report}");
    Ok(u8::from(report.is_breaking()))
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

/// The command line's words for a generator error: flags, not library methods.
fn generate_failure(error: GenerateError) -> Failure {
    match error {
        GenerateError::Io { .. } => Failure::failed(&error),
        GenerateError::EmptySelection { source_name } => Failure::input(format!(
            "nothing to generate from {source_name}: pass --entity-set NAME, --singleton NAME, \
             --operation NAME or --all-entity-sets, or list names in the configuration's \
             [select] section"
        )),
        GenerateError::RuntimePath(path) => Failure::input(format!(
            "the runtime crate path {path:?} (--runtime-crate, or [output] runtime_crate in the \
             configuration) is not a Rust path such as `d365fo_odata` or `crate::odata`"
        )),
        GenerateError::Rustfmt(message) => Failure::input(format!(
            "cannot format the generated code with rustfmt: {message} (or pass --no-rustfmt)"
        )),
        other => Failure::input(other),
    }
}

fn generate(args: &GenerateArgs) -> Result<u8, Failure> {
    let config = args.config.load(args.flags())?;
    metadata_path(&config)?;
    let out = config.output.path.clone().ok_or_else(|| {
        Failure::input("no output path: pass --out PATH or set [output] path in the configuration")
    })?;
    let target = output_file(&out);

    let generator = Generator::from_config(&config).map_err(|e| match e {
        GenerateError::Io { path, source } => {
            Failure::input(format!("cannot read {}: {source}", path.display()))
        }
        other => generate_failure(other),
    })?;
    // Reader warnings come first in `Generated::warnings`; print them now, so that they are seen
    // when generation fails too, and skip them below.
    let read_warnings = generator.document().warnings().len();
    for warning in generator.document().warnings() {
        eprintln!("warning: {warning}");
    }
    let generator = generator.rustfmt(!args.no_rustfmt);

    if args.check {
        let generated = generator.generate().map_err(generate_failure)?;
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
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::failed_with(format!(
                "cannot create output directory {}: {e}",
                dir.display()
            ))
        })?;
    }
    let generated = generator.write_to_file(&target).map_err(generate_failure)?;
    for warning in generated.warnings.iter().skip(read_warnings) {
        eprintln!("warning: {warning}");
    }
    println!(
        "wrote {} ({} bytes) from {} (sha256:{})",
        target.display(),
        generated.code.len(),
        config
            .metadata
            .path
            .as_deref()
            .unwrap_or(Path::new(""))
            .display(),
        generated.fingerprint
    );
    Ok(0)
}
