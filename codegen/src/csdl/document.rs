//! Reading a [`Document`]: from bytes or a file, with [`ReadOptions`], through the reference
//! loader (which runs the reader and the resolver).

use std::io::BufReader;
use std::path::Path;

use super::error::{Error, ErrorKind, RawError};
use super::model::Document;
use super::options::ReadOptions;
use super::references::{Loader, Source, check_size};

impl Document {
    /// Parses a CSDL XML document held in memory, leniently (see [`ReadOptions`]).
    ///
    /// `source_name` names the document in error messages (usually its path or URL). Accepts an
    /// `edmx:Edmx` root (CSDL 4.0/4.01) or a bare `Schema` root, with or without a UTF-8 BOM.
    ///
    /// # Errors
    /// Malformed XML, a wrong root element, an OData v2/v3 document, missing or invalid
    /// attributes, keys naming missing or unsuitable properties, unknown type references,
    /// duplicate names, nesting deeper than 256 levels and documents over 512 MiB, each with
    /// line, column and element path.
    pub fn parse(bytes: &[u8], source_name: impl Into<String>) -> Result<Document, Error> {
        Self::parse_with(bytes, source_name, &ReadOptions::new())
    }

    /// Parses a document held in memory with the given options. Relative reference URIs
    /// resolve against [`ReadOptions::base_dir`], when set.
    ///
    /// # Errors
    /// As [`Document::parse`]; in strict mode also the leniencies listed at
    /// [`ReadOptions::strict`].
    pub fn parse_with(
        bytes: &[u8],
        source_name: impl Into<String>,
        options: &ReadOptions,
    ) -> Result<Document, Error> {
        Self::parse_file_bytes(bytes, source_name.into(), options, None)
    }

    /// As [`Document::parse_with`], for the bytes of the file at `root` (so that a document
    /// referencing that file back does not read it again).
    pub(crate) fn parse_file_bytes(
        bytes: &[u8],
        source_name: String,
        options: &ReadOptions,
        root: Option<&Path>,
    ) -> Result<Document, Error> {
        check_size(bytes.len() as u64, options).map_err(|e| e.locate(&source_name, None))?;
        let mut loader = Loader::new(options);
        if let Some(root) = root {
            loader = loader.root(root);
        }
        loader.document(
            bytes,
            bytes.len() as u64,
            &source_name,
            &Source::Bytes(bytes),
            options.base(),
            0,
        )
    }

    /// Reads and parses a CSDL XML file leniently, streaming it through a buffered reader (the
    /// file is not held in memory). References resolve against the file's directory.
    ///
    /// # Errors
    /// As [`Document::parse`], plus I/O errors. Positions are computed by re-reading the file
    /// when an error occurs.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Document, Error> {
        Self::from_path_with(path, &ReadOptions::new())
    }

    /// Reads and parses a CSDL XML file with the given options.
    ///
    /// # Errors
    /// As [`Document::from_path`]; [`ErrorKind::TooLarge`] before reading when the file is
    /// larger than [`ReadOptions::max_bytes`].
    pub fn from_path_with(
        path: impl AsRef<Path>,
        options: &ReadOptions,
    ) -> Result<Document, Error> {
        let path = path.as_ref();
        let source_name = path.display().to_string();
        let io = |e| RawError::new(0, String::new(), ErrorKind::Io(e)).locate(&source_name, None);
        let file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        check_size(size, options).map_err(|e| e.locate(&source_name, None))?;
        let input = BufReader::with_capacity(64 * 1024, file);
        let base = match options.base() {
            Some(base) => Some(base.to_owned()),
            None => path.parent().map(Path::to_owned),
        };
        Loader::new(options).root(path).document(
            input,
            size,
            &source_name,
            &Source::File(path),
            base.as_deref(),
            0,
        )
    }
}
