//! Reading the `innererror` / `internalexception` chain of an OData error body without recursion.
//!
//! F&O nests .NET exceptions: `innererror` holds `message`, `type`, `stacktrace` and possibly an
//! `internalexception` object of the same shape, which may hold another, and so on. The chain
//! arrives as serde_json's raw text (whose skipping is iterative, so any depth is accepted) and is
//! walked here by a small byte scanner that follows only the `internalexception` members: the
//! nesting depth is a counter, never the call stack, and memory stays bounded by
//! [`MAX_CAUSES`](super::ServiceError::MAX_CAUSES) levels of at most
//! [`MAX_MESSAGE_BYTES`](super::ServiceError::MAX_MESSAGE_BYTES) each.

use super::{ErrorCause, MAX_STACKTRACE_BYTES, ServiceError, cap_text};

/// The levels kept and how many were dropped from the middle of the chain.
#[derive(Debug, Default)]
pub(super) struct Chain {
    pub(super) causes: Vec<ErrorCause>,
    pub(super) omitted: usize,
}

/// Levels kept from the outside in; the innermost level is kept in addition.
const HEAD_LEVELS: usize = ServiceError::MAX_CAUSES - 1;

/// Walks the raw JSON text of `innererror`. An object gives its chain; a string gives one cause
/// with that message; anything else gives none. Text that is not well-formed (it always is when
/// it comes from serde_json's `RawValue`) ends the walk with what was read so far.
pub(super) fn scan(raw: &str) -> Chain {
    let mut s = Scanner {
        bytes: raw.as_bytes(),
        pos: 0,
    };
    s.skip_ws();
    match s.peek() {
        Some(b'"') => {
            let Some(token) = s.string_token() else {
                return Chain::default();
            };
            let (message, truncated) =
                cap_text(decode_string(token), ServiceError::MAX_MESSAGE_BYTES);
            Chain {
                causes: vec![ErrorCause {
                    level: 0,
                    message,
                    kind: None,
                    stacktrace: None,
                    truncated,
                }],
                omitted: 0,
            }
        }
        Some(b'{') => s.walk_objects(),
        _ => Chain::default(),
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// Where the fields of the level being read go.
struct Levels {
    head: Vec<ErrorCause>,
    tail: Option<ErrorCause>,
    levels_seen: usize,
}

impl Levels {
    fn enter(&mut self, level: usize) {
        let fresh = ErrorCause {
            level,
            message: String::new(),
            kind: None,
            stacktrace: None,
            truncated: false,
        };
        // A repeated `internalexception` key replaces what an earlier one opened at this level.
        if self.tail.as_ref().is_some_and(|t| t.level >= level) {
            self.tail = None;
        }
        if level < HEAD_LEVELS {
            self.head.truncate(level);
            self.head.push(fresh);
        } else {
            self.tail = Some(fresh);
        }
        self.levels_seen = self.levels_seen.max(level + 1);
    }

    fn slot(&mut self, level: usize) -> Option<&mut ErrorCause> {
        if level < HEAD_LEVELS {
            self.head.get_mut(level)
        } else {
            self.tail.as_mut().filter(|t| t.level == level)
        }
    }
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The text of a string token, quotes included; the scanner stands on its opening quote.
    fn string_token(&mut self) -> Option<&'a str> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    // Token boundaries are ASCII quotes, so this slice is on char boundaries.
                    return std::str::from_utf8(&self.bytes[start..self.pos]).ok();
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skips one value of any depth with a depth counter.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            self.skip_ws();
            match self.peek()? {
                b'"' => {
                    self.string_token()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.pos += 1;
                }
                b',' | b':' if depth > 0 => self.pos += 1,
                _ => {
                    // A scalar: runs to the next delimiter.
                    let start = self.pos;
                    while let Some(b) = self.peek() {
                        if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                            break;
                        }
                        self.pos += 1;
                    }
                    if self.pos == start {
                        return None;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }

    /// Reads the members of nested objects, descending into `internalexception` members.
    fn walk_objects(&mut self) -> Chain {
        let mut levels = Levels {
            head: Vec::new(),
            tail: None,
            levels_seen: 0,
        };
        let mut level = 0usize;
        levels.enter(level);
        self.pos += 1; // the opening brace
        while self.step(&mut levels, &mut level).is_some() {}
        let mut causes = levels.head;
        causes.extend(levels.tail);
        let omitted = levels.levels_seen.saturating_sub(causes.len());
        Chain { causes, omitted }
    }

    /// One member, separator or closing brace. `None` ends the walk (done or malformed).
    fn step(&mut self, levels: &mut Levels, level: &mut usize) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b',' => self.pos += 1,
            b'}' => {
                self.pos += 1;
                *level = level.checked_sub(1)?;
            }
            b'"' => {
                let key = self.string_token()?;
                self.skip_ws();
                if self.peek()? != b':' {
                    return None;
                }
                self.pos += 1;
                self.skip_ws();
                let field = Field::of(key);
                match (field, self.peek()?) {
                    (Some(Field::Inner), b'{') => {
                        self.pos += 1;
                        *level += 1;
                        levels.enter(*level);
                    }
                    (Some(field @ (Field::Message | Field::Type | Field::StackTrace)), b'"') => {
                        let token = self.string_token()?;
                        if let Some(slot) = levels.slot(*level) {
                            field.store(slot, token);
                        }
                    }
                    _ => self.skip_value()?,
                }
            }
            _ => return None,
        }
        Some(())
    }
}

#[derive(Clone, Copy)]
enum Field {
    Message,
    Type,
    StackTrace,
    Inner,
}

impl Field {
    fn of(key_token: &str) -> Option<Field> {
        let key = key_token.get(1..key_token.len().saturating_sub(1))?;
        [
            ("message", Field::Message),
            ("type", Field::Type),
            ("stacktrace", Field::StackTrace),
            ("internalexception", Field::Inner),
        ]
        .into_iter()
        .find_map(|(name, field)| key.eq_ignore_ascii_case(name).then_some(field))
    }

    fn store(self, cause: &mut ErrorCause, token: &str) {
        match self {
            Field::Message => {
                let (text, truncated) =
                    cap_text(decode_string(token), ServiceError::MAX_MESSAGE_BYTES);
                cause.message = text;
                cause.truncated = truncated;
            }
            Field::Type => {
                let (text, _) = cap_text(decode_string(token), ServiceError::MAX_MESSAGE_BYTES);
                cause.kind = Some(text).filter(|t| !t.is_empty());
            }
            Field::StackTrace => {
                let (text, _) = cap_text(decode_string(token), MAX_STACKTRACE_BYTES);
                cause.stacktrace = Some(text).filter(|t| !t.trim().is_empty());
            }
            Field::Inner => {}
        }
    }
}

/// The value of a JSON string token; the token's own text (quotes stripped) if it does not decode.
fn decode_string(token: &str) -> String {
    serde_json::from_str::<String>(token).unwrap_or_else(|_| {
        token
            .get(1..token.len().saturating_sub(1))
            .unwrap_or_default()
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &str = r#"{"message":"outer \"quoted\" \\ text","type":"A","stacktrace":"s","extra":[1,{"x":"}]"},null,true,-1.5e3],"internalexception":{"internalexception":{"message":"innermost ü","type":"C"},"message":"middle","type":"B"}}"#;

    #[test]
    fn reads_escapes_skips_unknown_members_and_follows_the_chain() {
        let chain = scan(CHAIN);
        let got: Vec<(usize, &str, Option<&str>)> = chain
            .causes
            .iter()
            .map(|c| (c.level, c.message.as_str(), c.kind.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (0, r#"outer "quoted" \ text"#, Some("A")),
                (1, "middle", Some("B")),
                (2, "innermost ü", Some("C")),
            ]
        );
        assert_eq!(chain.omitted, 0);
    }

    #[test]
    fn malformed_or_cut_text_never_panics_and_stays_bounded() {
        // Every prefix, and every prefix with a byte replaced by a structural character.
        for cut in 0..=CHAIN.len() {
            let Some(prefix) = CHAIN.get(..cut) else {
                continue;
            };
            let chain = scan(prefix);
            assert!(chain.causes.len() <= ServiceError::MAX_CAUSES);
            for junk in ["}", "{", "\"", "\\", ":", ","] {
                let mut text = prefix.to_owned();
                if let Some((at, _)) = text.char_indices().nth(cut / 2) {
                    text.replace_range(
                        at..at + text[at..].chars().next().map_or(0, char::len_utf8),
                        junk,
                    );
                }
                let chain = scan(&text);
                assert!(chain.causes.len() <= ServiceError::MAX_CAUSES, "{text}");
            }
        }
    }

    #[test]
    fn non_object_values_give_no_chain() {
        for raw in ["null", "42", "[]", "true", ""] {
            assert!(scan(raw).causes.is_empty(), "{raw}");
        }
    }
}
