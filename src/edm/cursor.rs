//! A forward-only reader over ASCII text shared by the Edm parsers, so every
//! parser reports errors with the same type, input and byte offset.

use super::error::{ParseError, ParseErrorKind};

/// Reads an Edm value's text left to right and builds positioned errors.
pub(crate) struct Cursor<'a> {
    edm_type: &'static str,
    input: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(edm_type: &'static str, input: &'a str) -> Self {
        Self {
            edm_type,
            input,
            bytes: input.as_bytes(),
            pos: 0,
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn is_at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Consumes `b` if it is next; reports whether it did.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `b` or fails with "expected `what`".
    pub(crate) fn expect(&mut self, b: u8, what: &'static str) -> Result<(), ParseError> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.syntax(what))
        }
    }

    /// Reads exactly `n` ASCII digits as a number.
    pub(crate) fn fixed_digits(&mut self, n: usize, what: &'static str) -> Result<u32, ParseError> {
        let start = self.pos;
        let mut value = 0u32;
        for i in 0..n {
            match self.bytes.get(start + i) {
                Some(b @ b'0'..=b'9') => value = value * 10 + u32::from(b - b'0'),
                _ => return Err(self.syntax(what)),
            }
        }
        self.pos += n;
        Ok(value)
    }

    /// Reads one or more ASCII digits and returns them as a slice.
    pub(crate) fn digit_run(&mut self, what: &'static str) -> Result<&'a str, ParseError> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.syntax(what));
        }
        Ok(&self.input[start..self.pos])
    }

    /// Reads the digits after a `.` of a seconds value as nanoseconds.
    ///
    /// OData allows up to 12 fractional digits; digits past the ninth must be
    /// zero, because the value would otherwise have to be rounded.
    pub(crate) fn fraction_nanos(&mut self) -> Result<u32, ParseError> {
        let start = self.pos;
        let digits = self.digit_run("digit after `.`")?;
        if digits.len() > 12 {
            return Err(self.error_at(
                start + 12,
                ParseErrorKind::Syntax {
                    expected: "at most 12 fractional second digits",
                },
            ));
        }
        let mut nanos = 0u32;
        for (i, b) in digits.bytes().enumerate() {
            let d = u32::from(b - b'0');
            if i < 9 {
                nanos = nanos * 10 + d;
            } else if d != 0 {
                return Err(self.error_at(
                    start + i,
                    ParseErrorKind::OutOfRange {
                        component: "sub-nanosecond fraction (must be zero)",
                    },
                ));
            }
        }
        for _ in digits.len()..9 {
            nanos *= 10;
        }
        Ok(nanos)
    }

    /// Fails unless the whole input was consumed.
    pub(crate) fn finish(&self) -> Result<(), ParseError> {
        if self.is_at_end() {
            Ok(())
        } else {
            Err(self.error_at(self.pos, ParseErrorKind::TrailingCharacters))
        }
    }

    pub(crate) fn syntax(&self, expected: &'static str) -> ParseError {
        self.error_at(self.pos, ParseErrorKind::Syntax { expected })
    }

    pub(crate) fn error_at(&self, position: usize, kind: ParseErrorKind) -> ParseError {
        ParseError::new(self.edm_type, self.input, position, kind)
    }

    pub(crate) fn out_of_range(&self, position: usize, component: &'static str) -> ParseError {
        self.error_at(position, ParseErrorKind::OutOfRange { component })
    }
}
