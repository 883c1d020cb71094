//! Every example in `examples/` runs against its own local sandbox and exits 0.
//!
//! The examples are found in the `examples/` folder (so a new one is run without touching this
//! file) and executed as the binaries `cargo test` builds next to this test's own binary
//! (`target/<profile>/examples/`). Each runs with no connection variables (so it starts the
//! sandbox), in a fresh working directory that is also its temporary directory, under a time
//! limit; two run at a time.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one example may run before it is killed (a first run also installs the sandbox's npm
/// packages).
const TIME_LIMIT: Duration = Duration::from_secs(180);

/// How many examples run at once: each starts its own sandbox, and CI has two cores.
const PARALLEL: usize = 2;

/// Variables that would point an example at a real environment or give it credentials.
const CONNECTION_VARIABLE_PREFIXES: [&str; 2] = ["D365FO_", "AZURE_"];
const CONNECTION_VARIABLES: [&str; 3] = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT"];

/// The examples' folder.
fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The example targets cargo builds from `dir`: `NAME.rs` files, and folders with a `main.rs`
/// (a folder without one, like `common/`, is a module the examples share). Sorted by name.
fn discover(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let path = entry.path();
        let Some(name) = path.file_stem().and_then(|n| n.to_str()) else {
            continue;
        };
        if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
            found.push((name.to_owned(), path.clone()));
        } else if path.join("main.rs").is_file() {
            found.push((name.to_owned(), path.join("main.rs")));
        }
    }
    found.sort();
    Ok(found)
}

/// Where cargo put the example binaries of this build: `target/<profile>/examples/`, beside the
/// `deps/` folder that holds this test.
fn binaries_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the path of the running test binary");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps/");
    profile_dir.join("examples")
}

/// The binary of example `name`, checked to exist and to be newer than its source.
fn binary_of(name: &str, source: &Path) -> Result<PathBuf, String> {
    let binary = binaries_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let built = std::fs::metadata(&binary).map_err(|_| {
        format!(
            "example {name} was not built: {} does not exist. `cargo test` builds the examples; \
             `cargo test --test examples` alone does not (run `cargo build --examples` first)",
            binary.display()
        )
    })?;
    let written = std::fs::metadata(source).and_then(|m| m.modified());
    if let (Ok(written), Ok(built)) = (written, built.modified())
        && written > built
    {
        return Err(format!(
            "the binary of example {name} is older than {}: rebuild it with `cargo build --examples`",
            source.display()
        ));
    }
    Ok(binary)
}

/// What one run of an example produced.
struct Run {
    name: String,
    outcome: Result<ExitStatus, String>,
    took: Duration,
    stdout: String,
    stderr: String,
}

impl Run {
    fn succeeded(&self) -> bool {
        matches!(&self.outcome, Ok(status) if status.success())
    }

    fn report(&self) -> String {
        let outcome = match &self.outcome {
            Ok(status) => status.to_string(),
            Err(problem) => problem.clone(),
        };
        format!(
            "=== example {} ({outcome}, after {:.1?}) ===\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.name, self.took, self.stdout, self.stderr
        )
    }
}

/// Runs example `name` from `binary` in a new working directory under `scratch`, killing it after
/// [`TIME_LIMIT`].
fn run(name: &str, binary: &Path, scratch: &Path) -> Run {
    let started = Instant::now();
    let work = scratch.join(name);
    let outcome = execute(binary, &work);
    let output = |file: &str| std::fs::read_to_string(work.join(file)).unwrap_or_default();
    Run {
        name: name.to_owned(),
        outcome,
        took: started.elapsed(),
        stdout: output("stdout.txt"),
        stderr: output("stderr.txt"),
    }
}

/// Starts `binary` in `work` with output to files there, and waits for it up to [`TIME_LIMIT`].
fn execute(binary: &Path, work: &Path) -> Result<ExitStatus, String> {
    let io = |what: &str, e: std::io::Error| format!("{what} {}: {e}", work.display());
    std::fs::create_dir_all(work).map_err(|e| io("cannot create", e))?;
    let stdout = std::fs::File::create(work.join("stdout.txt")).map_err(|e| io("output in", e))?;
    let stderr = std::fs::File::create(work.join("stderr.txt")).map_err(|e| io("output in", e))?;
    let mut command = Command::new(binary);
    command
        .current_dir(work)
        .env("TMPDIR", work)
        .env("TEMP", work)
        .env("TMP", work)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if CONNECTION_VARIABLE_PREFIXES
            .iter()
            .any(|p| key.starts_with(p))
            || CONNECTION_VARIABLES.contains(&key)
        {
            command.env_remove(key);
        }
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let deadline = Instant::now() + TIME_LIMIT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                let killed = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "killed after the time limit of {TIME_LIMIT:?} ({})",
                    killed.map_or_else(|e| format!("kill failed: {e}"), |()| "killed".to_owned())
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("cannot wait for the example: {e}")),
        }
    }
}

#[test]
fn discovery_finds_each_example_file_and_skips_the_shared_module() {
    let names: Vec<String> = discover(&examples_dir())
        .unwrap()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for expected in [
        "batch",
        "crud",
        "paging_export",
        "quickstart",
        "regenerate",
        "throttling",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n == "common"), "{names:?}");
}

#[test]
fn every_example_runs_against_the_sandbox_and_exits_0() {
    let examples = discover(&examples_dir()).unwrap();
    assert!(!examples.is_empty(), "no examples found");
    let mut queue = Vec::new();
    let mut missing = Vec::new();
    for (name, source) in &examples {
        match binary_of(name, source) {
            Ok(binary) => queue.push((name.clone(), binary)),
            Err(problem) => missing.push(problem),
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));

    let scratch = std::env::temp_dir().join(format!("d365fo-examples-{}", std::process::id()));
    let started = Instant::now();
    let queue = Mutex::new(queue);
    let runs = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some((name, binary)) = next else { break };
                    let done = run(&name, &binary, &scratch);
                    runs.lock().unwrap().push(done);
                }
            });
        }
    });
    let runs = runs.into_inner().unwrap();
    let mut summary: Vec<String> = runs
        .iter()
        .map(|r| {
            let verdict = if r.succeeded() { "ok" } else { "FAILED" };
            format!("{:<16} {verdict:<6} {:>6.1?}", r.name, r.took)
        })
        .collect();
    summary.sort();
    eprintln!(
        "{} examples in {:.1?} ({PARALLEL} at a time):\n{}",
        runs.len(),
        started.elapsed(),
        summary.join("\n")
    );
    let failed: Vec<String> = runs
        .iter()
        .filter(|r| !r.succeeded())
        .map(Run::report)
        .collect();
    assert!(
        failed.is_empty(),
        "{} example(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert_eq!(runs.len(), examples.len(), "every example ran");
    // Outputs are kept for a failed run only.
    let _ = std::fs::remove_dir_all(&scratch);
}
