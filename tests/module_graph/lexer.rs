//! A tokenizer for Rust source that skips whitespace, comments and literals.

use super::source::GraphError;

/// A token of Rust source, as far as the module graph needs one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An identifier or keyword (`r#type` is `type`).
    Ident(String),
    /// `::`.
    PathSep,
    /// Any other single punctuation character.
    Punct(char),
    /// A number, string, character literal or lifetime: nothing the graph reads.
    Other,
}

/// A token and the line it starts on.
#[derive(Debug)]
pub(crate) struct Token {
    /// What the token is.
    pub(crate) tok: Tok,
    /// The line it starts on, counted from 1.
    pub(crate) line: usize,
}

/// Splits `text` into tokens, leaving out whitespace and comments.
pub(crate) fn tokenize(file: &str, text: &str) -> Result<Vec<Token>, GraphError> {
    let mut lexer = Lexer {
        file,
        chars: text.chars().collect(),
        i: 0,
        line: 1,
    };
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

/// A cursor over the characters of one file.
struct Lexer<'a> {
    /// The file, as shown in messages.
    file: &'a str,
    /// Its characters.
    chars: Vec<char>,
    /// The cursor: the index of the next character to read.
    i: usize,
    /// The line the cursor is on.
    line: usize,
}

/// Whether `c` may appear in an identifier.
fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Lexer<'_> {
    /// The character `ahead` places after the cursor, or `'\0'` past the end.
    fn peek(&self, ahead: usize) -> char {
        self.chars.get(self.i + ahead).copied().unwrap_or('\0')
    }

    /// Moves one character on, counting lines.
    fn bump(&mut self) {
        if self.peek(0) == '\n' {
            self.line += 1;
        }
        self.i += 1;
    }

    /// Whether the cursor is past the last character.
    fn at_end(&self) -> bool {
        self.i >= self.chars.len()
    }

    /// The error for a `what` opened on `line` and never closed.
    fn unterminated(&self, line: usize, what: &'static str) -> GraphError {
        GraphError::Unterminated {
            file: self.file.to_owned(),
            line,
            what,
        }
    }

    /// The next token, or `None` at the end of the file.
    fn next_token(&mut self) -> Result<Option<Token>, GraphError> {
        loop {
            while !self.at_end() && self.peek(0).is_whitespace() {
                self.bump();
            }
            let line = self.line;
            let tok = match (self.peek(0), self.peek(1)) {
                _ if self.at_end() => return Ok(None),
                ('/', '/') => {
                    while !self.at_end() && self.peek(0) != '\n' {
                        self.bump();
                    }
                    continue;
                }
                ('/', '*') => {
                    self.skip_block_comment()?;
                    continue;
                }
                ('"', _) => {
                    self.bump();
                    self.skip_string(None, line)?;
                    Tok::Other
                }
                ('\'', _) => self.skip_char_or_lifetime(line)?,
                (':', ':') => {
                    self.i += 2;
                    Tok::PathSep
                }
                (c, _) if c.is_ascii_digit() => {
                    while is_ident_char(self.peek(0))
                        || self.peek(0) == '.' && self.peek(1).is_ascii_digit()
                    {
                        self.bump();
                    }
                    Tok::Other
                }
                (c, _) if is_ident_char(c) => self.word(line)?,
                (c, _) => {
                    self.bump();
                    Tok::Punct(c)
                }
            };
            return Ok(Some(Token { tok, line }));
        }
    }

    /// Skips a block comment, which may nest.
    fn skip_block_comment(&mut self) -> Result<(), GraphError> {
        let line = self.line;
        let mut depth = 0_usize;
        loop {
            match (self.peek(0), self.peek(1)) {
                _ if self.at_end() => return Err(self.unterminated(line, "block comment")),
                ('/', '*') => depth += 1,
                ('*', '/') => depth -= 1,
                _ => {
                    self.bump();
                    continue;
                }
            }
            self.i += 2;
            if depth == 0 {
                return Ok(());
            }
        }
    }

    /// Skips the rest of a string whose opening `"` is behind the cursor. A raw string
    /// (`Some(n)`: opened with `n` `#`) has no escapes and ends at `"` followed by `n` `#`.
    fn skip_string(&mut self, raw: Option<usize>, line: usize) -> Result<(), GraphError> {
        let hashes = raw.unwrap_or(0);
        while !self.at_end() {
            match self.peek(0) {
                '\\' if raw.is_none() => {
                    self.bump();
                }
                '"' if (1..=hashes).all(|k| self.peek(k) == '#') => {
                    self.i += 1 + hashes;
                    return Ok(());
                }
                _ => {}
            }
            self.bump();
        }
        Err(self.unterminated(line, "string"))
    }

    /// Skips `'x'`, `'\n'`, `'\u{2764}'` (a character) or `'a`, `'static` (a lifetime or label).
    fn skip_char_or_lifetime(&mut self, line: usize) -> Result<Tok, GraphError> {
        if self.peek(1) == '\\' {
            self.i += 3;
            while !self.at_end() && self.peek(0) != '\'' && self.peek(0) != '\n' {
                self.bump();
            }
            if self.peek(0) != '\'' {
                return Err(self.unterminated(line, "character literal"));
            }
            self.bump();
        } else if self.peek(2) == '\'' {
            self.i += 3;
        } else {
            self.bump();
            while is_ident_char(self.peek(0)) {
                self.bump();
            }
        }
        Ok(Tok::Other)
    }

    /// An identifier or keyword, or a literal with a prefix (`r"…"`, `b'x'`, `c"…"`).
    fn word(&mut self, line: usize) -> Result<Tok, GraphError> {
        let start = self.i;
        while is_ident_char(self.peek(0)) {
            self.bump();
        }
        let word: String = self.chars[start..self.i].iter().collect();
        let hashes = self.chars[self.i..]
            .iter()
            .take_while(|&&c| c == '#')
            .count();
        match (word.as_str(), self.peek(0)) {
            ("r" | "br" | "cr", _) if self.peek(hashes) == '"' => {
                self.i += hashes + 1;
                self.skip_string(Some(hashes), line)?;
                Ok(Tok::Other)
            }
            ("r", '#') if hashes == 1 && is_ident_char(self.peek(1)) => {
                self.i += 1;
                let start = self.i;
                while is_ident_char(self.peek(0)) {
                    self.bump();
                }
                Ok(Tok::Ident(self.chars[start..self.i].iter().collect()))
            }
            ("b" | "c", '"') => {
                self.bump();
                self.skip_string(None, line)?;
                Ok(Tok::Other)
            }
            ("b", '\'') => self.skip_char_or_lifetime(line),
            _ => Ok(Tok::Ident(word)),
        }
    }
}
