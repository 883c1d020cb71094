//! Checking that a package is a ZIP, from its first and last bytes, while it streams by.

/// The local file header signature `PK\3\4` every ZIP with files starts with.
const LOCAL_HEADER: [u8; 4] = *b"PK\x03\x04";
/// The end of central directory signature `PK\5\6`.
const END_OF_DIRECTORY: [u8; 4] = *b"PK\x05\x06";
/// Size of the end of central directory record without its comment.
const END_RECORD: usize = 22;
/// The end record is within the last 22 + 65,535 (longest comment) bytes.
const TAIL: usize = END_RECORD + u16::MAX as usize;

/// Watches the bytes of a file go by and keeps what the ZIP check needs: the first four bytes,
/// the last 64 KiB and the length.
#[derive(Debug, Default)]
pub(crate) struct ZipProbe {
    head: Vec<u8>,
    tail: Vec<u8>,
    len: u64,
}

impl ZipProbe {
    /// Takes the next chunk of the file.
    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        let wanted = LOCAL_HEADER.len().saturating_sub(self.head.len());
        self.head
            .extend_from_slice(&chunk[..wanted.min(chunk.len())]);
        self.len += chunk.len() as u64;
        if chunk.len() >= TAIL {
            self.tail.clear();
            self.tail.extend_from_slice(&chunk[chunk.len() - TAIL..]);
        } else {
            self.tail.extend_from_slice(chunk);
            let excess = self.tail.len().saturating_sub(TAIL);
            // Trim in large steps only, so that small chunks do not shift 64 KiB each time.
            if excess > TAIL {
                self.tail.drain(..excess);
            }
        }
    }

    /// Counts `n` bytes that are not looked at (the middle of a file read from both ends);
    /// the bytes fed next are the file's end.
    pub(crate) fn skip(&mut self, n: u64) {
        if n > 0 {
            self.len += n;
            self.tail.clear();
        }
    }

    /// The number of bytes seen.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Why the bytes seen are not a ZIP with at least one file, if they are not.
    pub(crate) fn problem(&self) -> Option<String> {
        if self.len == 0 {
            return Some("it is empty".to_owned());
        }
        if self.head != LOCAL_HEADER {
            return Some(format!(
                "it does not start with a ZIP local file header (PK\\3\\4) but with {:02x?}",
                self.head
            ));
        }
        let tail = &self.tail[self.tail.len().saturating_sub(TAIL)..];
        let tail_start = self.len - tail.len() as u64;
        // The end record whose comment runs exactly to the end of the file.
        let end = (0..=tail.len().saturating_sub(END_RECORD))
            .rev()
            .find(|&at| {
                tail[at..at + 4] == END_OF_DIRECTORY
                    && u16_at(tail, at + 20) as usize == tail.len() - at - END_RECORD
            });
        let Some(at) = end else {
            return Some(
                "it has no ZIP end of central directory record (cut off, or not a ZIP)".to_owned(),
            );
        };
        let entries = u16_at(tail, at + 10);
        let directory_size = u32_at(tail, at + 12);
        let directory_offset = u32_at(tail, at + 16);
        if entries == 0 {
            return Some("it is a ZIP without any file".to_owned());
        }
        // ZIP64 archives mark the 32-bit fields as 0xFFFFFFFF; their real values live elsewhere.
        let zip64 = directory_offset == u32::MAX || directory_size == u32::MAX;
        let end_offset = tail_start + at as u64;
        if !zip64 && u64::from(directory_offset) + u64::from(directory_size) > end_offset {
            return Some(format!(
                "its central directory ({directory_size} bytes at offset {directory_offset}) \
                 lies beyond its end record at offset {end_offset} (cut off?)"
            ));
        }
        None
    }
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored (uncompressed) ZIP with one file, written by hand.
    fn zip_with(name: &str, data: &[u8], comment: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&LOCAL_HEADER);
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        let directory_offset = out.len() as u32;
        out.extend_from_slice(b"PK\x01\x02");
        out.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        let directory_size = out.len() as u32 - directory_offset;
        out.extend_from_slice(&END_OF_DIRECTORY);
        out.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
        out.extend_from_slice(&directory_size.to_le_bytes());
        out.extend_from_slice(&directory_offset.to_le_bytes());
        out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
        out.extend_from_slice(comment);
        out
    }

    fn probe(bytes: &[u8], chunk: usize) -> ZipProbe {
        let mut p = ZipProbe::default();
        for c in bytes.chunks(chunk) {
            p.feed(c);
        }
        p
    }

    #[test]
    fn whole_zip_passes_in_any_chunking() {
        let big = vec![b'x'; 200_000];
        let zip = zip_with("Manifest.xml", &big, b"a comment");
        for chunk in [1, 7, 4096, 65_536, 1 << 20] {
            let p = probe(&zip, chunk);
            assert_eq!(p.problem(), None, "chunk {chunk}");
            assert_eq!(p.len(), zip.len() as u64);
        }
    }

    #[test]
    fn cut_off_zip_is_reported() {
        let zip = zip_with("a.csv", &vec![b'y'; 5000], b"");
        let half = probe(&zip[..zip.len() / 2], 1000).problem().unwrap();
        assert!(half.contains("no ZIP end of central directory"), "{half}");
        // The end record survives but the directory before it is cut short.
        let mut spliced = zip[..100].to_vec();
        spliced.extend_from_slice(&zip[zip.len() - END_RECORD..]);
        let shown = probe(&spliced, 64).problem().unwrap();
        assert!(shown.contains("central directory"), "{shown}");
    }

    #[test]
    fn other_content_is_reported() {
        let html = probe(b"<html>Not Found</html>", 4).problem().unwrap();
        assert!(
            html.contains("does not start with a ZIP local file header"),
            "{html}"
        );
        assert_eq!(probe(b"", 4).problem().as_deref(), Some("it is empty"));
        let empty_zip = [&END_OF_DIRECTORY[..], &[0; 18]].concat();
        assert!(probe(&empty_zip, 8).problem().is_some());
    }
}
