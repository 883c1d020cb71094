//! Following `edmx:Reference`: finding referenced documents on the local disk, reading them
//! (each checked on its own, with its own positions in errors), and merging their schemas into
//! the referencing document — bounded in depth and count, and safe against cycles.
//!
//! A reference's `Uri` is looked up, in order: as a path relative to the referencing document
//! (`file:` URIs too), then by its file name (the last segment, so
//! `https://oasis-tcs.github.io/.../Org.OData.Core.V1.xml` finds `Org.OData.Core.V1.xml`) in the
//! referencing document's directory and in each [`ReadOptions::reference_dir`]. Nothing is
//! downloaded. A reference that is not found is reported as a warning (an error when strict),
//! except for the standard vocabularies, which the built-in table covers.

use std::collections::HashSet;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{Error, ErrorKind, RawError};
use super::model::Document;
use super::options::{MAX_REFERENCE_DEPTH, MAX_REFERENCED_DOCUMENTS, ReadOptions};
use super::reader::{self, Parsed};
use super::resolve;
use super::vocabularies;
use super::warning::{Warning, WarningKind};

/// State shared by one read and all the documents it references.
pub(crate) struct Loader<'o> {
    options: &'o ReadOptions,
    /// Canonical paths of the documents being read (the referencing chain), to stop cycles.
    chain: Vec<PathBuf>,
    /// Canonical paths of every document read so far, to read each once.
    seen: HashSet<PathBuf>,
    /// Referenced documents read so far.
    count: usize,
}

/// Where a document's bytes come from, for computing positions after the fact.
pub(crate) enum Source<'b> {
    /// Held in memory.
    Bytes(&'b [u8]),
    /// A file, re-read only when an error or a warning needs a position.
    File(&'b Path),
}

impl Source<'_> {
    fn with_bytes<T>(&self, f: impl FnOnce(Option<&[u8]>) -> T) -> T {
        match self {
            Source::Bytes(bytes) => f(Some(bytes)),
            Source::File(path) => {
                let bytes = std::fs::read(path).ok();
                f(bytes.as_deref())
            }
        }
    }
}

impl<'o> Loader<'o> {
    pub(crate) fn new(options: &'o ReadOptions) -> Self {
        Loader {
            options,
            chain: Vec::new(),
            seen: HashSet::new(),
            count: 0,
        }
    }

    /// Marks the file of the top-level document as being read, so that a document referencing
    /// it back does not read it again.
    pub(crate) fn root(mut self, path: &Path) -> Self {
        if let Ok(canonical) = std::fs::canonicalize(path) {
            self.seen.insert(canonical.clone());
            self.chain.push(canonical);
        }
        self
    }

    /// Reads, resolves and checks one document (and, through [`Self::references`], the
    /// documents it references). `base` is the directory relative references resolve against.
    pub(crate) fn document<R: std::io::BufRead>(
        &mut self,
        input: R,
        size: u64,
        source_name: &str,
        source: &Source<'_>,
        base: Option<&Path>,
        depth: u32,
    ) -> Result<Document, Error> {
        let locate = |e: RawError| source.with_bytes(|bytes| e.locate(source_name, bytes));
        let mut parsed = reader::read(input, size, self.options).map_err(locate)?;
        let referenced = self.references(&mut parsed, base, depth).map_err(locate)?;
        let (mut doc, sink) =
            resolve::finish(parsed, source_name.to_owned(), self.options.is_strict())
                .map_err(locate)?;
        let mut warnings = if sink.is_empty() {
            Vec::new()
        } else {
            source.with_bytes(|bytes| sink.locate(source_name, bytes))
        };
        warnings.extend(referenced);
        doc.warnings = warnings;
        Ok(doc)
    }

    /// Loads what `parsed` references and appends the schemas found to it; returns the
    /// warnings of the referenced documents.
    fn references(
        &mut self,
        parsed: &mut Parsed,
        base: Option<&Path>,
        depth: u32,
    ) -> Result<Vec<Warning>, RawError> {
        let mut warnings = Vec::new();
        let references: Vec<(Arc<str>, u64, Vec<Arc<str>>)> = parsed
            .references
            .iter()
            .filter(|r| !r.includes.is_empty())
            .map(|r| {
                (
                    r.uri.clone(),
                    r.offset,
                    r.includes.iter().map(|i| i.namespace.clone()).collect(),
                )
            })
            .collect();
        for (uri, offset, namespaces) in references {
            let path_of = || format!("Reference[{uri}]");
            let candidates = self.candidates(&uri, base);
            let Some(found) = candidates.iter().find(|p| p.is_file()) else {
                let standard = namespaces
                    .iter()
                    .all(|n| vocabularies::by_namespace(n).is_some());
                if standard {
                    continue;
                }
                let looked_in: Vec<String> =
                    candidates.iter().map(|p| p.display().to_string()).collect();
                if self.options.is_strict() {
                    return Err(RawError::new(
                        offset,
                        path_of(),
                        ErrorKind::Reference {
                            uri: uri.to_string(),
                            reason: format!(
                                "not found (looked in: {}); give its folder with \
                                 --reference-dir (or ReadOptions::reference_dir)",
                                if looked_in.is_empty() {
                                    "no local place".to_owned()
                                } else {
                                    looked_in.join(", ")
                                }
                            ),
                        },
                    ));
                }
                parsed.warnings.push(
                    offset,
                    path_of(),
                    WarningKind::ReferenceNotLoaded {
                        uri: uri.to_string(),
                        namespaces: namespaces.iter().map(ToString::to_string).collect(),
                        looked_in,
                    },
                );
                continue;
            };
            let canonical = std::fs::canonicalize(found).unwrap_or_else(|_| found.clone());
            // A document referencing one of the documents that reference it: its namespaces
            // are being read already, and stay unchecked in the inner document.
            if self.chain.contains(&canonical) || !self.seen.insert(canonical.clone()) {
                continue;
            }
            let limit = |reason: String| {
                RawError::new(
                    offset,
                    path_of(),
                    ErrorKind::Reference {
                        uri: uri.to_string(),
                        reason,
                    },
                )
            };
            if depth + 1 > MAX_REFERENCE_DEPTH {
                return Err(limit(format!(
                    "references nest more than {MAX_REFERENCE_DEPTH} documents deep"
                )));
            }
            self.count += 1;
            if self.count > MAX_REFERENCED_DOCUMENTS {
                return Err(limit(format!(
                    "more than {MAX_REFERENCED_DOCUMENTS} referenced documents"
                )));
            }
            let child = self.file(&canonical, found, depth + 1).map_err(|error| {
                RawError::new(
                    offset,
                    path_of(),
                    ErrorKind::ReferencedDocument {
                        uri: uri.to_string(),
                        error: Box::new(error),
                    },
                )
            })?;
            warnings.extend(child.warnings.iter().cloned());
            for mut schema in child.into_schemas() {
                let taken = parsed
                    .schemas
                    .iter()
                    .any(|s| s.namespace == schema.namespace);
                if taken {
                    continue;
                }
                if schema.reference.is_none() {
                    schema.reference = Some(uri.clone());
                }
                schema.entity_container = None;
                parsed.schemas.push(schema);
            }
        }
        Ok(warnings)
    }

    /// Reads a referenced file (size-checked) with the same options.
    fn file(&mut self, canonical: &Path, path: &Path, depth: u32) -> Result<Document, Error> {
        let source_name = path.display().to_string();
        let io = |e: std::io::Error| {
            RawError::new(0, String::new(), ErrorKind::Io(e)).locate(&source_name, None)
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        check_size(size, self.options).map_err(|e| e.locate(&source_name, None))?;
        let base = path.parent().map(Path::to_owned);
        self.chain.push(canonical.to_owned());
        let input = BufReader::with_capacity(64 * 1024, file);
        let result = self.document(
            input,
            size,
            &source_name,
            &Source::File(path),
            base.as_deref(),
            depth,
        );
        self.chain.pop();
        result
    }

    /// The local places a reference URI may be found at, in search order.
    fn candidates(&self, uri: &str, base: Option<&Path>) -> Vec<PathBuf> {
        let uri = uri.trim();
        let without_fragment = uri.split(['#', '?']).next().unwrap_or(uri);
        let is_url = without_fragment.contains("://") && !without_fragment.starts_with("file:");
        let local = without_fragment
            .strip_prefix("file://")
            .or_else(|| without_fragment.strip_prefix("file:"))
            .unwrap_or(without_fragment);
        let mut out = Vec::new();
        if !is_url && !local.is_empty() {
            let path = Path::new(local);
            if path.is_absolute() {
                out.push(path.to_owned());
            } else if let Some(base) = base {
                out.push(base.join(path));
            }
        }
        let file_name = without_fragment
            .rsplit(['/', '\\'])
            .next()
            .filter(|n| !n.is_empty() && *n != "." && *n != "..");
        if let Some(name) = file_name {
            let dirs = base
                .filter(|_| is_url)
                .into_iter()
                .chain(self.options.reference_dirs().iter().map(PathBuf::as_path));
            for dir in dirs {
                let candidate = dir.join(name);
                if !out.contains(&candidate) {
                    out.push(candidate);
                }
            }
        }
        out
    }
}

/// Fails with [`ErrorKind::TooLarge`] when `size` is over the limit.
pub(crate) fn check_size(size: u64, options: &ReadOptions) -> Result<(), RawError> {
    if size > options.byte_limit() {
        return Err(RawError::new(
            0,
            String::new(),
            ErrorKind::TooLarge {
                size,
                limit: options.byte_limit(),
            },
        ));
    }
    Ok(())
}
