//! `Edm.Duration`: a signed length of time in ISO 8601 day-time form (`P1DT2H3M4.5S`).

use std::fmt;
use std::str::FromStr;

use super::cursor::Cursor;
use super::error::{ParseError, ParseErrorKind};
use super::serde_str::serde_via_str;
use super::time_of_day::write_fraction;

const EDM_TYPE: &str = "Edm.Duration";

/// An `Edm.Duration`, backed by [`time::Duration`].
///
/// OData durations use only days, hours, minutes and seconds:
/// `[-]P[nD][T[nH][nM][n[.fraction]S]]`, e.g. `P1DT2H3M4.5S`, `-PT1S`,
/// `PT36H`. Output is normalized (`PT36H` is written `P1DT12H`; zero is
/// `PT0S`); equality compares the length of time.
///
/// JSON form: the string `"P1D"`; URL literal: `duration'P1D'`.
///
/// ```
/// use d365fo_odata::edm::Duration;
///
/// let d: Duration = "P1DT2H3M4.5S".parse()?;
/// assert_eq!(d.as_duration(), time::Duration::seconds_f64(93_784.5));
/// assert_eq!("-PT1S".parse::<Duration>()?.to_string(), "-PT1S");
/// # Ok::<(), d365fo_odata::edm::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Duration(time::Duration);

impl Duration {
    /// The empty duration, `PT0S`.
    pub const ZERO: Duration = Duration(time::Duration::ZERO);

    /// Wraps a [`time::Duration`].
    pub const fn new(value: time::Duration) -> Self {
        Self(value)
    }

    /// The wrapped [`time::Duration`].
    pub const fn as_duration(&self) -> time::Duration {
        self.0
    }

    /// Parses `[-]P[nD][T[nH][nM][n[.f]S]]`; the same as [`FromStr`].
    ///
    /// At least one component is required; year and month designators are
    /// not part of `Edm.Duration` and are rejected. Fractions finer than a
    /// nanosecond must be zero.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut c = Cursor::new(EDM_TYPE, text);
        let negative = c.eat(b'-') || {
            c.eat(b'+');
            false
        };
        c.expect(b'P', "`P`")?;
        let mut seconds: i64 = 0;
        let mut nanos: u32 = 0;
        let mut components = 0;
        let overflow = |c: &Cursor<'_>| c.error_at(0, ParseErrorKind::Overflow);

        let add =
            |c: &Cursor<'_>, seconds: i64, value: &str, unit: i64| -> Result<i64, ParseError> {
                value
                    .parse::<i64>()
                    .ok()
                    .and_then(|v| v.checked_mul(unit))
                    .and_then(|v| v.checked_add(seconds))
                    .ok_or_else(|| overflow(c))
            };

        if matches!(c.peek(), Some(b'0'..=b'9')) {
            let value = c.digit_run("digits")?;
            c.expect(b'D', "`D` (Edm.Duration has no years, months or weeks)")?;
            seconds = add(&c, seconds, value, 86_400)?;
            components += 1;
        }
        if c.eat(b'T') {
            let mut time_components = 0;
            let mut last_unit = 0;
            while matches!(c.peek(), Some(b'0'..=b'9')) {
                let value_pos = c.pos();
                let value = c.digit_run("digits")?;
                let (unit, rank) = match c.peek() {
                    Some(b'H') => (3_600, 1),
                    Some(b'M') => (60, 2),
                    Some(b'S') | Some(b'.') => (1, 3),
                    _ => return Err(c.syntax("`H`, `M` or `S`")),
                };
                if rank <= last_unit {
                    return Err(c.error_at(
                        value_pos,
                        ParseErrorKind::Syntax {
                            expected: "hours, minutes and seconds once each, in that order",
                        },
                    ));
                }
                last_unit = rank;
                match unit {
                    3_600 => c.expect(b'H', "`H`")?,
                    60 => c.expect(b'M', "`M`")?,
                    _ => {
                        if c.eat(b'.') {
                            nanos = c.fraction_nanos()?;
                        }
                        c.expect(b'S', "`S`")?;
                    }
                }
                seconds = add(&c, seconds, value, unit)?;
                time_components += 1;
            }
            if time_components == 0 {
                return Err(c.syntax("a number of hours, minutes or seconds after `T`"));
            }
            components += time_components;
        }
        if components == 0 {
            return Err(c.syntax("a number of days, or `T`"));
        }
        c.finish()?;
        let nanos = nanos as i32;
        let value = if negative {
            time::Duration::new(-seconds, -nanos)
        } else {
            time::Duration::new(seconds, nanos)
        };
        Ok(Self(value))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.0.whole_seconds();
        let nanos = self.0.subsec_nanoseconds();
        if seconds == 0 && nanos == 0 {
            return f.write_str("PT0S");
        }
        if seconds < 0 || nanos < 0 {
            f.write_str("-")?;
        }
        let total = seconds.unsigned_abs();
        let nanos = nanos.unsigned_abs();
        let (days, rest) = (total / 86_400, total % 86_400);
        let (hours, rest) = (rest / 3_600, rest % 3_600);
        let (minutes, secs) = (rest / 60, rest % 60);
        f.write_str("P")?;
        if days > 0 {
            write!(f, "{days}D")?;
        }
        if hours > 0 || minutes > 0 || secs > 0 || nanos > 0 {
            f.write_str("T")?;
            if hours > 0 {
                write!(f, "{hours}H")?;
            }
            if minutes > 0 {
                write!(f, "{minutes}M")?;
            }
            if secs > 0 || nanos > 0 {
                write!(f, "{secs}")?;
                write_fraction(f, nanos)?;
                f.write_str("S")?;
            }
        }
        Ok(())
    }
}

impl FromStr for Duration {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<time::Duration> for Duration {
    fn from(value: time::Duration) -> Self {
        Self(value)
    }
}

impl From<Duration> for time::Duration {
    fn from(value: Duration) -> Self {
        value.0
    }
}

serde_via_str!(Duration, "an Edm.Duration string such as \"P1DT2H\"");

#[cfg(test)]
mod tests {
    use super::*;

    fn dur(s: &str) -> Duration {
        Duration::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_all_day_time_components() {
        let d = dur("P1DT2H3M4.5S");
        assert_eq!(
            d.as_duration(),
            time::Duration::new(86_400 + 2 * 3_600 + 3 * 60 + 4, 500_000_000)
        );
        assert_eq!(d.to_string(), "P1DT2H3M4.5S");
    }

    #[test]
    fn parses_negative_durations() {
        let d = dur("-PT1S");
        assert_eq!(d.as_duration(), time::Duration::seconds(-1));
        assert_eq!(d.to_string(), "-PT1S");
        assert_eq!(dur("-PT0.25S").to_string(), "-PT0.25S");
        assert_eq!(
            dur("-PT0.25S").as_duration(),
            time::Duration::milliseconds(-250)
        );
    }

    #[test]
    fn normalizes_output() {
        assert_eq!(dur("PT36H").to_string(), "P1DT12H");
        assert_eq!(dur("PT90M").to_string(), "PT1H30M");
        assert_eq!(dur("P0D").to_string(), "PT0S");
        assert_eq!(dur("P1D").to_string(), "P1D");
        assert_eq!(dur("PT0.000000001S").to_string(), "PT0.000000001S");
        assert_eq!(Duration::ZERO.to_string(), "PT0S");
    }

    #[test]
    fn rejects_malformed_durations_with_message() {
        let err = Duration::parse("P1Y").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.Duration `P1Y` at byte 2: expected `D` (Edm.Duration has no years, months or weeks)"
        );
        assert_eq!(
            Duration::parse("P").unwrap_err().kind,
            ParseErrorKind::Syntax {
                expected: "a number of days, or `T`"
            }
        );
        assert_eq!(
            Duration::parse("PT").unwrap_err().kind,
            ParseErrorKind::Syntax {
                expected: "a number of hours, minutes or seconds after `T`"
            }
        );
        assert_eq!(
            Duration::parse("PT1M1H").unwrap_err().kind,
            ParseErrorKind::Syntax {
                expected: "hours, minutes and seconds once each, in that order"
            }
        );
        assert_eq!(
            Duration::parse("1D").unwrap_err().kind,
            ParseErrorKind::Syntax { expected: "`P`" }
        );
        assert_eq!(
            Duration::parse("PT1.5M").unwrap_err().kind,
            ParseErrorKind::Syntax { expected: "`S`" }
        );
        assert_eq!(
            Duration::parse("PT1X").unwrap_err().kind,
            ParseErrorKind::Syntax {
                expected: "`H`, `M` or `S`"
            }
        );
        assert_eq!(
            Duration::parse("P99999999999999999999D").unwrap_err().kind,
            ParseErrorKind::Overflow
        );
        assert_eq!(Duration::parse("P1DT").unwrap_err().position, 4);
    }

    #[test]
    fn json_form_is_a_string() {
        let d: Duration = serde_json::from_str(r#""P1D""#).unwrap();
        assert_eq!(d.as_duration(), time::Duration::days(1));
        assert_eq!(serde_json::to_string(&d).unwrap(), r#""P1D""#);
    }
}
