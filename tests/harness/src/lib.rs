//! Starts the local F&O-shaped OData sandbox (SAP CAP + SQLite, in `tests/sandbox/`) for tests and
//! examples.
//!
//! [`Sandbox::shared`] starts one server per process on a free loopback port, installing its npm
//! packages with `npm ci` first when they are missing. The server exits by itself when this
//! process ends (it watches its standard input, which closes with us), so no `node` process is left
//! behind even when a test binary is killed. [`Sandbox::builder`] starts a separate, private one.
//!
//! Failures never hang: installing and starting are bounded by timeouts, and every error carries
//! the cause and the tail of the server's log.

mod faults;
mod seed;

use std::fmt;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use faults::{Fault, FaultKind, TAG_HEADER};
pub use seed::SeedCounts;

/// The bearer token the shared sandbox requires.
pub const SHARED_TOKEN: &str = "sandbox-test-token";

/// The company the sandbox treats as the caller's default company.
pub const DEFAULT_COMPANY: &str = "usmf";

/// What the server prints on standard output once it answers requests.
const READY_PREFIX: &str = "SANDBOX READY ";

/// Lines of the server log quoted in errors.
const LOG_TAIL_LINES: usize = 40;

/// A running sandbox server.
pub struct Sandbox {
    base_url: String,
    token: Option<String>,
    log_path: PathBuf,
    started_in: Duration,
    child: Mutex<Child>,
    // Held only so that the server's standard input stays open while we live.
    _stdin: Mutex<ChildStdin>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("log_path", &self.log_path)
            .finish_non_exhaustive()
    }
}

/// Why the sandbox could not be started.
#[derive(Debug)]
#[non_exhaustive]
pub enum SandboxError {
    /// `node` or `npm` is not installed.
    ToolMissing {
        /// The missing program.
        tool: &'static str,
    },
    /// `npm ci` failed or took too long.
    Install {
        /// What happened.
        reason: String,
        /// The last lines of npm's output.
        log_tail: String,
    },
    /// The server process ended before it was ready (port taken, a crash at start).
    ExitedEarly {
        /// How it ended.
        status: ExitStatus,
        /// The last lines of its log.
        log_tail: String,
    },
    /// The server did not report readiness in time; it has been killed.
    NotReady {
        /// How long we waited.
        after: Duration,
        /// The last lines of its log.
        log_tail: String,
    },
    /// A file or process operation failed.
    Io {
        /// What was being done.
        action: String,
        /// The error.
        source: std::io::Error,
    },
    /// A request to the sandbox's control API failed.
    Control {
        /// What was asked and what came back.
        message: String,
    },
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxError::ToolMissing { tool } => write!(
                f,
                "`{tool}` was not found on PATH. The local OData sandbox needs Node.js 20 or newer \
                 with npm: install them (Debian/Ubuntu: `apt-get install nodejs npm`; others: \
                 https://nodejs.org) and run again"
            ),
            SandboxError::Install { reason, log_tail } => {
                write!(
                    f,
                    "installing the sandbox's npm packages failed: {reason}\n--- npm output (tail) ---\n{log_tail}"
                )
            }
            SandboxError::ExitedEarly { status, log_tail } => write!(
                f,
                "the sandbox server exited before it was ready ({status})\n--- sandbox log (tail) ---\n{log_tail}"
            ),
            SandboxError::NotReady { after, log_tail } => write!(
                f,
                "the sandbox server was not ready after {after:?} and was stopped\n--- sandbox log (tail) ---\n{log_tail}"
            ),
            SandboxError::Io { action, source } => write!(f, "{action}: {source}"),
            SandboxError::Control { message } => {
                write!(f, "sandbox control request failed: {message}")
            }
        }
    }
}

impl std::error::Error for SandboxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SandboxError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn io_error(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> SandboxError {
    let action = action.into();
    move |source| SandboxError::Io { action, source }
}

/// Options for starting a private sandbox; made by [`Sandbox::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SandboxBuilder {
    port: u16,
    token: Option<String>,
    default_company: String,
    wire: Wire,
    latency: Duration,
    bulk_rows: u32,
    ready_timeout: Duration,
    install_timeout: Duration,
}

/// The response shapes the sandbox answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wire {
    /// As real F&O environments answer (the default): nested failed change sets holding only the
    /// failing part, absolute `$skip`/`$top` next links, base64 `RecVersion,RecId` ETags, F&O
    /// error bodies.
    #[default]
    Fno,
    /// The shapes the OData specification and SAP CAP prefer.
    Cap,
}

impl Wire {
    /// The value of the server's `--wire` flag.
    pub fn flag(self) -> &'static str {
        match self {
            Wire::Fno => "fno",
            Wire::Cap => "cap",
        }
    }
}

impl SandboxBuilder {
    /// Listens on `port` instead of a free port chosen by the server.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Requires `Authorization: Bearer <token>` on `/data` requests.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The company reads are scoped to without `cross-company=true` (default `usmf`).
    pub fn default_company(mut self, company: impl Into<String>) -> Self {
        self.default_company = company.into();
        self
    }

    /// The response shapes to answer in (default [`Wire::Fno`]).
    pub fn wire(mut self, wire: Wire) -> Self {
        self.wire = wire;
        self
    }

    /// Delays every `/data` request (not `$metadata`, not the control routes) by `latency`, as a
    /// real F&O environment spends 100-500 ms per page (default: none; whole milliseconds, at
    /// most 60 s).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Seeds company `bulk` with `rows` more customers (`BK-…`), for throughput measurements
    /// (default: none).
    pub fn bulk_rows(mut self, rows: u32) -> Self {
        self.bulk_rows = rows;
        self
    }

    /// How long to wait for the server to report readiness (default 120 s).
    pub fn ready_timeout(mut self, timeout: Duration) -> Self {
        self.ready_timeout = timeout;
        self
    }

    /// Installs the npm packages if needed, starts the server and waits until it is ready.
    ///
    /// # Errors
    /// [`SandboxError`] naming the cause, with the log tail where there is one.
    pub fn start(self) -> Result<Sandbox, SandboxError> {
        Sandbox::start(self)
    }
}

impl Sandbox {
    /// The folder holding the sandbox service (`tests/sandbox`).
    pub fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../sandbox")
    }

    /// Options for a private sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            port: 0,
            token: None,
            default_company: DEFAULT_COMPANY.to_owned(),
            wire: Wire::default(),
            latency: Duration::ZERO,
            bulk_rows: 0,
            ready_timeout: Duration::from_secs(120),
            install_timeout: Duration::from_secs(600),
        }
    }

    /// The sandbox shared by everything in this process, started on first use, requiring
    /// [`SHARED_TOKEN`].
    ///
    /// # Panics
    /// When the sandbox cannot be started; the message says why and quotes its log.
    pub fn shared() -> &'static Sandbox {
        static SHARED: OnceLock<Result<Sandbox, String>> = OnceLock::new();
        let started = SHARED.get_or_init(|| {
            Sandbox::builder()
                .token(SHARED_TOKEN)
                .start()
                .map_err(|e| e.to_string())
        });
        match started {
            Ok(sandbox) => sandbox,
            Err(message) => panic!("cannot start the local OData sandbox: {message}"),
        }
    }

    /// `http://127.0.0.1:<port>`, the server's origin.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The OData service root, `http://127.0.0.1:<port>/data/`.
    pub fn service_root(&self) -> String {
        format!("{}/data/", self.base_url)
    }

    /// The bearer token the server requires, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// How long the server took from spawn to readiness.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// Where the server writes its log.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last lines of the server log.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log_path)
    }

    /// The row counts the seed script creates.
    ///
    /// # Errors
    /// [`SandboxError::Io`] or [`SandboxError::Control`] when the counts file cannot be read.
    pub fn seed_counts() -> Result<SeedCounts, SandboxError> {
        SeedCounts::load(&Sandbox::dir())
    }

    fn start(options: SandboxBuilder) -> Result<Sandbox, SandboxError> {
        let dir = Sandbox::dir();
        require_tool("node")?;
        install_packages(&dir, options.install_timeout)?;

        let run_dir = dir.join(".run");
        fs::create_dir_all(&run_dir)
            .map_err(io_error(format!("creating {}", run_dir.display())))?;
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let log_path = run_dir.join(format!(
            "sandbox-{}-{}.log",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let log = File::create(&log_path)
            .map_err(io_error(format!("creating {}", log_path.display())))?;

        let mut command = Command::new("node");
        command
            .arg("server.js")
            .arg("--port")
            .arg(options.port.to_string())
            .arg("--default-company")
            .arg(&options.default_company)
            .arg("--wire")
            .arg(options.wire.flag())
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        if let Some(token) = &options.token {
            command.arg("--token").arg(token);
        }
        if !options.latency.is_zero() {
            let ms = options.latency.as_millis().clamp(1, 60_000);
            command.arg("--latency-ms").arg(ms.to_string());
        }
        if options.bulk_rows > 0 {
            command
                .arg("--bulk-rows")
                .arg(options.bulk_rows.to_string());
        }
        let began = Instant::now();
        let mut child = command
            .spawn()
            .map_err(io_error("starting `node server.js`"))?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");

        // The reader thread reports the READY line, then keeps draining standard output so the
        // server never blocks on a full pipe.
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.strip_prefix(READY_PREFIX)
                    && let Some(tx) = ready_tx.take()
                {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });

        let deadline = began + options.ready_timeout;
        let base_url = loop {
            match ready_rx.recv_timeout(Duration::from_millis(100)) {
                Ok(url) => break url,
                Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {}
            }
            if let Some(status) = child
                .try_wait()
                .map_err(io_error("waiting for the sandbox"))?
            {
                return Err(SandboxError::ExitedEarly {
                    status,
                    log_tail: log_tail(&log_path),
                });
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SandboxError::NotReady {
                    after: options.ready_timeout,
                    log_tail: log_tail(&log_path),
                });
            }
        };
        Ok(Sandbox {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: options.token,
            log_path,
            started_in: began.elapsed(),
            child: Mutex::new(child),
            _stdin: Mutex::new(stdin),
        })
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Ok(child) = self.child.get_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn require_tool(tool: &'static str) -> Result<(), SandboxError> {
    match Command::new(tool)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(SandboxError::ToolMissing { tool })
        }
        Err(e) => Err(io_error(format!("running `{tool} --version`"))(e)),
    }
}

/// `true` when `node_modules` matches the lock file (npm writes `node_modules/.package-lock.json`
/// at the end of a successful install).
fn packages_installed(dir: &Path) -> bool {
    let modified = |p: PathBuf| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(dir.join("node_modules/.package-lock.json")),
        modified(dir.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    }
}

/// Runs `npm ci` when the packages are missing or stale. A file lock keeps concurrent test
/// binaries from installing at the same time.
fn install_packages(dir: &Path, timeout: Duration) -> Result<(), SandboxError> {
    if packages_installed(dir) {
        return Ok(());
    }
    let run_dir = dir.join(".run");
    fs::create_dir_all(&run_dir).map_err(io_error(format!("creating {}", run_dir.display())))?;
    let lock = File::create(run_dir.join("install.lock"))
        .map_err(io_error("creating the install lock"))?;
    lock.lock().map_err(io_error("taking the install lock"))?;
    if packages_installed(dir) {
        return Ok(());
    }
    require_tool("npm")?;
    let log_path = run_dir.join("npm-ci.log");
    let log =
        File::create(&log_path).map_err(io_error(format!("creating {}", log_path.display())))?;
    let log_err = log
        .try_clone()
        .map_err(io_error("duplicating the npm log handle"))?;
    let mut child = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err))
        .spawn()
        .map_err(io_error("starting `npm ci`"))?;
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().map_err(io_error("waiting for `npm ci`"))? {
            if status.success() {
                return Ok(());
            }
            return Err(SandboxError::Install {
                reason: format!("`npm ci` in {} ended with {status}", dir.display()),
                log_tail: log_tail(&log_path),
            });
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SandboxError::Install {
                reason: format!("`npm ci` did not finish within {timeout:?}"),
                log_tail: log_tail(&log_path),
            });
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The last [`LOG_TAIL_LINES`] lines of a log file (at most its last 64 KiB).
fn log_tail(path: &Path) -> String {
    let Ok(mut file) = File::open(path) else {
        return format!("(no log at {})", path.display());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
    if tail.is_empty() {
        format!("(log {} is empty)", path.display())
    } else {
        tail
    }
}
