//! `Edm.Date`: a calendar date without time or offset (`2024-01-31`).

use std::fmt;
use std::str::FromStr;

use super::cursor::Cursor;
use super::error::ParseError;
use super::serde_str::serde_via_str;

/// An `Edm.Date`: a calendar date, `YYYY-MM-DD`, backed by [`time::Date`].
///
/// JSON form: the string `"2024-01-31"`; URL literal: `2024-01-31` (unquoted).
/// Years from -9999 to 9999 are supported.
///
/// Note that F&O exposes X++ `date` fields as `Edm.DateTimeOffset` (at
/// 12:00:00 UTC), not as `Edm.Date`; see [`DateTimeOffset::date`](super::DateTimeOffset::date).
///
/// ```
/// use d365fo_odata::edm::Date;
///
/// let d: Date = "2024-01-31".parse()?;
/// assert_eq!(d.to_string(), "2024-01-31");
/// assert_eq!(d.as_date().month(), time::Month::January);
/// # Ok::<(), d365fo_odata::edm::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(time::Date);

impl Date {
    /// Wraps a [`time::Date`].
    pub const fn new(date: time::Date) -> Self {
        Self(date)
    }

    /// Builds a date from year, month (1–12) and day, failing with
    /// [`ParseErrorKind::OutOfRange`](super::ParseErrorKind::OutOfRange) for
    /// an impossible date such as February 30th.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Self, ParseError> {
        let text = format!("{year:04}-{month:02}-{day:02}");
        let month_value = time::Month::try_from(month)
            .map_err(|_| Cursor::new("Edm.Date", &text).out_of_range(0, "month (1..=12)"))?;
        time::Date::from_calendar_date(year, month_value, day)
            .map(Self)
            .map_err(|_| Cursor::new("Edm.Date", &text).out_of_range(0, "date"))
    }

    /// The wrapped [`time::Date`].
    pub const fn as_date(&self) -> time::Date {
        self.0
    }

    /// Parses `YYYY-MM-DD`; the same as [`FromStr`].
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut c = Cursor::new("Edm.Date", text);
        let date = parse_date_part(&mut c)?;
        c.finish()?;
        Ok(Self(date))
    }
}

/// Reads `[-]YYYY-MM-DD` at the cursor.
pub(crate) fn parse_date_part(c: &mut Cursor<'_>) -> Result<time::Date, ParseError> {
    let start = c.pos();
    let negative = c.eat(b'-');
    let year_start = c.pos();
    let year_digits = c.digit_run("four-digit year")?;
    if year_digits.len() < 4 {
        return Err(c.error_at(
            year_start,
            super::ParseErrorKind::Syntax {
                expected: "four-digit year",
            },
        ));
    }
    if year_digits.len() > 4 {
        return Err(c.out_of_range(start, "year (-9999..=9999)"));
    }
    let year = year_digits.parse::<i32>().unwrap_or(0);
    let year = if negative { -year } else { year };
    c.expect(b'-', "`-` after the year")?;
    let month_pos = c.pos();
    let month = c.fixed_digits(2, "two-digit month")?;
    c.expect(b'-', "`-` after the month")?;
    let day_pos = c.pos();
    let day = c.fixed_digits(2, "two-digit day")?;
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(|| c.out_of_range(month_pos, "month (1..=12)"))?;
    let day = u8::try_from(day).unwrap_or(u8::MAX);
    time::Date::from_calendar_date(year, month, day)
        .map_err(|_| c.out_of_range(day_pos, "day of month"))
}

/// Writes `YYYY-MM-DD` (a negative year gets a leading `-`).
pub(crate) fn write_date(f: &mut impl fmt::Write, date: time::Date) -> fmt::Result {
    let (year, month, day) = date.to_calendar_date();
    if year < 0 {
        f.write_char('-')?;
    }
    write!(
        f,
        "{:04}-{:02}-{:02}",
        year.unsigned_abs(),
        u8::from(month),
        day
    )
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_date(f, self.0)
    }
}

impl FromStr for Date {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<time::Date> for Date {
    fn from(value: time::Date) -> Self {
        Self(value)
    }
}

impl From<Date> for time::Date {
    fn from(value: Date) -> Self {
        value.0
    }
}

serde_via_str!(Date, "an Edm.Date string such as \"2024-01-31\"");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edm::ParseErrorKind;

    #[test]
    fn parses_and_formats_calendar_date() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.as_date(), time::macros::date!(2024 - 01 - 31));
        assert_eq!(d.to_string(), "2024-01-31");
        assert_eq!(Date::parse("0001-01-01").unwrap().to_string(), "0001-01-01");
        assert_eq!(
            Date::parse("-0044-03-15").unwrap().to_string(),
            "-0044-03-15"
        );
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
    }

    #[test]
    fn rejects_impossible_dates_with_message() {
        let err = Date::parse("2023-02-29").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.Date `2023-02-29` at byte 8: day of month out of range"
        );
        let err = Date::parse("2024-13-01").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.Date `2024-13-01` at byte 5: month (1..=12) out of range"
        );
        let err = Date::parse("24-01-01").unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::Syntax {
                expected: "four-digit year"
            }
        );
        let err = Date::parse("2024-1-01").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.Date `2024-1-01` at byte 5: expected two-digit month"
        );
        let err = Date::parse("2024-01-01T00:00:00Z").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::TrailingCharacters);
        assert_eq!(err.position, 10);
        let err = Date::parse("12024-01-01").unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::OutOfRange {
                component: "year (-9999..=9999)"
            }
        );
    }

    #[test]
    fn builds_from_components() {
        assert_eq!(
            Date::from_ymd(2024, 1, 31).unwrap().to_string(),
            "2024-01-31"
        );
        assert_eq!(
            Date::from_ymd(2024, 2, 30).unwrap_err().to_string(),
            "invalid Edm.Date `2024-02-30` at byte 0: date out of range"
        );
        assert!(Date::from_ymd(2024, 13, 1).is_err());
    }

    #[test]
    fn json_form_is_a_string() {
        let d: Date = serde_json::from_str(r#""2024-01-31""#).unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), r#""2024-01-31""#);
        let err = serde_json::from_str::<Date>(r#""2024-01-32""#).unwrap_err();
        assert!(
            err.to_string().contains("invalid Edm.Date `2024-01-32`"),
            "{err}"
        );
        let err = serde_json::from_str::<Date>("20240131").unwrap_err();
        assert!(
            err.to_string().contains("expected an Edm.Date string"),
            "{err}"
        );
    }
}
