//! The paths each file refers to: flattened `use` trees and `crate::`/`super::`/`self::` paths,
//! outside test code.

use super::lexer::{Tok, Token, tokenize};
use super::source::{GraphError, MAX_USE_NESTING, ModPath, SourceFile};

/// One path a module's code refers to.
#[derive(Debug)]
pub(crate) struct Reference {
    /// The module whose code holds the path (an inline `mod name { … }` counts as its own).
    pub(crate) module: ModPath,
    /// The path as written, one segment each (`["super", "wire", "Accept"]`).
    pub(crate) segments: Vec<String>,
    /// For an item of a `pub use`: the name it is re-exported under.
    pub(crate) exported_as: Option<String>,
    /// The line the reference is on.
    pub(crate) line: usize,
    /// The reference as it reads in the source, for messages.
    pub(crate) text: String,
}

/// What one file declares and refers to.
#[derive(Debug, Default)]
pub(crate) struct FileScan {
    /// Inline modules (`mod name { … }`) outside test code.
    pub(crate) inline_modules: Vec<ModPath>,
    /// Every path outside test code.
    pub(crate) references: Vec<Reference>,
}

/// One leaf of a flattened `use` tree.
struct UseItem {
    /// The path down to the leaf (`["crate", "a", "B"]`).
    segments: Vec<String>,
    /// The name after `as`, if any.
    alias: Option<String>,
    /// Whether the leaf is `*`.
    glob: bool,
}

/// Reads the references of one file.
pub(crate) fn scan(file: &SourceFile) -> Result<FileScan, GraphError> {
    let tokens = tokenize(&file.display, &file.text)?;
    Scanner { file, tokens }.scan()
}

/// Walks the tokens of one file, tracking inline modules and test-only items.
struct Scanner<'a> {
    /// The file being read.
    file: &'a SourceFile,
    /// Its tokens.
    tokens: Vec<Token>,
}

impl Scanner<'_> {
    /// The token at `i`, if any.
    fn tok(&self, i: usize) -> Option<&Tok> {
        self.tokens.get(i).map(|t| &t.tok)
    }

    /// The identifier at `i`, if the token there is one.
    fn ident(&self, i: usize) -> Option<&str> {
        match self.tok(i) {
            Some(Tok::Ident(word)) => Some(word),
            _ => None,
        }
    }

    /// Whether the token at `i` is the punctuation `c`.
    fn is_punct(&self, i: usize, c: char) -> bool {
        self.tok(i) == Some(&Tok::Punct(c))
    }

    /// The line of the token at `i` (0 past the end).
    fn line(&self, i: usize) -> usize {
        self.tokens.get(i).map_or(0, |t| t.line)
    }

    /// The index of the delimiter that closes the one at `open` (`(`, `[` or `{`).
    fn closing(&self, open: usize, what: &'static str) -> Result<usize, GraphError> {
        let (opener, closer) = match self.tok(open) {
            Some(Tok::Punct('(')) => ('(', ')'),
            Some(Tok::Punct('[')) => ('[', ']'),
            _ => ('{', '}'),
        };
        let mut depth = 0_usize;
        for i in open..self.tokens.len() {
            if self.is_punct(i, opener) {
                depth += 1;
            } else if self.is_punct(i, closer) {
                depth -= 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
        }
        let (file, line) = (self.file.display.clone(), self.line(open));
        Err(GraphError::Unterminated { file, line, what })
    }

    /// Collects the file's inline modules and references, outside test code.
    fn scan(&self) -> Result<FileScan, GraphError> {
        let mut out = FileScan::default();
        // One entry per open `{`: the line it is on, and the name of the inline module it opens.
        let mut open_braces: Vec<(usize, Option<String>)> = Vec::new();
        // Whether the item being read carries `#[cfg(test)]`.
        let mut test_only = false;
        // The index just after the last `pub` or `pub(…)`.
        let mut visibility_end = None;
        let mut i = 0;
        while i < self.tokens.len() {
            let module = || {
                let inline = open_braces.iter().filter_map(|(_, name)| name.clone());
                self.file
                    .module
                    .iter()
                    .cloned()
                    .chain(inline)
                    .collect::<ModPath>()
            };
            match self.tok(i) {
                Some(Tok::Punct('#')) => {
                    let inner = self.is_punct(i + 1, '!');
                    let open = i + 1 + usize::from(inner);
                    if self.is_punct(open, '[') {
                        let close = self.closing(open, "attribute")?;
                        let cfg_test = self.tokens[open + 1..close].iter().map(|t| &t.tok).eq([
                            &Tok::Ident("cfg".into()),
                            &Tok::Punct('('),
                            &Tok::Ident("test".into()),
                            &Tok::Punct(')'),
                        ]);
                        if cfg_test && inner && open_braces.is_empty() {
                            // `#![cfg(test)]`: the whole file is test code.
                            return Ok(FileScan::default());
                        }
                        test_only |= cfg_test && !inner;
                        i = close + 1;
                        continue;
                    }
                }
                // Code a generator writes names the generated crate, not this one.
                Some(Tok::Ident(word))
                    if matches!(word.as_str(), "quote" | "quote_spanned" | "parse_quote")
                        && self.is_punct(i + 1, '!')
                        && ['(', '[', '{'].iter().any(|&c| self.is_punct(i + 2, c)) =>
                {
                    i = self.closing(i + 2, "macro invocation")? + 1;
                    test_only = false;
                    continue;
                }
                Some(Tok::Ident(word)) if word == "pub" => {
                    i += 1;
                    if self.is_punct(i, '(') {
                        i = self.closing(i, "visibility")? + 1;
                    }
                    visibility_end = Some(i);
                    continue;
                }
                Some(Tok::Ident(word)) if word == "mod" && self.is_punct(i + 2, '{') => {
                    if let Some(name) = self.ident(i + 1) {
                        if test_only {
                            i = self.closing(i + 2, "test module")? + 1;
                            test_only = false;
                            continue;
                        }
                        let mut inline = module();
                        inline.push(name.to_owned());
                        out.inline_modules.push(inline);
                        open_braces.push((self.line(i + 2), Some(name.to_owned())));
                        i += 3;
                        continue;
                    }
                }
                Some(Tok::Ident(word)) if word == "use" => {
                    let exported = visibility_end == Some(i);
                    if let Some((items, end)) = self.use_statement(i)? {
                        if !test_only {
                            let module = module();
                            let line = self.line(i);
                            let refs = items
                                .into_iter()
                                .map(|item| use_reference(&module, line, exported, item));
                            out.references.extend(refs);
                        }
                        test_only = false;
                        i = end;
                        continue;
                    }
                }
                Some(Tok::Ident(word))
                    if matches!(word.as_str(), "crate" | "super" | "self")
                        && self.tok(i + 1) == Some(&Tok::PathSep)
                        && (i == 0 || self.tok(i - 1) != Some(&Tok::PathSep)) =>
                {
                    let mut segments = vec![word.clone()];
                    let mut end = i + 1;
                    while let (Some(Tok::PathSep), Some(next)) =
                        (self.tok(end), self.ident(end + 1))
                    {
                        segments.push(next.to_owned());
                        end += 2;
                    }
                    if !test_only {
                        let text = segments.join("::");
                        let (module, line) = (module(), self.line(i));
                        out.references.push(Reference {
                            module,
                            segments,
                            exported_as: None,
                            line,
                            text,
                        });
                    }
                    i = end;
                    continue;
                }
                Some(Tok::Punct('{')) => open_braces.push((self.line(i), None)),
                Some(Tok::Punct('}')) => {
                    let stray = || GraphError::StrayBrace {
                        file: self.file.display.clone(),
                        line: self.line(i),
                    };
                    open_braces.pop().ok_or_else(stray)?;
                }
                _ => {}
            }
            test_only = false;
            i += 1;
        }
        match open_braces.first() {
            Some(&(line, _)) => {
                let file = self.file.display.clone();
                Err(GraphError::Unterminated {
                    file,
                    line,
                    what: "`{`",
                })
            }
            None => Ok(out),
        }
    }

    /// The flattened items of the `use` statement whose keyword is at `at`, and the index after
    /// its `;`; `None` when the tokens that follow are not a `use` tree (as inside a macro,
    /// `use $crate::a::B;`: its paths are then read as plain paths).
    fn use_statement(&self, at: usize) -> Result<Option<(Vec<UseItem>, usize)>, GraphError> {
        let mut items = Vec::new();
        match self.use_tree(at + 1, &[], 0, self.line(at), &mut items)? {
            Some(end) if self.is_punct(end, ';') => Ok(Some((items, end + 1))),
            _ => Ok(None),
        }
    }

    /// Flattens the `use` tree at `i` below `prefix` into `out`; returns the index after it.
    fn use_tree(
        &self,
        mut i: usize,
        prefix: &[String],
        depth: usize,
        line: usize,
        out: &mut Vec<UseItem>,
    ) -> Result<Option<usize>, GraphError> {
        if depth > MAX_USE_NESTING {
            let file = self.file.display.clone();
            return Err(GraphError::UseTooDeep { file, line });
        }
        let mut segments = prefix.to_vec();
        if prefix.is_empty() && self.tok(i) == Some(&Tok::PathSep) {
            // `use ::serde;` names another crate; the marker never resolves to a module.
            segments.push("::".to_owned());
            i += 1;
        }
        loop {
            match self.tok(i) {
                // `use` is a keyword, never a segment: stopping there keeps each token inside
                // one failed `use` at most, so a file of them is read in linear time.
                Some(Tok::Ident(name)) if name != "use" => {
                    segments.push(name.clone());
                    i += 1;
                    match (self.tok(i), self.ident(i + 1)) {
                        (Some(Tok::PathSep), _) => i += 1,
                        (Some(Tok::Ident(word)), Some(alias)) if word == "as" => {
                            let alias = Some(alias.to_owned());
                            out.push(UseItem {
                                segments,
                                alias,
                                glob: false,
                            });
                            return Ok(Some(i + 2));
                        }
                        _ => {
                            out.push(UseItem {
                                segments,
                                alias: None,
                                glob: false,
                            });
                            return Ok(Some(i));
                        }
                    }
                }
                Some(Tok::Punct('*')) => {
                    out.push(UseItem {
                        segments,
                        alias: None,
                        glob: true,
                    });
                    return Ok(Some(i + 1));
                }
                Some(Tok::Punct('{')) => {
                    i += 1;
                    while !self.is_punct(i, '}') {
                        let Some(end) = self.use_tree(i, &segments, depth + 1, line, out)? else {
                            return Ok(None);
                        };
                        i = end;
                        if self.is_punct(i, ',') {
                            i += 1;
                        } else if !self.is_punct(i, '}') {
                            return Ok(None);
                        }
                    }
                    return Ok(Some(i + 1));
                }
                _ => return Ok(None),
            }
        }
    }
}

/// The reference one leaf of a `use` tree makes.
fn use_reference(module: &ModPath, line: usize, exported: bool, item: UseItem) -> Reference {
    let UseItem {
        mut segments,
        alias,
        glob,
    } = item;
    // `use a::{self}` names the module `a`.
    if segments.len() > 1 && segments.last().is_some_and(|s| s == "self") {
        segments.pop();
    }
    let mut text = format!("use {}", segments.join("::"));
    if glob {
        text.push_str("::*");
    }
    if let Some(alias) = &alias {
        text.push_str(&format!(" as {alias}"));
    }
    let exported_as = match (exported, glob, alias) {
        (false, _, _) | (_, true, _) => None,
        (true, false, Some(alias)) => (alias != "_").then_some(alias),
        (true, false, None) => segments.last().cloned(),
    };
    Reference {
        module: module.clone(),
        segments,
        exported_as,
        line,
        text,
    }
}
