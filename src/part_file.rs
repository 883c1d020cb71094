//! [`PartFile`]: a download written next to its destination and moved into place only when whole.

use std::io;
use std::path::{Path, PathBuf};

use tokio::fs::File;
use tokio::io::{AsyncWriteExt, BufWriter};

/// Buffer size of the writer: downloads arrive in chunks of this order.
const BUFFER: usize = 64 * 1024;

/// A file being written at `<path>.part`. [`commit`](Self::commit) flushes it, syncs it and
/// renames it to `<path>` (replacing a file there); dropped without a successful commit, the
/// partial file is removed, so a failed download leaves neither a partial file nor a damaged
/// earlier one.
pub(crate) struct PartFile {
    partial: PathBuf,
    target: PathBuf,
    file: Option<BufWriter<File>>,
}

impl PartFile {
    /// Creates (or truncates) `<path>.part`.
    pub(crate) async fn create(path: &Path) -> io::Result<PartFile> {
        let partial = partial_path(path);
        let file = File::create(&partial).await?;
        Ok(PartFile {
            partial,
            target: path.to_owned(),
            file: Some(BufWriter::with_capacity(BUFFER, file)),
        })
    }

    /// The partial file's path, for messages.
    pub(crate) fn path(&self) -> &Path {
        &self.partial
    }

    /// The writer into the partial file.
    pub(crate) fn writer(&mut self) -> &mut BufWriter<File> {
        self.file.as_mut().expect("present until commit")
    }

    /// Flushes and syncs the partial file and renames it to the destination. On error the
    /// partial file is removed (when `self` drops).
    pub(crate) async fn commit(mut self) -> io::Result<()> {
        let mut writer = self.file.take().expect("present until commit");
        writer.flush().await?;
        let file = writer.into_inner();
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&self.partial, &self.target).await?;
        // Renamed: nothing left to remove.
        self.partial = PathBuf::new();
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.partial.as_os_str().is_empty() {
            // Best effort: the file may be gone already.
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

/// `path` with `.part` appended to its file name.
pub(crate) fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_partial_file_sits_next_to_the_destination() {
        assert_eq!(
            partial_path(Path::new("/tmp/out/package.zip")),
            Path::new("/tmp/out/package.zip.part")
        );
    }

    #[tokio::test]
    async fn commit_moves_the_file_and_drop_without_commit_removes_it() {
        let dir = std::env::temp_dir().join(format!("part-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("a.bin");

        let mut part = PartFile::create(&target).await.unwrap();
        part.writer().write_all(b"whole").await.unwrap();
        part.commit().await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
        assert!(!partial_path(&target).exists());

        let mut part = PartFile::create(&target).await.unwrap();
        part.writer().write_all(b"half").await.unwrap();
        assert!(partial_path(&target).exists());
        drop(part);
        assert!(!partial_path(&target).exists());
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"whole",
            "earlier file untouched"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
