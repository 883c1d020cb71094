//! The error returned when text is not a valid value of an Edm type.

use std::fmt;

/// Longest part of the offending input kept in a [`ParseError`] message; longer
/// inputs are shortened so a pathological payload cannot produce a huge error.
const MAX_SHOWN_INPUT: usize = 80;

/// Text that is not a valid value of an Edm primitive type.
///
/// The message says which type was expected, shows the input (shortened past
/// 80 characters), the byte offset where the problem starts and what was wrong:
///
/// ```text
/// invalid Edm.Date `2024-13-01` at byte 5: month (1..=12) out of range
/// ```
///
/// The crate-wide error type wraps this one, so callers can match on
/// [`ParseError::kind`] without parsing strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The Edm type that was being parsed, e.g. `"Edm.Decimal"`.
    pub edm_type: &'static str,
    /// What was wrong.
    pub kind: ParseErrorKind,
    /// The full text that failed to parse.
    pub input: String,
    /// Byte offset into [`ParseError::input`] where the problem was found.
    pub position: usize,
}

/// What was wrong with the text given to a parser in [`crate::edm`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text does not follow the type's syntax; `expected` names what should
    /// have been at [`ParseError::position`].
    Syntax {
        /// What the parser expected, e.g. `"two-digit month"`.
        expected: &'static str,
    },
    /// A component was syntactically fine but outside its range (month 13, hour 24).
    OutOfRange {
        /// Which component, with its range, e.g. `"month (1..=12)"`.
        component: &'static str,
    },
    /// A decimal has more significant digits than `rust_decimal` can hold
    /// (28 or 29, at most 28 after the decimal point). The value is rejected
    /// rather than rounded.
    TooManyDigits,
    /// The value is too large in magnitude for the target type.
    Overflow,
    /// A complete value was followed by more text.
    TrailingCharacters,
}

impl ParseError {
    pub(crate) fn new(
        edm_type: &'static str,
        input: &str,
        position: usize,
        kind: ParseErrorKind,
    ) -> Self {
        Self {
            edm_type,
            kind,
            input: input.to_owned(),
            position,
        }
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { expected } => write!(f, "expected {expected}"),
            Self::OutOfRange { component } => write!(f, "{component} out of range"),
            Self::TooManyDigits => f.write_str(
                "more significant digits than a decimal holds (28-29, at most 28 after the point); \
                 refusing to round",
            ),
            Self::Overflow => f.write_str("value too large"),
            Self::TrailingCharacters => f.write_str("unexpected characters after the value"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} `", self.edm_type)?;
        if self.input.chars().count() > MAX_SHOWN_INPUT {
            let shown: String = self.input.chars().take(MAX_SHOWN_INPUT).collect();
            write!(f, "{shown}...")?;
        } else {
            f.write_str(&self.input)?;
        }
        write!(f, "` at byte {}: {}", self.position, self.kind)
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_type_input_position_and_problem() {
        let err = ParseError::new(
            "Edm.Date",
            "2024-13-01",
            5,
            ParseErrorKind::OutOfRange {
                component: "month (1..=12)",
            },
        );
        assert_eq!(
            err.to_string(),
            "invalid Edm.Date `2024-13-01` at byte 5: month (1..=12) out of range"
        );
    }

    #[test]
    fn message_shortens_very_long_input() {
        let input = "9".repeat(500);
        let err = ParseError::new("Edm.Decimal", &input, 0, ParseErrorKind::TooManyDigits);
        let msg = err.to_string();
        assert!(msg.len() < 300, "{msg}");
        assert!(msg.contains("..."));
        assert_eq!(err.input.len(), 500);
    }
}
