//! What the generator does outside itself: formatting with `rustfmt`, fingerprinting the
//! metadata, writing the output file atomically.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::GenerateError;

/// Formats `code` with `rustfmt --edition 2024`, fed through stdin (written from another thread
/// so that neither side blocks on a full pipe).
pub(super) fn rustfmt(code: &str) -> Result<String, GenerateError> {
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

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), GenerateError> {
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
