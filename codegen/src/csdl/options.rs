//! How to read a document: lenient or strict, where referenced documents are found, and the
//! limits that keep hostile input from exhausting memory or the stack.

use std::path::{Path, PathBuf};

/// Default [`ReadOptions::max_bytes`]: 512 MiB (a full F&O document is 28–52 MB).
pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;

/// Default [`ReadOptions::max_depth`]: 256 nested elements (real documents nest fewer than 20).
pub const DEFAULT_MAX_DEPTH: u32 = 256;

/// How many `edmx:Reference` levels are followed (a document, the documents it references, the
/// documents those reference, ...).
pub const MAX_REFERENCE_DEPTH: u32 = 8;

/// How many referenced documents one read loads at most.
pub const MAX_REFERENCED_DOCUMENTS: usize = 64;

/// Options for [`Document::parse_with`] and [`Document::from_path_with`].
///
/// The default reads as Microsoft's OData readers do: facet values in any letter case,
/// standard vocabularies used without a reference, a function and a type of the same name —
/// each accepted with a [`Warning`]. [`strict`](Self::strict) turns those back into errors.
///
/// ```
/// use d365fo_odata_codegen::csdl::ReadOptions;
///
/// let options = ReadOptions::new().strict(true).reference_dir("metadata/vocabularies");
/// assert!(options.is_strict());
/// ```
///
/// [`Document::parse_with`]: crate::csdl::Document::parse_with
/// [`Document::from_path_with`]: crate::csdl::Document::from_path_with
/// [`Warning`]: crate::csdl::Warning
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    strict: bool,
    reference_dirs: Vec<PathBuf>,
    base_dir: Option<PathBuf>,
    max_bytes: u64,
    max_depth: u32,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions::new()
    }
}

impl ReadOptions {
    /// Lenient reading, no extra reference directories, the default limits.
    pub fn new() -> Self {
        ReadOptions {
            strict: false,
            reference_dirs: Vec::new(),
            base_dir: None,
            max_bytes: DEFAULT_MAX_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    /// Whether to reject what the specification does not allow, even where Microsoft's readers
    /// accept it (default `false`): a facet value in the wrong letter case, a vocabulary used
    /// without a reference, two schema elements of different kinds with one name, a referenced
    /// document that cannot be found.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Adds a directory in which referenced documents are looked for by file name (the last
    /// segment of the reference's `Uri`), after the directory of the document itself.
    pub fn reference_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.reference_dirs.push(dir.into());
        self
    }

    /// The directory relative reference URIs resolve against. [`Document::from_path_with`]
    /// sets it to the document's directory; set it for documents parsed from memory.
    ///
    /// [`Document::from_path_with`]: crate::csdl::Document::from_path_with
    pub fn base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = Some(dir.into());
        self
    }

    /// Largest document accepted, in bytes (default [`DEFAULT_MAX_BYTES`]); larger ones fail
    /// with [`ErrorKind::TooLarge`](crate::csdl::ErrorKind::TooLarge) before being read.
    pub fn max_bytes(mut self, limit: u64) -> Self {
        self.max_bytes = limit;
        self
    }

    /// Deepest element nesting accepted (default [`DEFAULT_MAX_DEPTH`]); deeper documents fail
    /// with [`ErrorKind::TooDeep`](crate::csdl::ErrorKind::TooDeep) instead of exhausting the
    /// stack. At least 8 levels are always allowed.
    pub fn max_depth(mut self, limit: u32) -> Self {
        self.max_depth = limit.max(8);
        self
    }

    /// Whether strict reading is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// The extra reference directories, in search order.
    pub fn reference_dirs(&self) -> &[PathBuf] {
        &self.reference_dirs
    }

    /// The directory relative reference URIs resolve against, if set.
    pub fn base(&self) -> Option<&Path> {
        self.base_dir.as_deref()
    }

    /// The size limit in bytes.
    pub fn byte_limit(&self) -> u64 {
        self.max_bytes
    }

    /// The nesting limit.
    pub fn depth_limit(&self) -> u32 {
        self.max_depth
    }
}
