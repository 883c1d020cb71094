//! Reading a crate: the limits of the analysis, its errors, and the module each file defines.

use std::fmt;
use std::path::{Path, PathBuf};

/// At most this many `.rs` files are read per crate.
pub(crate) const MAX_FILES: usize = 5_000;
/// A file larger than this is refused rather than read.
pub(crate) const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Folders nested deeper than this below the crate root are refused.
pub(crate) const MAX_DIR_DEPTH: usize = 32;
/// `use` trees nested deeper than this (`a::{b::{c::{…}}}`) are refused.
pub(crate) const MAX_USE_NESTING: usize = 16;

/// A module path below the crate root: `["query", "select"]` is `crate::query::select`.
pub(crate) type ModPath = Vec<String>;

/// Why the analysis could not run: what went wrong, and in which file or folder.
#[derive(Debug)]
pub(crate) enum GraphError {
    /// A file or folder could not be read.
    Read { path: PathBuf, reason: String },
    /// The crate holds more `.rs` files than [`MAX_FILES`].
    TooManyFiles { root: PathBuf },
    /// A file is larger than [`MAX_FILE_BYTES`].
    FileTooLarge { path: PathBuf, bytes: u64 },
    /// Folders are nested deeper than [`MAX_DIR_DEPTH`].
    TooDeep { path: PathBuf },
    /// Two files claim the same module (`a.rs` beside `a/mod.rs`).
    DuplicateModule {
        module: String,
        first: String,
        second: String,
    },
    /// A comment, literal or brace opened on `line` is never closed.
    Unterminated {
        file: String,
        line: usize,
        what: &'static str,
    },
    /// A `}` on `line` closes nothing.
    StrayBrace { file: String, line: usize },
    /// A `use` tree on `line` is nested deeper than [`MAX_USE_NESTING`].
    UseTooDeep { file: String, line: usize },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, reason } => write!(f, "cannot read {}: {reason}", path.display()),
            Self::TooManyFiles { root } => {
                write!(
                    f,
                    "{} holds more than {MAX_FILES} .rs files",
                    root.display()
                )
            }
            Self::FileTooLarge { path, bytes } => write!(
                f,
                "{} is {bytes} bytes, more than the {MAX_FILE_BYTES} read",
                path.display()
            ),
            Self::TooDeep { path } => write!(
                f,
                "{} is nested more than {MAX_DIR_DEPTH} folders deep",
                path.display()
            ),
            Self::DuplicateModule {
                module,
                first,
                second,
            } => {
                write!(
                    f,
                    "module `{module}` is defined by both {first} and {second}"
                )
            }
            Self::Unterminated { file, line, what } => {
                write!(f, "{file}:{line}: {what} is never closed")
            }
            Self::StrayBrace { file, line } => write!(f, "{file}:{line}: `}}` closes nothing"),
            Self::UseTooDeep { file, line } => write!(
                f,
                "{file}:{line}: `use` tree nested more than {MAX_USE_NESTING} levels deep"
            ),
        }
    }
}

/// One source file of a crate and the module it defines.
pub(crate) struct SourceFile {
    /// The path shown in messages (`src/client/mod.rs`).
    pub(crate) display: String,
    /// The module the file defines.
    pub(crate) module: ModPath,
    /// The file's text.
    pub(crate) text: String,
}

/// The module a file defines, from its path relative to the crate's `src/` folder, or `None`
/// for a file that is test-only or part of a binary.
pub(crate) fn module_of(relative: &Path) -> Option<ModPath> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let stem = parts.pop()?.strip_suffix(".rs")?.to_owned();
    let test_only = stem == "tests" || stem == "test_server" || parts.iter().any(|p| p == "tests");
    if test_only || parts.iter().any(|p| p == "bin") {
        return None;
    }
    match stem.as_str() {
        "mod" => {}
        "lib" | "main" if parts.is_empty() => {}
        _ => parts.push(stem),
    }
    Some(parts)
}

/// Reads every `.rs` file under `root` (a crate's `src/` folder) that defines a module.
pub(crate) fn load_crate(root: &Path) -> Result<Vec<SourceFile>, GraphError> {
    let label = root
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(root)
        .to_path_buf();
    let read_error = |path: &Path, error: std::io::Error| GraphError::Read {
        path: path.to_path_buf(),
        reason: error.to_string(),
    };
    let mut files = Vec::new();
    let mut folders = vec![(root.to_path_buf(), 0_usize)];
    while let Some((folder, depth)) = folders.pop() {
        if depth > MAX_DIR_DEPTH {
            return Err(GraphError::TooDeep { path: folder });
        }
        let entries = std::fs::read_dir(&folder).map_err(|e| read_error(&folder, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| read_error(&folder, e))?;
            let path = entry.path();
            // Symbolic links are not followed, so the walk cannot loop.
            let kind = entry.file_type().map_err(|e| read_error(&path, e))?;
            if kind.is_dir() {
                folders.push((path, depth + 1));
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let Some(module) = kind.is_file().then(|| module_of(relative)).flatten() else {
                continue;
            };
            if files.len() == MAX_FILES {
                return Err(GraphError::TooManyFiles {
                    root: root.to_path_buf(),
                });
            }
            let bytes = entry.metadata().map_err(|e| read_error(&path, e))?.len();
            if bytes > MAX_FILE_BYTES {
                return Err(GraphError::FileTooLarge { path, bytes });
            }
            let text = std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?;
            let display = label.join(relative).display().to_string();
            files.push(SourceFile {
                display,
                module,
                text,
            });
        }
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(files)
}
