//! `Edm.TimeOfDay`: a clock time without date or offset (`13:45:00.1234567`).

use std::fmt;
use std::str::FromStr;

use super::cursor::Cursor;
use super::error::ParseError;
use super::serde_str::serde_via_str;

/// An `Edm.TimeOfDay`: `hh:mm[:ss[.fffffffff]]`, backed by [`time::Time`].
///
/// Parsing accepts up to 12 fractional second digits as OData allows (.NET
/// emits 7); digits finer than a nanosecond must be zero, since keeping them
/// would mean rounding. Output always has seconds and only as many fractional
/// digits as needed: `13:45:00`, `13:45:00.1234567`.
///
/// JSON form: a string; URL literal: unquoted, e.g. `13:45:00`.
///
/// ```
/// use d365fo_odata::edm::TimeOfDay;
///
/// let t: TimeOfDay = "13:45:00.1234567".parse()?;
/// assert_eq!(t.as_time().nanosecond(), 123_456_700);
/// assert_eq!(t.to_string(), "13:45:00.1234567");
/// # Ok::<(), d365fo_odata::edm::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeOfDay(time::Time);

impl TimeOfDay {
    /// Midnight, `00:00:00`.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay(time::Time::MIDNIGHT);

    /// Wraps a [`time::Time`].
    pub const fn new(time: time::Time) -> Self {
        Self(time)
    }

    /// The wrapped [`time::Time`].
    pub const fn as_time(&self) -> time::Time {
        self.0
    }

    /// Parses `hh:mm[:ss[.fraction]]`; the same as [`FromStr`].
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut c = Cursor::new("Edm.TimeOfDay", text);
        let time = parse_time_part(&mut c)?;
        c.finish()?;
        Ok(Self(time))
    }
}

/// Reads `hh:mm[:ss[.fraction]]` at the cursor.
pub(crate) fn parse_time_part(c: &mut Cursor<'_>) -> Result<time::Time, ParseError> {
    let hour_pos = c.pos();
    let hour = c.fixed_digits(2, "two-digit hour")?;
    c.expect(b':', "`:` after the hour")?;
    let minute_pos = c.pos();
    let minute = c.fixed_digits(2, "two-digit minute")?;
    let mut second = 0;
    let mut nanos = 0;
    let mut second_pos = c.pos();
    if c.eat(b':') {
        second_pos = c.pos();
        second = c.fixed_digits(2, "two-digit second")?;
        if c.eat(b'.') {
            nanos = c.fraction_nanos()?;
        }
    }
    if hour > 23 {
        return Err(c.out_of_range(hour_pos, "hour (0..=23)"));
    }
    if minute > 59 {
        return Err(c.out_of_range(minute_pos, "minute (0..=59)"));
    }
    if second > 59 {
        return Err(c.out_of_range(second_pos, "second (0..=59)"));
    }
    // All components were range-checked above.
    time::Time::from_hms_nano(hour as u8, minute as u8, second as u8, nanos)
        .map_err(|_| c.out_of_range(hour_pos, "time"))
}

/// Writes `hh:mm:ss` plus a fraction without trailing zeros when not whole.
pub(crate) fn write_time(f: &mut impl fmt::Write, time: time::Time) -> fmt::Result {
    let (h, m, s, nanos) = time.as_hms_nano();
    write!(f, "{h:02}:{m:02}:{s:02}")?;
    write_fraction(f, nanos)
}

/// Writes `.ddd` for a non-zero nanosecond count, trailing zeros removed.
pub(crate) fn write_fraction(f: &mut impl fmt::Write, nanos: u32) -> fmt::Result {
    if nanos == 0 {
        return Ok(());
    }
    let mut digits = 9;
    let mut value = nanos;
    while value.is_multiple_of(10) {
        value /= 10;
        digits -= 1;
    }
    write!(f, ".{value:0digits$}")
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_time(f, self.0)
    }
}

impl FromStr for TimeOfDay {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<time::Time> for TimeOfDay {
    fn from(value: time::Time) -> Self {
        Self(value)
    }
}

impl From<TimeOfDay> for time::Time {
    fn from(value: TimeOfDay) -> Self {
        value.0
    }
}

serde_via_str!(TimeOfDay, "an Edm.TimeOfDay string such as \"13:45:00\"");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edm::ParseErrorKind;

    #[test]
    fn parses_seven_fractional_digits_as_dotnet_emits() {
        let t = TimeOfDay::parse("13:45:00.1234567").unwrap();
        assert_eq!(t.as_time(), time::macros::time!(13:45:00.1234567));
        assert_eq!(t.to_string(), "13:45:00.1234567");
    }

    #[test]
    fn seconds_and_fraction_are_optional() {
        assert_eq!(TimeOfDay::parse("13:45").unwrap().to_string(), "13:45:00");
        assert_eq!(TimeOfDay::parse("00:00:00").unwrap(), TimeOfDay::MIDNIGHT);
        assert_eq!(
            TimeOfDay::parse("23:59:59.5").unwrap().to_string(),
            "23:59:59.5"
        );
        assert_eq!(
            TimeOfDay::parse("01:02:03.000000001").unwrap().to_string(),
            "01:02:03.000000001"
        );
        assert_eq!(
            TimeOfDay::parse("01:02:03.100000000000")
                .unwrap()
                .to_string(),
            "01:02:03.1"
        );
    }

    #[test]
    fn rejects_out_of_range_components() {
        let err = TimeOfDay::parse("24:00:00").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.TimeOfDay `24:00:00` at byte 0: hour (0..=23) out of range"
        );
        assert_eq!(TimeOfDay::parse("12:60").unwrap_err().position, 3);
        let err = TimeOfDay::parse("12:00:61").unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::OutOfRange {
                component: "second (0..=59)"
            }
        );
        assert_eq!(err.position, 6);
    }

    #[test]
    fn rejects_sub_nanosecond_digits_rather_than_rounding() {
        let err = TimeOfDay::parse("12:00:00.0000000001").unwrap_err();
        assert_eq!(err.position, 18);
        assert_eq!(
            err.kind,
            ParseErrorKind::OutOfRange {
                component: "sub-nanosecond fraction (must be zero)"
            }
        );
        let err = TimeOfDay::parse("12:00:00.0000000000000").unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::Syntax {
                expected: "at most 12 fractional second digits"
            }
        );
    }

    #[test]
    fn rejects_malformed_text() {
        let err = TimeOfDay::parse("1:00").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.TimeOfDay `1:00` at byte 0: expected two-digit hour"
        );
        assert_eq!(
            TimeOfDay::parse("12:00:00.").unwrap_err().kind,
            ParseErrorKind::Syntax {
                expected: "digit after `.`"
            }
        );
        assert_eq!(
            TimeOfDay::parse("12:00 ").unwrap_err().kind,
            ParseErrorKind::TrailingCharacters
        );
    }

    #[test]
    fn json_form_is_a_string() {
        let t: TimeOfDay = serde_json::from_str(r#""08:30:15.25""#).unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""08:30:15.25""#);
    }
}
