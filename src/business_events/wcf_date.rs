//! [`WcfDate`]: the `/Date(ms)/` form F&O business events use for dates.

use std::fmt;
use std::str::FromStr;

use time::{OffsetDateTime, UtcOffset};

use crate::edm::{DateTimeOffset, ParseError, ParseErrorKind};

/// Name used in parse errors.
const WHAT: &str = "WCF date (/Date(ms)/)";

/// Milliseconds since the Unix epoch of `1900-01-01T00:00:00Z`, the value X++ sends for an
/// empty date (`dateNull()`) in business event payloads.
const EMPTY_DATE_MILLIS: i64 = -2_208_988_800_000;

/// A date as F&O business events (and other WCF-serialized contracts) write it:
/// `"/Date(1672408275000)/"`, milliseconds since the Unix epoch, optionally followed by the
/// writer's UTC offset (`"/Date(1672408275000+0100)/"`; the milliseconds are UTC either way).
///
/// F&O writes an empty X++ date as `"/Date(-2208988800000)/"` (1900-01-01): that value is
/// "no date", [`WcfDate::EMPTY`], and [`value`](Self::value) returns `None` for it. Any other
/// value, negative ones included, is a date.
///
/// Serializes back to the same form (the offset suffix only when it is not UTC), so a payload
/// read and written again keeps its text.
///
/// ```
/// use d365fo_odata::business_events::WcfDate;
///
/// let d: WcfDate = "/Date(1672408275000)/".parse()?;
/// assert_eq!(d.value().unwrap().to_string(), "2022-12-30T13:51:15Z");
///
/// let local: WcfDate = "/Date(1672408275000+0100)/".parse()?;
/// assert_eq!(local.value().unwrap().to_string(), "2022-12-30T14:51:15+01:00");
/// assert_eq!(local, d, "the same instant");
///
/// let empty: WcfDate = "/Date(-2208988800000)/".parse()?;
/// assert!(empty.is_empty());
/// assert_eq!(empty.value(), None);
/// # Ok::<(), d365fo_odata::edm::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct WcfDate(Option<DateTimeOffset>);

impl WcfDate {
    /// The empty date, `/Date(-2208988800000)/`.
    pub const EMPTY: WcfDate = WcfDate(None);

    /// A date for `value`; F&O's empty date (1900-01-01T00:00:00Z) and `None` give
    /// [`WcfDate::EMPTY`].
    pub fn new(value: Option<DateTimeOffset>) -> Self {
        WcfDate(value.filter(|v| unix_millis(v) != EMPTY_DATE_MILLIS))
    }

    /// The date, or `None` for the empty date.
    pub const fn value(&self) -> Option<DateTimeOffset> {
        self.0
    }

    /// Whether this is the empty date.
    pub const fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Milliseconds since the Unix epoch, as written on the wire (the empty date's for
    /// [`WcfDate::EMPTY`]).
    pub fn unix_millis(&self) -> i64 {
        self.0.as_ref().map_or(EMPTY_DATE_MILLIS, unix_millis)
    }

    /// Parses `/Date(ms)/` or `/Date(ms±hhmm)/`; the same as [`FromStr`].
    ///
    /// # Errors
    /// A [`ParseError`] naming the input, the byte offset and what was expected there.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let error = |position: usize, kind: ParseErrorKind| ParseError {
            edm_type: WHAT,
            kind,
            input: text.to_owned(),
            position,
        };
        let syntax = |position: usize, expected: &'static str| {
            error(position, ParseErrorKind::Syntax { expected })
        };
        const OPEN: &str = "/Date(";
        const CLOSE: &str = ")/";
        let Some(inner) = text.strip_prefix(OPEN) else {
            return Err(syntax(0, "`/Date(`"));
        };
        let Some(inner) = inner.strip_suffix(CLOSE) else {
            let at = text.rfind(')').unwrap_or(text.len());
            return Err(syntax(at, "`)/` at the end"));
        };
        let bytes = inner.as_bytes();
        let digits_start = usize::from(bytes.first() == Some(&b'-'));
        let digits_end = bytes[digits_start..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |i| i + digits_start);
        if digits_end == digits_start {
            return Err(syntax(OPEN.len() + digits_start, "milliseconds (digits)"));
        }
        let millis: i64 = inner[..digits_end]
            .parse()
            .map_err(|_| error(OPEN.len(), ParseErrorKind::Overflow))?;
        let rest = &inner[digits_end..];
        let offset_at = OPEN.len() + digits_end;
        let offset = if rest.is_empty() {
            UtcOffset::UTC
        } else {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(syntax(offset_at, "`+hhmm`, `-hhmm` or `)/`")),
            };
            let hhmm = &rest[1..];
            if hhmm.len() != 4 || !hhmm.bytes().all(|b| b.is_ascii_digit()) {
                return Err(syntax(offset_at + 1, "a four-digit offset hhmm"));
            }
            let hours: i8 = hhmm[..2].parse().unwrap_or(i8::MAX);
            let minutes: i8 = hhmm[2..].parse().unwrap_or(i8::MAX);
            UtcOffset::from_hms(sign * hours, sign * minutes, 0).map_err(|_| {
                error(
                    offset_at,
                    ParseErrorKind::OutOfRange {
                        component: "offset (-23:59..=+23:59)",
                    },
                )
            })?
        };
        if millis == EMPTY_DATE_MILLIS {
            return Ok(WcfDate::EMPTY);
        }
        let instant = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
            .map_err(|_| {
                error(
                    OPEN.len(),
                    ParseErrorKind::OutOfRange {
                        component: "milliseconds (years -9999..=9999)",
                    },
                )
            })?;
        Ok(WcfDate(Some(DateTimeOffset::new(
            instant.to_offset(offset),
        ))))
    }
}

fn unix_millis(value: &DateTimeOffset) -> i64 {
    // Years -9999..=9999 fit an i64 of milliseconds with room to spare.
    value
        .as_offset_date_time()
        .unix_timestamp_nanos()
        .div_euclid(1_000_000) as i64
}

impl fmt::Display for WcfDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/Date({}", self.unix_millis())?;
        if let Some(value) = self.0 {
            let offset = value.offset();
            if !offset.is_utc() {
                let sign = if offset.is_negative() { '-' } else { '+' };
                let (h, m, _) = offset.as_hms();
                write!(f, "{sign}{:02}{:02}", h.unsigned_abs(), m.unsigned_abs())?;
            }
        }
        f.write_str(")/")
    }
}

impl FromStr for WcfDate {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<DateTimeOffset> for WcfDate {
    fn from(value: DateTimeOffset) -> Self {
        WcfDate::new(Some(value))
    }
}

impl From<WcfDate> for Option<DateTimeOffset> {
    fn from(value: WcfDate) -> Self {
        value.0
    }
}

impl serde::Serialize for WcfDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for WcfDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = WcfDate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date string \"/Date(milliseconds)/\"")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WcfDate, E> {
                v.parse().map_err(E::custom)
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> WcfDate {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn reads_milliseconds_since_the_epoch_in_utc() {
        let d = parse("/Date(1672408275000)/");
        assert_eq!(d.value().unwrap().to_string(), "2022-12-30T13:51:15Z");
        assert_eq!(d.unix_millis(), 1_672_408_275_000);
        assert_eq!(parse("/Date(0)/").value(), Some(DateTimeOffset::UNIX_EPOCH));
        assert_eq!(
            parse("/Date(1672408275123)/").value().unwrap().to_string(),
            "2022-12-30T13:51:15.123Z"
        );
    }

    #[test]
    fn an_offset_suffix_keeps_the_instant_and_records_the_offset() {
        let d = parse("/Date(1672408275000-0530)/");
        let v = d.value().unwrap();
        assert_eq!(v.to_string(), "2022-12-30T08:21:15-05:30");
        assert_eq!(v.to_utc().to_string(), "2022-12-30T13:51:15Z");
        assert_eq!(d.to_string(), "/Date(1672408275000-0530)/");
    }

    #[test]
    fn negative_milliseconds_are_dates_before_1970() {
        let d = parse("/Date(-86400000)/");
        assert_eq!(d.value().unwrap().to_string(), "1969-12-31T00:00:00Z");
        assert_eq!(d.to_string(), "/Date(-86400000)/");
    }

    #[test]
    fn the_1900_sentinel_is_no_date() {
        for text in ["/Date(-2208988800000)/", "/Date(-2208988800000+0000)/"] {
            let d = parse(text);
            assert!(d.is_empty(), "{text}");
            assert_eq!(d, WcfDate::EMPTY);
        }
        assert_eq!(WcfDate::EMPTY.to_string(), "/Date(-2208988800000)/");
        let sentinel: DateTimeOffset = "1900-01-01T00:00:00Z".parse().unwrap();
        assert!(WcfDate::from(sentinel).is_empty());
        assert!(!parse("/Date(-2208988799999)/").is_empty());
    }

    #[test]
    fn displays_what_it_parsed() {
        for text in [
            "/Date(1672408275000)/",
            "/Date(1672408275000+0100)/",
            "/Date(-2208988800000)/",
            "/Date(1)/",
        ] {
            assert_eq!(parse(text).to_string(), text);
        }
    }

    #[test]
    fn malformed_text_names_the_position() {
        let cases = [
            ("2022-12-30", 0),
            ("/Date()/", 6),
            ("/Date(abc)/", 6),
            ("/Date(-)/", 7),
            ("/Date(12", 8),
            ("/Date(12x)/", 8),
            ("/Date(12+01)/", 9),
            ("/Date(12+2460)/", 8),
        ];
        for (text, position) in cases {
            let e = WcfDate::parse(text).unwrap_err();
            assert_eq!(e.position, position, "{text}: {e}");
            assert!(e.to_string().contains(text), "{e}");
        }
        let e = WcfDate::parse("/Date(99999999999999999999)/").unwrap_err();
        assert_eq!(e.kind, ParseErrorKind::Overflow);
        let e = WcfDate::parse("/Date(999999999999999999)/").unwrap_err();
        assert!(matches!(e.kind, ParseErrorKind::OutOfRange { .. }), "{e}");
    }

    #[test]
    fn serde_round_trip_through_json() {
        let d: WcfDate = serde_json::from_str(r#""\/Date(1672408275000)\/""#).unwrap();
        assert_eq!(d.unix_millis(), 1_672_408_275_000);
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#""/Date(1672408275000)/""#
        );
        let e = serde_json::from_str::<WcfDate>("1672408275000").unwrap_err();
        assert!(e.to_string().contains("/Date(milliseconds)/"), "{e}");
    }
}
