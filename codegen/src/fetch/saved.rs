//! [`Downloaded`] and [`Saved`]: a checked document, and writing it with its fingerprint.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::FetchError;
use crate::csdl::Document;

/// A downloaded, checked `$metadata` document, not yet saved.
#[derive(Debug)]
pub struct Downloaded {
    /// The URL it came from.
    pub url: String,
    /// The body as received.
    pub body: Vec<u8>,
    /// SHA-256 of the body, lowercase hex.
    pub sha256: String,
    /// The parsed document.
    pub document: Document,
    /// How long the download took.
    pub elapsed: Duration,
}

/// Where a document was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The metadata file.
    pub path: PathBuf,
    /// The fingerprint file next to it (`<path>.sha256`, in `sha256sum` format).
    pub fingerprint_path: PathBuf,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

impl Downloaded {
    /// Writes the document to `path` and its fingerprint to `<path>.sha256`
    /// (`<hex>  <file name>`, checkable with `sha256sum -c`). Each file is written to a
    /// temporary file in the same directory and renamed into place, so an interrupted or failed
    /// save leaves the previous files intact.
    ///
    /// # Errors
    /// [`FetchError::Io`] naming the path that could not be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<Saved, FetchError> {
        let path = path.as_ref();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| FetchError::Io {
                path: path.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the output path names no file",
                ),
            })?;
        let fingerprint_path = sidecar_path(path);
        write_atomically(path, &self.body)?;
        write_atomically(
            &fingerprint_path,
            format!("{}  {file_name}\n", self.sha256).as_bytes(),
        )?;
        Ok(Saved {
            path: path.to_owned(),
            fingerprint_path,
            sha256: self.sha256.clone(),
            bytes: self.body.len() as u64,
        })
    }
}

/// `<path>.sha256`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it to `path`.
///
/// # Errors
/// [`FetchError::Io`] naming `path`; the temporary file is removed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let io = |source| FetchError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let result = result.and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::super::sha256_hex;
    use super::*;

    fn url() -> url::Url {
        url::Url::parse("http://127.0.0.1:1/data/$metadata").unwrap()
    }

    #[test]
    fn save_writes_the_file_and_its_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let body = b"<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\"><edmx:DataServices/></edmx:Edmx>".to_vec();
        let downloaded = Downloaded {
            url: url().to_string(),
            sha256: sha256_hex(&body),
            document: Document::parse(&body, "x").unwrap(),
            body,
            elapsed: Duration::ZERO,
        };
        let saved = downloaded.save(dir.path().join("fno.xml")).unwrap();
        let sidecar = std::fs::read_to_string(&saved.fingerprint_path).unwrap();
        assert_eq!(sidecar, format!("{}  fno.xml\n", saved.sha256));
        assert_eq!(saved.sha256.len(), 64);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }
}
