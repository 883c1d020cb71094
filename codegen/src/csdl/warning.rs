//! Warnings: what the reader accepted although the document does not follow the CSDL
//! specification to the letter (the way Microsoft's own OData readers accept it), each with the
//! file, line and column of its first occurrence.

use std::collections::HashMap;
use std::fmt;

/// Most distinct warnings kept for one document; further ones are only counted.
const MAX_WARNINGS: usize = 1_000;

/// Something the reader accepted leniently, or a part of the model it could not check.
///
/// Repeated occurrences of the same warning (the same facet spelling on a thousand properties)
/// are reported once, with their count: see [`Warning::occurrences`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    source_name: String,
    line: u32,
    column: u32,
    offset: u64,
    path: String,
    kind: WarningKind,
    occurrences: u64,
}

impl Warning {
    /// Name of the document the warning is about (a referenced document's path for warnings
    /// raised while reading it).
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// 1-based line of the first occurrence (0 when the warning has no position).
    pub fn line(&self) -> u32 {
        self.line
    }

    /// 1-based column of the first occurrence, counted in characters.
    pub fn column(&self) -> u32 {
        self.column
    }

    /// Byte offset of the first occurrence.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Element path of the first occurrence (empty when not tied to an element).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was accepted or left unchecked.
    pub fn kind(&self) -> &WarningKind {
        &self.kind
    }

    /// How many times the document does this (1 for most warnings).
    pub fn occurrences(&self) -> u64 {
        self.occurrences
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: ", self.source_name, self.line, self.column)?;
        } else {
            write!(f, "{}: ", self.source_name)?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.kind)?;
        if self.occurrences > 1 {
            write!(f, " ({} occurrences; the first is shown)", self.occurrences)?;
        }
        Ok(())
    }
}

/// The kinds of leniency, each with the names involved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WarningKind {
    /// A facet value spelled differently from the specification (`Scale="Variable"`).
    FacetSpelling {
        /// The facet (`Scale`, `SRID`, `MaxLength`).
        attribute: String,
        /// The value as written.
        value: String,
        /// The value it was read as (`variable`).
        read_as: &'static str,
    },
    /// A standard OASIS vocabulary is used without an `edmx:Reference` that includes it; its
    /// names were resolved from the reader's built-in table.
    ImplicitVocabulary {
        /// The alias or namespace as used (`Core`).
        used_as: String,
        /// The vocabulary namespace (`Org.OData.Core.V1`).
        namespace: String,
    },
    /// Two schema elements of different kinds share a qualified name (Microsoft Graph has a
    /// complex type and a function named `microsoft.graph.image`); they are kept apart.
    SharedName {
        /// The qualified name.
        name: String,
        /// The kind declared first (`complex type`).
        first: &'static str,
        /// The kind declared later (`function`).
        second: &'static str,
    },
    /// A referenced document was not found locally; the types of its namespaces are not
    /// checked, and selecting anything that needs one of them is an error.
    ReferenceNotLoaded {
        /// The `Uri` of the `edmx:Reference`.
        uri: String,
        /// The namespaces it includes.
        namespaces: Vec<String>,
        /// The places looked in.
        looked_in: Vec<String>,
    },
    /// Bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
    /// U+061C) were removed from a string annotation value, so that descriptions cannot
    /// reorder the text of generated documentation.
    BidiControl {
        /// How many characters were removed.
        removed: usize,
    },
    /// More distinct warnings than the reader keeps; they were counted, not kept.
    TooMany {
        /// How many were not kept.
        dropped: u64,
    },
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WarningKind::FacetSpelling {
                attribute,
                value,
                read_as,
            } => write!(
                f,
                "attribute `{attribute}` has value `{value}`; read as `{read_as}`, as Microsoft's \
                 OData reader does"
            ),
            WarningKind::ImplicitVocabulary { used_as, namespace } => {
                if used_as == namespace {
                    write!(
                        f,
                        "the standard vocabulary `{namespace}` is used without an \
                         `edmx:Reference` including it; its names were read from the built-in \
                         table of standard vocabularies"
                    )
                } else {
                    write!(
                        f,
                        "the alias `{used_as}` is used without an `edmx:Reference` including \
                         it; read as the standard vocabulary `{namespace}`"
                    )
                }
            }
            WarningKind::SharedName {
                name,
                first,
                second,
            } => write!(
                f,
                "`{name}` names both a {first} and a {second}; they are kept apart"
            ),
            WarningKind::ReferenceNotLoaded {
                uri,
                namespaces,
                looked_in,
            } => {
                write!(
                    f,
                    "referenced document `{uri}` was not found (looked in: {}); types of `{}` are \
                     not checked, and selecting anything that needs one is an error",
                    if looked_in.is_empty() {
                        "no local place".to_owned()
                    } else {
                        looked_in.join(", ")
                    },
                    namespaces.join("`, `")
                )
            }
            WarningKind::BidiControl { removed } => write!(
                f,
                "removed {removed} bidirectional control character(s) from a string annotation \
                 value"
            ),
            WarningKind::TooMany { dropped } => {
                write!(f, "{dropped} further warnings were not kept")
            }
        }
    }
}

/// A warning before its line and column are computed.
#[derive(Debug, Clone)]
pub(crate) struct RawWarning {
    pub(crate) offset: u64,
    pub(crate) path: String,
    pub(crate) kind: WarningKind,
}

/// Collects warnings while reading, merging repeats and keeping at most [`MAX_WARNINGS`].
#[derive(Debug, Default)]
pub(crate) struct WarningSink {
    list: Vec<(RawWarning, u64)>,
    by_text: HashMap<String, usize>,
    dropped: u64,
}

impl WarningSink {
    /// Records one occurrence.
    pub(crate) fn push(&mut self, offset: u64, path: String, kind: WarningKind) {
        let text = kind.to_string();
        if let Some(&i) = self.by_text.get(&text) {
            self.list[i].1 += 1;
            return;
        }
        if self.list.len() >= MAX_WARNINGS {
            self.dropped += 1;
            return;
        }
        self.by_text.insert(text, self.list.len());
        self.list.push((RawWarning { offset, path, kind }, 1));
    }

    /// `true` when nothing was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty() && self.dropped == 0
    }

    /// Computes positions against the document bytes (when available) and returns the
    /// warnings in document order.
    pub(crate) fn locate(self, source_name: &str, source: Option<&[u8]>) -> Vec<Warning> {
        let mut list = self.list;
        list.sort_by_key(|(w, _)| w.offset);
        let mut positions = Positions::new(source);
        let mut out: Vec<Warning> = list
            .into_iter()
            .map(|(w, occurrences)| {
                let (line, column) = positions.at(w.offset);
                Warning {
                    source_name: source_name.to_owned(),
                    line,
                    column,
                    offset: w.offset,
                    path: w.path,
                    kind: w.kind,
                    occurrences,
                }
            })
            .collect();
        if self.dropped > 0 {
            out.push(Warning {
                source_name: source_name.to_owned(),
                line: 0,
                column: 0,
                offset: 0,
                path: String::new(),
                kind: WarningKind::TooMany {
                    dropped: self.dropped,
                },
                occurrences: 1,
            });
        }
        out
    }
}

/// Line/column of increasing offsets in one pass over the bytes.
struct Positions<'a> {
    bytes: Option<&'a [u8]>,
    at: usize,
    line: u32,
    line_start: usize,
}

impl<'a> Positions<'a> {
    fn new(bytes: Option<&'a [u8]>) -> Self {
        Positions {
            bytes,
            at: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn at(&mut self, offset: u64) -> (u32, u32) {
        let Some(bytes) = self.bytes else {
            return (0, 0);
        };
        let end = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while self.at < end {
            if bytes[self.at] == b'\n' {
                self.line = self.line.saturating_add(1);
                self.line_start = self.at + 1;
            }
            self.at += 1;
        }
        let mut segment = &bytes[self.line_start..end.max(self.line_start)];
        if self.line_start == 0 {
            segment = segment.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(segment);
        }
        let column = segment.iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        (self.line, u32::try_from(column).unwrap_or(u32::MAX))
    }
}

/// `true` for the bidirectional control characters that rustc refuses in doc comments.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_repeats_and_locates_in_document_order() {
        let text = "<a>\n <b/>\n  <c/>\n";
        let mut sink = WarningSink::default();
        let kind = WarningKind::BidiControl { removed: 1 };
        sink.push(text.find("<c").unwrap() as u64, "C".into(), kind.clone());
        sink.push(text.find("<b").unwrap() as u64, "B".into(), kind);
        sink.push(0, String::new(), WarningKind::BidiControl { removed: 2 });
        let warnings = sink.locate("x.xml", Some(text.as_bytes()));
        assert_eq!(warnings.len(), 2);
        assert_eq!((warnings[0].line(), warnings[0].column()), (1, 1));
        assert_eq!((warnings[1].line(), warnings[1].column()), (3, 3));
        assert_eq!(warnings[1].occurrences(), 2);
        assert!(
            warnings[1]
                .to_string()
                .starts_with("x.xml:3:3: C: removed 1")
        );
    }

    #[test]
    fn keeps_a_bounded_number_of_distinct_warnings() {
        let mut sink = WarningSink::default();
        for removed in 0..(MAX_WARNINGS + 5) {
            sink.push(0, String::new(), WarningKind::BidiControl { removed });
        }
        let warnings = sink.locate("x.xml", None);
        assert_eq!(warnings.len(), MAX_WARNINGS + 1);
        assert_eq!(
            warnings.last().map(Warning::kind),
            Some(&WarningKind::TooMany { dropped: 5 })
        );
    }
}
