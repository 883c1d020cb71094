//! The crate's one redaction path: everything that may reach a log, an [`Error`](crate::Error), a
//! `Display` or a `Debug` output passes through here first.
//!
//! - URLs lose their user information (`user:password@`) and the values of query parameters that
//!   carry secrets: SAS signatures (`sig`), codes, tokens, keys, passwords ([`url`], [`url_text`]).
//! - Free text (an error message that may quote a URL or a JSON string) gets the same treatment
//!   for every URL and `name=value` pair it contains, and `Bearer` tokens are hidden ([`text`]).
//! - Header values whose names look like credentials (`Authorization`, `Cookie`, anything with
//!   `key`, `token`, `secret`, `signature`, `password`, `auth`, `credential`, `session`) are never
//!   shown ([`is_secret_header`], [`Headers`]).
//! - Long texts are cut with a marker that says so ([`truncate`], [`Bounded`]), so that one
//!   hostile answer cannot write megabytes into a log.
//!
//! OData's own query options (`$skiptoken`, `$filter`, ...) start with `$` and are kept: they are
//! paging state, not credentials, and they are what one needs to see in a log.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use reqwest::header::HeaderMap;
use url::Url;

/// What replaces a secret.
pub(crate) const REDACTED: &str = "REDACTED";

/// Query parameter names whose values are always secret (compared case-insensitively).
const SECRET_PARAMETERS: &[&str] = &["sig", "code", "sas", "pwd", "pass", "auth"];

/// Parts of a query parameter or header name that mark its value as secret.
const SECRET_NAME_PARTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "signature",
    "key",
    "credential",
    "authorization",
    "assertion",
];

/// Header names (lowercase) whose values are secret, beyond [`SECRET_NAME_PARTS`].
const SECRET_HEADERS: &[&str] = &["cookie", "set-cookie", "proxy-authorization"];

/// Parts of a header name that mark its value as secret, beyond [`SECRET_NAME_PARTS`].
const SECRET_HEADER_PARTS: &[&str] = &["auth", "session", "sig"];

/// Whether the value of query parameter `name` is a secret.
pub(crate) fn is_secret_parameter(name: &str) -> bool {
    if name.starts_with('$') {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    SECRET_PARAMETERS.contains(&lower.as_str())
        || SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
}

/// Whether the value of header `name` is a secret (an `Authorization`, a cookie, an API key...).
pub(crate) fn is_secret_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&lower.as_str())
        || SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
        || SECRET_HEADER_PARTS.iter().any(|part| lower.contains(part))
}

/// `url` without user name, password and secret query values.
pub(crate) fn url(url: &Url) -> Cow<'_, str> {
    let secret_query = url
        .query_pairs()
        .any(|(name, _)| is_secret_parameter(&name));
    let has_user = !url.username().is_empty() || url.password().is_some();
    if !secret_query && !has_user {
        return Cow::Borrowed(url.as_str());
    }
    let mut clean = url.clone();
    // Only fails for URLs that cannot have user information, which then have none.
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    if secret_query {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if is_secret_parameter(&name) {
                    REDACTED.to_owned()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        clean.query_pairs_mut().clear().extend_pairs(pairs);
    }
    Cow::Owned(clean.into())
}

/// The text of a URL (that may not even parse) made safe to show: see [`url`]; text that is not
/// a URL is treated as [`text`].
pub(crate) fn url_text(input: &str) -> String {
    match Url::parse(input) {
        Ok(parsed) if parsed.has_host() => url(&parsed).into_owned(),
        _ => text(input).into_owned(),
    }
}

/// Free text with every secret it may quote removed: user information after `://`, the values of
/// secret `name=value` pairs (as in a query string), and the token after `Bearer `.
pub(crate) fn text(input: &str) -> Cow<'_, str> {
    if !needs_scrubbing(input) {
        return Cow::Borrowed(input);
    }
    let without_users = strip_user_information(input);
    let without_pairs = redact_pairs(&without_users);
    Cow::Owned(redact_bearer(&without_pairs))
}

/// A cheap check that `input` holds nothing [`text`] would change.
fn needs_scrubbing(input: &str) -> bool {
    input.contains('=') || input.contains("://") || contains_ignore_case(input, "bearer ")
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Characters that end a URL's authority or a query value inside free text.
fn ends_token(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '<' | '>' | '`' | '\\' | ')' | ']' | '}' | ','
        )
}

/// Removes `user:password@` after every `://`.
fn strip_user_information(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| matches!(c, '/' | '?' | '#') || ends_token(c))
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        match authority.rfind('@') {
            Some(user_end) => out.push_str(&authority[user_end + 1..]),
            None => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Replaces the value of every `name=value` whose name is a secret parameter.
fn redact_pairs(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(eq) = rest.find('=') {
        let (before, after) = rest.split_at(eq);
        let name_start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$')))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let name = &before[name_start..];
        out.push_str(before);
        out.push('=');
        let value = &after[1..];
        let value_end = value
            .find(|c: char| matches!(c, '&' | ';' | '#') || ends_token(c))
            .unwrap_or(value.len());
        if !name.is_empty() && value_end > 0 && is_secret_parameter(name) {
            out.push_str(REDACTED);
        } else {
            out.push_str(&value[..value_end]);
        }
        rest = &value[value_end..];
    }
    out.push_str(rest);
    out
}

/// Replaces the token after every `Bearer ` (any case).
fn redact_bearer(input: &str) -> String {
    const BEARER: &str = "bearer ";
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    loop {
        let found = rest
            .char_indices()
            .find(|(i, _)| {
                rest.as_bytes()
                    .get(*i..*i + BEARER.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(BEARER.as_bytes()))
            })
            .map(|(i, _)| i);
        let Some(start) = found else {
            out.push_str(rest);
            return out;
        };
        let token_start = start + BEARER.len();
        out.push_str(&rest[..token_start]);
        let token = &rest[token_start..];
        let token_end = token.find(ends_token).unwrap_or(token.len());
        if token_end > 0 && token[..token_end] != *REDACTED {
            out.push_str(REDACTED);
        } else {
            out.push_str(&token[..token_end]);
        }
        rest = &token[token_end..];
    }
}

/// `text` cut to at most `max` bytes (at a character boundary) with a marker saying how long it
/// was.
pub(crate) fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!(
        "{}… [truncated: {} of {} bytes shown]",
        &text[..cut],
        cut,
        text.len()
    ))
}

/// Shows a value's `Display` output with its secrets removed ([`text`]) and cut to at most
/// `max` bytes with a marker ([`truncate`]). The value is formatted into a buffer of at most
/// `max` bytes (plus a little to find the end of a URL), never more.
pub(crate) struct Bounded<'a, T: ?Sized>(pub(crate) &'a T, pub(crate) usize);

impl<T: fmt::Display + ?Sized> fmt::Display for Bounded<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Bounded(value, max) = *self;
        // A secret cut in half by the limit must still be recognised: read a little beyond it.
        let mut buffer = Capped {
            text: String::new(),
            limit: max.saturating_add(SLACK),
            more: false,
        };
        // `Capped` refuses what does not fit by returning an error; that is its end, not a failure.
        let _ = write!(buffer, "{value}");
        let clean = text(&buffer.text);
        if clean.len() <= max && !buffer.more {
            return f.write_str(&clean);
        }
        let mut cut = max.min(clean.len());
        while !clean.is_char_boundary(cut) {
            cut -= 1;
        }
        write!(f, "{}… [truncated at {max} bytes]", &clean[..cut])
    }
}

/// How far beyond its limit [`Bounded`] reads, so that a URL or token at the cut is still
/// recognised and redacted.
const SLACK: usize = 2048;

/// A `fmt::Write` that keeps at most `limit` bytes and then refuses.
struct Capped {
    text: String,
    limit: usize,
    more: bool,
}

impl fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.limit - self.text.len();
        if s.len() <= room {
            self.text.push_str(s);
            return Ok(());
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&s[..cut]);
        self.more = true;
        Err(fmt::Error)
    }
}

/// A header map for `Debug` output: names shown, values of [`is_secret_header`] names replaced.
pub(crate) struct Headers<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_secret_header(name.as_str()) || value.is_sensitive() {
                map.entry(&name.as_str(), &REDACTED);
            } else {
                match value.to_str() {
                    Ok(v) => map.entry(&name.as_str(), &truncate(v, 256)),
                    Err(_) => map.entry(&name.as_str(), &"<not text>"),
                };
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn odata_urls_pass_unchanged() {
        let url = Url::parse(
            "https://e.example/data/CustomersV3?$top=5&$filter=A%20eq%201&$skiptoken=abc",
        )
        .unwrap();
        assert!(matches!(super::url(&url), Cow::Borrowed(_)));
    }

    #[test]
    fn user_information_and_signatures_are_removed() {
        let url = Url::parse("https://u:p@blob.example/c/f.zip?sv=2020&SIG=abc%2Bdef&x=1").unwrap();
        let shown = super::url(&url);
        assert!(!shown.contains("abc"), "{shown}");
        assert!(!shown.contains("u:p"), "{shown}");
        assert!(
            shown.contains("SIG=REDACTED") && shown.contains("sv=2020"),
            "{shown}"
        );
    }

    #[test]
    fn names_that_look_like_credentials_are_secret() {
        for name in [
            "sig",
            "access_token",
            "api-key",
            "subscription-key",
            "client_secret",
            "Password",
            "code",
        ] {
            assert!(is_secret_parameter(name), "{name}");
        }
        for name in [
            "$skiptoken",
            "$filter",
            "cross-company",
            "sv",
            "blob",
            "entity",
        ] {
            assert!(!is_secret_parameter(name), "{name}");
        }
        for name in [
            "authorization",
            "Cookie",
            "x-api-key",
            "ocp-apim-subscription-key",
            "x-ms-session",
            "x-auth",
        ] {
            assert!(is_secret_header(name), "{name}");
        }
        for name in ["accept", "x-sandbox-tag", "odata-version", "prefer"] {
            assert!(!is_secret_header(name), "{name}");
        }
    }

    #[test]
    fn secrets_quoted_in_free_text_are_removed() {
        let message = r#"invalid type: string "https://acct.blob.core.windows.net/p.zip?sv=1&sig=S3CR3T&se=2", expected struct; see http://user:hunter2@host/x and token=abc&x=1, Authorization: Bearer eyJ.abc.def"#;
        let shown = text(message);
        for secret in ["S3CR3T", "hunter2", "abc&", "eyJ"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("sig=REDACTED&se=2"), "{shown}");
        assert!(shown.contains("http://host/x"), "{shown}");
        assert!(shown.contains("Bearer REDACTED"), "{shown}");
        assert!(matches!(text("plain words, no secrets"), Cow::Borrowed(_)));
    }

    #[test]
    fn unparsable_urls_are_scrubbed_as_text() {
        let shown = url_text("https://u:pw@[bad/x?sig=abc");
        assert!(!shown.contains("pw") && !shown.contains("abc"), "{shown}");
    }

    #[test]
    fn long_text_is_cut_with_a_marker() {
        let long = "é".repeat(1000);
        let cut = truncate(&long, 101);
        assert!(cut.starts_with(&"é".repeat(50)), "{cut}");
        assert!(
            cut.ends_with("[truncated: 100 of 2000 bytes shown]"),
            "{cut}"
        );
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn bounded_display_redacts_and_cuts() {
        let long = format!("https://h/x?sig=SECRET {}", "y".repeat(10_000));
        let shown = Bounded(long.as_str(), 100).to_string();
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.ends_with("… [truncated at 100 bytes]"), "{shown}");
        assert!(shown.len() < 200, "{}", shown.len());
        assert_eq!(Bounded("short", 100).to_string(), "short");
    }

    #[test]
    fn header_values_named_like_credentials_are_hidden() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer s3cr3t"));
        headers.insert("x-api-key", HeaderValue::from_static("k3y"));
        headers.insert("x-sandbox-tag", HeaderValue::from_static("visible"));
        let shown = format!("{:?}", Headers(&headers));
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("k3y"),
            "{shown}"
        );
        assert!(shown.contains("visible"), "{shown}");
    }
}
