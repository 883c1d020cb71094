//! Errors raised while reading a CSDL document: what went wrong, in which file, at which line and
//! column, and at which element (`Schema[Ns]/EntityType[CustomerV3]/Key`).

use std::fmt;

/// A metadata document could not be read or is not valid CSDL.
///
/// Every error carries the position of the offending element so a user can open the file there:
/// `metadata.xml:6:3: Schema[Ns]/EntityType[CustomerV3]/Property[X]: <Property> has no `Type``.
#[derive(Debug, thiserror::Error)]
#[error("{}{}", Location { error: self }, self.inner.kind)]
pub struct Error {
    inner: Box<Details>,
}

#[derive(Debug)]
struct Details {
    source_name: String,
    line: u32,
    column: u32,
    offset: u64,
    path: String,
    kind: ErrorKind,
}

impl Error {
    /// Name of the document (the file path, or the name given to [`Document::parse`]).
    ///
    /// [`Document::parse`]: crate::csdl::Document::parse
    pub fn source_name(&self) -> &str {
        &self.inner.source_name
    }

    /// 1-based line of the offending element (0 when the error has no position, such as I/O).
    pub fn line(&self) -> u32 {
        self.inner.line
    }

    /// 1-based column, counted in characters (0 when the error has no position).
    pub fn column(&self) -> u32 {
        self.inner.column
    }

    /// Byte offset in the document.
    pub fn offset(&self) -> u64 {
        self.inner.offset
    }

    /// Element path, e.g. `Schema[Microsoft.Dynamics.DataEntities]/EntityType[CustomerV3]/Key`
    /// (empty when the error is not tied to an element).
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// What is wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }
}

struct Location<'a> {
    error: &'a Error,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.error.inner;
        if e.line > 0 {
            write!(f, "{}:{}:{}: ", e.source_name, e.line, e.column)?;
        } else {
            write!(f, "{}: ", e.source_name)?;
        }
        if !e.path.is_empty() {
            write!(f, "{}: ", e.path)?;
        }
        Ok(())
    }
}

/// The kinds of failure, each with the names involved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The document could not be read.
    #[error("cannot read the document: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes are not well-formed XML.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// The root element is neither `edmx:Edmx` nor `Schema`.
    #[error("expected root element `edmx:Edmx` or `Schema`, found `{found}`")]
    WrongRoot {
        /// What was found instead.
        found: String,
    },
    /// A required attribute is absent.
    #[error("<{element}> has no `{attribute}` attribute")]
    MissingAttribute {
        /// Element name.
        element: &'static str,
        /// Attribute name.
        attribute: &'static str,
    },
    /// An attribute value has the wrong form.
    #[error("attribute `{attribute}` has value `{value}`, expected {expected}")]
    InvalidAttribute {
        /// Attribute name.
        attribute: String,
        /// The value found.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A constant annotation value has the wrong form.
    #[error("annotation value `{value}` is not a valid {expected}")]
    InvalidValue {
        /// The value found.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A `<PropertyRef>` names a property the entity type does not have.
    #[error("key property `{property}` is not a property of `{entity_type}`")]
    KeyPropertyMissing {
        /// The missing property name.
        property: String,
        /// The entity type.
        entity_type: String,
    },
    /// A type reference names a type that is neither declared, primitive nor in a referenced
    /// namespace.
    #[error("unknown type `{name}`{}", suggestion_suffix(suggestion.as_deref()))]
    UnknownType {
        /// The name as resolved.
        name: String,
        /// The closest declared name, if one is close.
        suggestion: Option<String>,
    },
    /// A type reference names a declared type of the wrong kind (a base type that is an enum,
    /// an entity set of a complex type, ...).
    #[error("`{name}` is not {expected}")]
    WrongTypeKind {
        /// The type name.
        name: String,
        /// The kind that was required.
        expected: &'static str,
    },
    /// Two elements share a name where names must be unique.
    #[error("duplicate {what} `{name}`")]
    Duplicate {
        /// What kind of element (`type`, `property`, `entity set`, ...).
        what: &'static str,
        /// The repeated name.
        name: String,
    },
    /// A base-type chain loops back on itself.
    #[error("base type chain of `{name}` is cyclic")]
    BaseTypeCycle {
        /// The type whose chain loops.
        name: String,
    },
    /// The document is an OData v2/v3 (EDMX 1.0–3.0) document or of another unknown version.
    #[error("{}", unsupported_version(version))]
    UnsupportedVersion {
        /// The `Version` attribute (or the old EDM namespace) found.
        version: String,
    },
    /// Elements are nested deeper than the reader allows ([`ReadOptions::max_depth`]).
    ///
    /// [`ReadOptions::max_depth`]: crate::csdl::ReadOptions::max_depth
    #[error("elements are nested more than {limit} levels deep")]
    TooDeep {
        /// The nesting limit.
        limit: u32,
    },
    /// The document is larger than the reader accepts ([`ReadOptions::max_bytes`]).
    ///
    /// [`ReadOptions::max_bytes`]: crate::csdl::ReadOptions::max_bytes
    #[error("the document has {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The document's size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A `<PropertyRef>` names a property that cannot be part of a key.
    #[error("key property `{property}` of `{entity_type}` {reason}")]
    InvalidKeyProperty {
        /// The key part as written.
        property: String,
        /// The entity type.
        entity_type: String,
        /// Why it cannot be a key (`is a collection`, `is of complex type ...`).
        reason: String,
    },
    /// A referenced document was found but could not be read; the inner error has its own
    /// file, line and column.
    #[error("in referenced document `{uri}`: {error}")]
    ReferencedDocument {
        /// The `Uri` of the `edmx:Reference`.
        uri: String,
        /// What is wrong in that document.
        error: Box<Error>,
    },
    /// A referenced document could not be loaded (strict mode), or loading references went
    /// past a limit.
    #[error("referenced document `{uri}`: {reason}")]
    Reference {
        /// The `Uri` of the `edmx:Reference`.
        uri: String,
        /// What went wrong (not found, where it was looked for, a limit).
        reason: String,
    },
}

fn unsupported_version(version: &str) -> String {
    match version.trim() {
        v @ ("1.0" | "2.0" | "3.0") => format!(
            "OData v2/v3 metadata is not supported: EDMX version {v} (this reader reads CSDL \
             4.0 and 4.01)"
        ),
        v if v.starts_with("http") => format!(
            "OData v2/v3 metadata is not supported: the schema uses the namespace `{v}` (this \
             reader reads CSDL 4.0 and 4.01)"
        ),
        v => format!("EDMX version `{v}` is not supported (this reader reads CSDL 4.0 and 4.01)"),
    }
}

fn suggestion_suffix(suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

/// An error before its line and column are computed (the reader only knows byte offsets).
#[derive(Debug)]
pub(crate) struct RawError {
    pub(crate) offset: u64,
    pub(crate) path: String,
    pub(crate) kind: ErrorKind,
}

impl RawError {
    pub(crate) fn new(offset: u64, path: String, kind: ErrorKind) -> Self {
        RawError { offset, path, kind }
    }

    /// Attaches the source name and computes line/column from the document bytes.
    pub(crate) fn locate(self, source_name: &str, source: Option<&[u8]>) -> Error {
        let (line, column) = match (&self.kind, source) {
            (ErrorKind::Io(_), _) | (_, None) => (0, 0),
            (_, Some(bytes)) => line_column(bytes, self.offset),
        };
        Error {
            inner: Box::new(Details {
                source_name: source_name.to_owned(),
                line,
                column,
                offset: self.offset,
                path: self.path,
                kind: self.kind,
            }),
        }
    }
}

/// 1-based line and character column of `offset` in `bytes` (a leading BOM is not counted).
pub(crate) fn line_column(bytes: &[u8], offset: u64) -> (u32, u32) {
    let end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let before = &bytes[..end];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut segment = &before[line_start..];
    if line_start == 0 {
        segment = segment.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(segment);
    }
    // Count characters, not bytes: continuation bytes (10xxxxxx) do not start a character.
    let column = segment.iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_line_and_character_column() {
        let text = "\u{feff}<a>\n  <é/>\n";
        let offset = text.find("<é").unwrap() as u64;
        assert_eq!(line_column(text.as_bytes(), offset), (2, 3));
        assert_eq!(line_column(text.as_bytes(), 3), (1, 1));
    }
}
