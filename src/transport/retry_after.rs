//! Reading `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// The preferred form: `Sun, 06 Nov 1994 08:49:37 GMT`.
const IMF_FIXDATE: &[FormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);
/// Obsolete RFC 850 form, after widening its two-digit year: `Sunday, 06-Nov-1994 08:49:37 GMT`.
const RFC_850: &[FormatItem<'static>] = format_description!(
    "[weekday repr:long], [day]-[month repr:short]-[year] [hour]:[minute]:[second] GMT"
);
/// Obsolete asctime form: `Sun Nov  6 08:49:37 1994`.
const ASCTIME: &[FormatItem<'static>] = format_description!(
    "[weekday repr:short] [month repr:short] [day padding:space] [hour]:[minute]:[second] [year]"
);

/// The wait a `Retry-After` header asks for, measured from `now`; `None` when the header is
/// absent or cannot be read.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, now)
}

/// The wait a `Retry-After` value asks for, measured from `now`: delta-seconds as is (a number
/// too large for `u64` saturates), an HTTP-date as the time left until it (zero when it has
/// passed). `None` for anything else (negative or fractional numbers, other date formats).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let date = parse_http_date(value)?;
    let now = OffsetDateTime::from(now);
    let left = date - now;
    Some(if left.is_positive() {
        left.try_into().unwrap_or(Duration::MAX)
    } else {
        Duration::ZERO
    })
}

/// An HTTP-date in any of its three forms, as UTC.
fn parse_http_date(value: &str) -> Option<OffsetDateTime> {
    let parsed = PrimitiveDateTime::parse(value, IMF_FIXDATE)
        .or_else(|_| PrimitiveDateTime::parse(value, ASCTIME))
        .ok()
        .or_else(|| parse_rfc_850(value))?;
    Some(parsed.assume_utc())
}

/// `Sunday, 06-Nov-94 08:49:37 GMT`: a two-digit year more than 50 years in the future is in the
/// past century (RFC 9110 §5.6.7); this reads 70–99 as 19xx and 00–69 as 20xx.
fn parse_rfc_850(value: &str) -> Option<PrimitiveDateTime> {
    let (day_part, rest) = value.split_once(' ')?;
    let (date, time) = rest.split_once(' ')?;
    let mut fields = date.splitn(3, '-');
    let (day, month, year) = (fields.next()?, fields.next()?, fields.next()?);
    if year.len() != 2 {
        return None;
    }
    let year: u16 = year.parse().ok()?;
    let year = if year >= 70 { 1900 + year } else { 2000 + year };
    let widened = format!("{day_part} {day}-{month}-{year} {time}");
    PrimitiveDateTime::parse(&widened, RFC_850).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed clock: Sun, 06 Nov 1994 08:49:37 GMT.
    fn clock() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777)
    }

    #[test]
    fn delta_seconds() {
        assert_eq!(
            parse_retry_after("120", clock()),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", clock()), Some(Duration::ZERO));
    }

    #[test]
    fn a_number_too_large_saturates_instead_of_failing() {
        assert_eq!(
            parse_retry_after("99999999999999999999999", clock()),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn imf_fixdate_is_the_time_left_until_it() {
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", clock()),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn obsolete_date_forms_are_read_too() {
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:51:37 GMT", clock()),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:47 1994", clock()),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn a_date_in_the_past_means_now() {
        assert_eq!(
            parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", clock()),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn a_date_far_ahead_is_a_long_wait_for_the_policy_to_cap() {
        let wait = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", clock()).unwrap();
        assert!(wait > Duration::from_secs(250_000_000_000));
    }

    #[test]
    fn anything_else_is_unreadable() {
        for bad in [
            "",
            "-5",
            "1.5",
            "soon",
            "2026-10-21T07:28:00Z",
            "Sun, 06 Nov 1994 08:49:37 +0100",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, clock()), None, "{bad:?}");
        }
    }

    #[test]
    fn header_map_lookup() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, clock()), None);
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers, clock()), Some(Duration::from_secs(7)));
    }
}
