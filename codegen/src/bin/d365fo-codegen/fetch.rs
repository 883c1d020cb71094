//! `d365fo-codegen fetch`: the download, its progress line, and the runtime [`Auth`] each
//! `--auth` mode stands for.
//!
//! [`Auth`]: d365fo_odata::Auth

use crate::Failure;
use crate::args::FetchArgs;

#[cfg(not(feature = "fetch"))]
pub(crate) fn run(_args: &FetchArgs) -> Result<u8, Failure> {
    Err(Failure::input(
        "this build of d365fo-codegen has no `fetch` (crate feature `fetch` is off)",
    ))
}

#[cfg(feature = "fetch")]
pub(crate) fn run(args: &FetchArgs) -> Result<u8, Failure> {
    use std::io::IsTerminal as _;
    use std::time::Duration;

    use d365fo_odata_codegen::fetch::{DEFAULT_MAX_METADATA_SIZE, Fetch, FetchError, Progress};

    let config = args.config.load(args.flags())?;
    let url = config.metadata.url.clone().ok_or_else(|| {
        Failure::input("no URL: pass --url URL or set [metadata] url in the configuration")
    })?;
    let out = config.metadata.path.clone().ok_or_else(|| {
        Failure::input(
            "no output file: pass --out FILE or set [metadata] path in the configuration",
        )
    })?;
    let fetch_error = |e: FetchError| match e {
        FetchError::Url { .. } => Failure::input(e),
        other => Failure::failed(&other),
    };
    let auth = auth(args)?;

    let mut request = Fetch::new(&url)
        .auth(auth)
        .timeout(Duration::from_secs(args.timeout))
        .max_size(
            config
                .metadata
                .max_bytes
                .unwrap_or(DEFAULT_MAX_METADATA_SIZE),
        );
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
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure::failed_with(format!("cannot create directory {}: {e}", dir.display()))
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

/// The runtime's [`Auth`](d365fo_odata::Auth) for the `--auth` mode and the credential flags.
#[cfg(feature = "fetch")]
fn auth(args: &FetchArgs) -> Result<d365fo_odata::Auth, Failure> {
    use d365fo_odata::auth::azure_identity::UserAssignedId;
    use d365fo_odata::{Auth, Secret};

    use crate::args::AuthMode;

    let credential_failure = |e: d365fo_odata::Error| Failure::failed(&e);
    let need = |value: &Option<String>, what: &str| {
        value
            .clone()
            .ok_or_else(|| Failure::input(format!("--auth client-secret needs {what}")))
    };
    match args.auth {
        AuthMode::Auto => match &args.token {
            Some(token) => Ok(Auth::Bearer(Secret::new(token))),
            None => Auth::from_env().map_err(credential_failure),
        },
        AuthMode::Env => Auth::from_env().map_err(credential_failure),
        AuthMode::None => Ok(Auth::None),
        AuthMode::ClientSecret => Auth::client_secret(
            need(&args.tenant_id, "--tenant-id (or AZURE_TENANT_ID)")?,
            need(&args.client_id, "--client-id (or AZURE_CLIENT_ID)")?,
            need(
                &args.client_secret,
                "--client-secret (or AZURE_CLIENT_SECRET)",
            )?,
        )
        .map_err(credential_failure),
        AuthMode::ManagedIdentity => {
            Auth::managed_identity(args.client_id.clone().map(UserAssignedId::ClientId))
                .map_err(credential_failure)
        }
        AuthMode::WorkloadIdentity => Auth::workload_identity().map_err(credential_failure),
        AuthMode::AzureCli => Auth::azure_cli().map_err(credential_failure),
        AuthMode::ClientCertificate => client_certificate(args),
    }
}

#[cfg(all(feature = "fetch", feature = "client-certificate"))]
fn client_certificate(args: &FetchArgs) -> Result<d365fo_odata::Auth, Failure> {
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
    d365fo_odata::Auth::client_certificate(
        required(&args.tenant_id, "--tenant-id (or AZURE_TENANT_ID)")?,
        required(&args.client_id, "--client-id (or AZURE_CLIENT_ID)")?,
        pkcs12,
        args.certificate_password.clone(),
    )
    .map_err(|e| Failure::failed(&e))
}

#[cfg(all(feature = "fetch", not(feature = "client-certificate")))]
fn client_certificate(_args: &FetchArgs) -> Result<d365fo_odata::Auth, Failure> {
    Err(Failure::input(
        "--auth client-certificate needs a build with the crate feature `client-certificate`",
    ))
}
