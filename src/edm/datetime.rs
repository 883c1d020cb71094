//! `Edm.DateTimeOffset`: an instant together with the UTC offset it was written in.

use std::fmt;
use std::str::FromStr;

use time::{OffsetDateTime, UtcOffset};

use super::cursor::Cursor;
use super::date::{parse_date_part, write_date};
use super::error::ParseError;
use super::serde_str::serde_via_str;
use super::time_of_day::{parse_time_part, write_time};
use super::{Date, TimeOfDay};

/// An `Edm.DateTimeOffset`, backed by [`time::OffsetDateTime`]; the offset is kept.
///
/// Parses `2024-01-01T00:00:00Z`, `2024-01-01T02:00:00+02:00`, with seconds
/// optional and up to 12 fractional second digits (.NET and F&O emit up to 7;
/// digits finer than a nanosecond must be zero rather than be rounded away).
/// `t`/`z` are accepted in lower case. Output follows OData: seconds always,
/// a fraction only when non-zero (trailing zeros removed), and `Z` for UTC:
/// `2024-01-01T00:00:00Z`, `2024-06-30T23:59:59.1234567+02:00`.
///
/// Equality, ordering and hashing compare the *instant* (as
/// [`time::OffsetDateTime`] does): `…T02:00:00+02:00` equals `…T00:00:00Z`.
/// Compare [`offset`](Self::offset) too when the written offset matters.
///
/// F&O sends every date and date-time property as a UTC `DateTimeOffset` and
/// writes an empty X++ date as `1900-01-01T12:00:00Z` or as `1900-01-01T00:00:00Z`
/// (both forms occur, in OData rows and in business events' `EventTimeIso8601`): see
/// [`FNO_EMPTY_DATE`](Self::FNO_EMPTY_DATE), [`FNO_EMPTY_DATE_MIDNIGHT`](Self::FNO_EMPTY_DATE_MIDNIGHT),
/// [`is_fno_empty_date`](Self::is_fno_empty_date) and [`non_empty`](Self::non_empty).
///
/// JSON form: a string; URL literal: unquoted (`2024-01-01T00:00:00Z`), with
/// `+` percent-encoded by [`percent_encode_query_value`](super::percent_encode_query_value).
///
/// ```
/// use d365fo_odata::edm::DateTimeOffset;
///
/// let t: DateTimeOffset = "2024-03-01T10:15:30.1234567+02:00".parse()?;
/// assert_eq!(t.offset().whole_hours(), 2);
/// assert_eq!(t.to_string(), "2024-03-01T10:15:30.1234567+02:00");
/// assert_eq!(t.to_utc().to_string(), "2024-03-01T08:15:30.1234567Z");
///
/// let empty: DateTimeOffset = "1900-01-01T12:00:00Z".parse()?;
/// assert!(empty.is_fno_empty_date());
/// assert_eq!(empty.non_empty(), None);
/// let midnight: DateTimeOffset = "1900-01-01T00:00:00Z".parse()?;
/// assert_eq!(midnight.non_empty(), None);
/// # Ok::<(), d365fo_odata::edm::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTimeOffset(OffsetDateTime);

impl DateTimeOffset {
    /// The value F&O sends for an empty X++ date or date-time in most OData rows:
    /// `1900-01-01T12:00:00Z`.
    pub const FNO_EMPTY_DATE: DateTimeOffset =
        DateTimeOffset(time::macros::datetime!(1900-01-01 12:00 UTC));

    /// The other form of F&O's empty date, `1900-01-01T00:00:00Z`, seen in OData rows of real
    /// environments and in business events' `EventTimeIso8601`.
    pub const FNO_EMPTY_DATE_MIDNIGHT: DateTimeOffset =
        DateTimeOffset(time::macros::datetime!(1900-01-01 00:00 UTC));

    /// The Unix epoch, `1970-01-01T00:00:00Z`.
    pub const UNIX_EPOCH: DateTimeOffset = DateTimeOffset(OffsetDateTime::UNIX_EPOCH);

    /// Wraps a [`time::OffsetDateTime`], keeping its offset.
    pub const fn new(value: OffsetDateTime) -> Self {
        Self(value)
    }

    /// The current time in UTC.
    pub fn now_utc() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    /// The wrapped [`time::OffsetDateTime`].
    pub const fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// The UTC offset the value was written with.
    pub const fn offset(&self) -> UtcOffset {
        self.0.offset()
    }

    /// The same instant expressed in UTC.
    pub const fn to_utc(&self) -> Self {
        Self(self.0.to_offset(UtcOffset::UTC))
    }

    /// The calendar date in the value's own offset.
    pub const fn date(&self) -> Date {
        Date::new(self.0.date())
    }

    /// The clock time in the value's own offset.
    pub const fn time_of_day(&self) -> TimeOfDay {
        TimeOfDay::new(self.0.time())
    }

    /// Whether this is F&O's empty date in either form, `1900-01-01T12:00:00Z` or
    /// `1900-01-01T00:00:00Z` (compared as instants).
    pub fn is_fno_empty_date(&self) -> bool {
        *self == Self::FNO_EMPTY_DATE || *self == Self::FNO_EMPTY_DATE_MIDNIGHT
    }

    /// `None` for F&O's empty date, `Some(self)` otherwise: turns the
    /// sentinel into an `Option` for display or logic.
    pub fn non_empty(self) -> Option<Self> {
        (!self.is_fno_empty_date()).then_some(self)
    }

    /// Parses an OData date-time with offset; the same as [`FromStr`].
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let mut c = Cursor::new("Edm.DateTimeOffset", text);
        let date = parse_date_part(&mut c)?;
        if !(c.eat(b'T') || c.eat(b't')) {
            return Err(c.syntax("`T` between date and time"));
        }
        let time = parse_time_part(&mut c)?;
        let offset = if c.eat(b'Z') || c.eat(b'z') {
            UtcOffset::UTC
        } else {
            let sign_pos = c.pos();
            let negative = if c.eat(b'+') {
                false
            } else if c.eat(b'-') {
                true
            } else {
                return Err(c.syntax("`Z` or a `+hh:mm`/`-hh:mm` offset"));
            };
            let hours = c.fixed_digits(2, "two-digit offset hour")?;
            c.expect(b':', "`:` in the offset")?;
            let minutes = c.fixed_digits(2, "two-digit offset minute")?;
            if hours > 23 || minutes > 59 {
                return Err(c.out_of_range(sign_pos, "offset (-23:59..=+23:59)"));
            }
            let (h, m) = (hours as i8, minutes as i8);
            let (h, m) = if negative { (-h, -m) } else { (h, m) };
            UtcOffset::from_hms(h, m, 0).map_err(|_| c.out_of_range(sign_pos, "offset"))?
        };
        c.finish()?;
        Ok(Self(
            time::PrimitiveDateTime::new(date, time).assume_offset(offset),
        ))
    }
}

impl fmt::Display for DateTimeOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // OData offsets have no seconds; such a value is written in UTC instead.
        let value = if self.0.offset().seconds_past_minute() != 0 {
            self.0.to_offset(UtcOffset::UTC)
        } else {
            self.0
        };
        write_date(f, value.date())?;
        f.write_str("T")?;
        write_time(f, value.time())?;
        let offset = value.offset();
        if offset.is_utc() {
            f.write_str("Z")
        } else {
            let sign = if offset.is_negative() { '-' } else { '+' };
            let hours = offset.whole_hours().unsigned_abs();
            let minutes = offset.minutes_past_hour().unsigned_abs();
            write!(f, "{sign}{hours:02}:{minutes:02}")
        }
    }
}

impl FromStr for DateTimeOffset {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<OffsetDateTime> for DateTimeOffset {
    fn from(value: OffsetDateTime) -> Self {
        Self(value)
    }
}

impl From<DateTimeOffset> for OffsetDateTime {
    fn from(value: DateTimeOffset) -> Self {
        value.0
    }
}

serde_via_str!(
    DateTimeOffset,
    "an Edm.DateTimeOffset string such as \"2024-01-01T00:00:00Z\""
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edm::ParseErrorKind;
    use time::macros::datetime;

    fn dto(s: &str) -> DateTimeOffset {
        DateTimeOffset::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_utc_as_fno_sends_it() {
        let t = dto("2024-01-01T00:00:00Z");
        assert_eq!(t.as_offset_date_time(), datetime!(2024-01-01 0:00 UTC));
        assert!(t.offset().is_utc());
        assert_eq!(t.to_string(), "2024-01-01T00:00:00Z");
    }

    #[test]
    fn keeps_the_written_offset() {
        let t = dto("2024-01-01T02:00:00+02:00");
        assert_eq!(t.offset(), UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(t.to_string(), "2024-01-01T02:00:00+02:00");
        assert_eq!(t, dto("2024-01-01T00:00:00Z"), "equal as instants");
        let t = dto("2024-01-01T00:00:00-05:30");
        assert_eq!(t.to_string(), "2024-01-01T00:00:00-05:30");
        assert_eq!(t.to_utc().to_string(), "2024-01-01T05:30:00Z");
        // -00:00 is UTC.
        assert_eq!(
            dto("2024-01-01T00:00:00-00:00").to_string(),
            "2024-01-01T00:00:00Z"
        );
    }

    #[test]
    fn parses_up_to_seven_fractional_digits_as_dotnet_emits() {
        let t = dto("2024-05-06T07:08:09.1234567Z");
        assert_eq!(t.as_offset_date_time().nanosecond(), 123_456_700);
        assert_eq!(t.to_string(), "2024-05-06T07:08:09.1234567Z");
        assert_eq!(
            dto("2024-05-06T07:08:09.5Z").to_string(),
            "2024-05-06T07:08:09.5Z"
        );
        assert_eq!(
            dto("2024-05-06T07:08:09.000Z").to_string(),
            "2024-05-06T07:08:09Z"
        );
        assert_eq!(
            dto("2024-05-06T07:08:09.123456789Z").to_string(),
            "2024-05-06T07:08:09.123456789Z"
        );
    }

    #[test]
    fn seconds_are_optional_and_lowercase_separators_accepted() {
        assert_eq!(dto("2024-05-06T07:08Z").to_string(), "2024-05-06T07:08:00Z");
        assert_eq!(
            dto("2024-05-06t07:08:09z").to_string(),
            "2024-05-06T07:08:09Z"
        );
    }

    #[test]
    fn recognizes_fno_empty_date() {
        let empty = dto("1900-01-01T12:00:00Z");
        assert!(empty.is_fno_empty_date());
        assert_eq!(empty, DateTimeOffset::FNO_EMPTY_DATE);
        assert_eq!(
            DateTimeOffset::FNO_EMPTY_DATE.to_string(),
            "1900-01-01T12:00:00Z"
        );
        assert_eq!(empty.non_empty(), None);
        let midnight = dto("1900-01-01T00:00:00Z");
        assert!(midnight.is_fno_empty_date());
        assert_eq!(midnight, DateTimeOffset::FNO_EMPTY_DATE_MIDNIGHT);
        assert_eq!(midnight.non_empty(), None);
        assert!(!dto("1900-01-01T06:00:00Z").is_fno_empty_date());
        assert!(!dto("1900-01-02T00:00:00Z").is_fno_empty_date());
        let real = dto("2024-01-01T12:00:00Z");
        assert!(!real.is_fno_empty_date());
        assert_eq!(real.non_empty(), Some(real));
    }

    #[test]
    fn exposes_date_and_time_parts() {
        let t = dto("2024-03-01T23:30:00-01:00");
        assert_eq!(t.date().to_string(), "2024-03-01");
        assert_eq!(t.time_of_day().to_string(), "23:30:00");
        assert_eq!(t.to_utc().date().to_string(), "2024-03-02");
    }

    #[test]
    fn offset_with_seconds_is_written_in_utc() {
        let odt = datetime!(2024-01-01 0:00 UTC).to_offset(UtcOffset::from_hms(1, 0, 30).unwrap());
        assert_eq!(
            DateTimeOffset::from(odt).to_string(),
            "2024-01-01T00:00:00Z"
        );
    }

    #[test]
    fn rejects_bad_date_times_with_message() {
        let err = DateTimeOffset::parse("2024-01-01").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.DateTimeOffset `2024-01-01` at byte 10: expected `T` between date and time"
        );
        let err = DateTimeOffset::parse("2024-01-01T00:00:00").unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::Syntax {
                expected: "`Z` or a `+hh:mm`/`-hh:mm` offset"
            }
        );
        assert_eq!(err.position, 19);
        let err = DateTimeOffset::parse("2024-01-01T00:00:00+0200").unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::Syntax {
                expected: "`:` in the offset"
            }
        );
        let err = DateTimeOffset::parse("2024-01-01T00:00:00+24:00").unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::OutOfRange {
                component: "offset (-23:59..=+23:59)"
            }
        );
        let err = DateTimeOffset::parse("2024-02-30T00:00:00Z").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Edm.DateTimeOffset `2024-02-30T00:00:00Z` at byte 8: day of month out of range"
        );
        let err = DateTimeOffset::parse("2024-01-01T25:00:00Z").unwrap_err();
        assert_eq!(
            err.kind,
            ParseErrorKind::OutOfRange {
                component: "hour (0..=23)"
            }
        );
        let err = DateTimeOffset::parse("2024-01-01T00:00:00Zjunk").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::TrailingCharacters);
    }

    #[test]
    fn json_form_is_a_string_and_round_trips() {
        #[derive(serde::Deserialize, serde::Serialize)]
        struct Row {
            #[serde(rename = "ModifiedDateTime")]
            modified: DateTimeOffset,
            #[serde(rename = "RevRecContractStartDate")]
            start: Option<DateTimeOffset>,
        }
        let json = r#"{"ModifiedDateTime":"2024-01-31T08:15:00.1234567Z","RevRecContractStartDate":"1900-01-01T12:00:00Z"}"#;
        let row: Row = serde_json::from_str(json).unwrap();
        assert!(row.start.unwrap().is_fno_empty_date());
        assert_eq!(serde_json::to_string(&row).unwrap(), json);
        let row: Row = serde_json::from_reader(json.as_bytes()).unwrap();
        assert_eq!(row.modified.to_string(), "2024-01-31T08:15:00.1234567Z");
        let err = serde_json::from_str::<DateTimeOffset>(r#""yesterday""#).unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid Edm.DateTimeOffset `yesterday` at byte 0"),
            "{err}"
        );
    }
}
