//! Reading a `$batch` response: a strict `multipart/mixed` parser (RFC 2046 §5.1) whose parts are
//! HTTP responses (`application/http`) or change-set responses (a nested `multipart/mixed`).
//!
//! Line ends may be CRLF or bare LF. Everything else is checked: the boundary parameter, the
//! delimiter lines, part headers, the embedded status line, `Content-Length` of an embedded
//! response, the closing delimiter. A violation is an [`Error::Multipart`] carrying the byte
//! offset in the response body where it was found. The parser never loops without consuming
//! input and never indexes out of bounds, so a truncated or corrupted body fails fast.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::wire::MULTIPART_MIXED;

/// Deepest nesting accepted: a batch holding change sets (which hold requests).
const MAX_DEPTH: usize = 2;

/// One HTTP response embedded in a `$batch` response.
#[derive(Debug, Clone)]
pub(crate) struct PartResponse {
    /// The part's `Content-ID`, when it had one.
    pub(crate) content_id: Option<String>,
    /// Status of the embedded response.
    pub(crate) status: StatusCode,
    /// Headers of the embedded response.
    pub(crate) headers: HeaderMap,
    /// Body of the embedded response (a slice of the whole response body).
    pub(crate) body: Bytes,
    /// Byte offset of the part in the outer body.
    pub(crate) offset: usize,
}

/// One top-level part of a `$batch` response.
#[derive(Debug, Clone)]
pub(crate) enum Part {
    /// The response to a request outside change sets, or the single response of a failed
    /// change set.
    Response(PartResponse),
    /// A nested `multipart/mixed` answering a change set: the responses of all its requests (it
    /// succeeded), or, as F&O answers a failed change set, only the failing request's response.
    ChangeSet {
        /// The responses, in the order the service sent them.
        responses: Vec<PartResponse>,
        /// Byte offset of the change-set part in the outer body.
        offset: usize,
        /// Byte offset of the change set's closing delimiter (where a missing response would
        /// have been).
        end: usize,
    },
}

/// A parsed `$batch` response.
#[derive(Debug, Clone)]
pub(crate) struct ParsedBatch {
    /// The top-level parts, in order.
    pub(crate) parts: Vec<Part>,
    /// Byte offset of the closing delimiter (where a missing part would have been).
    pub(crate) end: usize,
}

impl Part {
    /// Byte offset of the part in the outer body.
    pub(crate) fn offset(&self) -> usize {
        match self {
            Part::Response(r) => r.offset,
            Part::ChangeSet { offset, .. } => *offset,
        }
    }
}

/// A parse failure before it is tied to a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseFailure {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

impl ParseFailure {
    pub(crate) fn into_error(self, url: &str) -> Error {
        Error::Multipart {
            url: url.to_owned(),
            offset: self.offset,
            message: self.message,
        }
    }
}

type Parsed<T> = Result<T, ParseFailure>;

fn fail<T>(offset: usize, message: impl Into<String>) -> Parsed<T> {
    Err(ParseFailure {
        offset,
        message: message.into(),
    })
}

/// The `boundary` parameter of a `multipart/mixed` content type.
pub(crate) fn boundary_of(content_type: &str) -> Result<String, String> {
    let mut params = content_type.split(';');
    let media = params.next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case(MULTIPART_MIXED) {
        return Err(format!(
            "expected content type multipart/mixed, found {content_type:?}"
        ));
    }
    for param in params {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("boundary") {
            continue;
        }
        let value = value.trim();
        let value = match value.strip_prefix('"') {
            Some(rest) => rest
                .strip_suffix('"')
                .ok_or_else(|| format!("unterminated quoted boundary in {content_type:?}"))?,
            None => value,
        };
        if value.is_empty() || value.len() > 70 {
            return Err(format!(
                "boundary must be 1 to 70 characters (RFC 2046), found {value:?}"
            ));
        }
        return Ok(value.to_owned());
    }
    Err(format!("no boundary parameter in {content_type:?}"))
}

/// Parses the body of a `$batch` response whose `Content-Type` is `content_type`.
pub(crate) fn parse_batch(content_type: &str, body: &Bytes) -> Parsed<ParsedBatch> {
    let boundary =
        boundary_of(content_type).map_err(|message| ParseFailure { offset: 0, message })?;
    let (raws, end) = split_multipart(body, 0, body.len(), &boundary)?;
    let mut parts = Vec::with_capacity(raws.len());
    for raw in raws {
        parts.push(parse_part(body, raw, 1)?);
    }
    Ok(ParsedBatch { parts, end })
}

/// The extent of one body part: headers and content, as offsets into the whole body.
#[derive(Debug, Clone, Copy)]
struct RawPart {
    start: usize,
    end: usize,
}

/// Splits `body[start..end]` at the delimiters of `boundary`; returns the parts and the offset
/// where the closing delimiter starts.
fn split_multipart(
    body: &[u8],
    start: usize,
    end: usize,
    boundary: &str,
) -> Parsed<(Vec<RawPart>, usize)> {
    let dash_boundary = format!("--{boundary}");
    let dash_boundary = dash_boundary.as_bytes();
    // The first delimiter may open the body directly (no CRLF before it); a preamble is ignored.
    let mut at = match find_delimiter(body, start, end, dash_boundary, true) {
        Some(d) => d,
        None => {
            return fail(
                start,
                format!("no delimiter line \"--{boundary}\" found in the multipart body"),
            );
        }
    };
    let mut parts = Vec::new();
    loop {
        // `at.after` is just past "--boundary".
        let rest = &body[at.after..end];
        if rest.starts_with(b"--") {
            if parts.is_empty() {
                return fail(at.start, "the multipart body has no parts");
            }
            return Ok((parts, at.start));
        }
        let content_start = match line_end_after_padding(body, at.after, end) {
            Some(next) => next,
            None => {
                return fail(
                    at.after,
                    "delimiter line is not followed by a line end (or by \"--\")",
                );
            }
        };
        let Some(next) = find_delimiter(body, content_start, end, dash_boundary, false) else {
            return fail(
                end,
                format!(
                    "the body ends without the closing delimiter \"--{boundary}--\" (truncated response?)"
                ),
            );
        };
        parts.push(RawPart {
            start: content_start,
            end: next.start,
        });
        at = next;
    }
}

/// Where a delimiter line starts (its leading line end included) and where the boundary ends.
#[derive(Debug, Clone, Copy)]
struct Delimiter {
    start: usize,
    after: usize,
}

/// Finds the next `--boundary` that starts a line, in `body[from..end]`. With `at_start`, a
/// delimiter at `from` itself counts (the opening one needs no line end before it).
fn find_delimiter(
    body: &[u8],
    from: usize,
    end: usize,
    dash_boundary: &[u8],
    at_start: bool,
) -> Option<Delimiter> {
    let is_delimiter_at = |pos: usize| {
        let after = pos.checked_add(dash_boundary.len())?;
        if after > end || &body[pos..after] != dash_boundary {
            return None;
        }
        if after == end {
            return Some(after);
        }
        // A longer boundary that merely starts with ours is not ours.
        match body[after] {
            b'-' | b'\r' | b'\n' | b' ' | b'\t' => Some(after),
            _ => None,
        }
    };
    if at_start && let Some(after) = is_delimiter_at(from) {
        return Some(Delimiter { start: from, after });
    }
    let mut pos = from;
    while pos < end {
        let newline = body[pos..end].iter().position(|&b| b == b'\n')? + pos;
        if let Some(after) = is_delimiter_at(newline + 1) {
            let start = if newline > from && body[newline - 1] == b'\r' {
                newline - 1
            } else {
                newline
            };
            return Some(Delimiter { start, after });
        }
        pos = newline + 1;
    }
    None
}

/// Skips transport padding (spaces, tabs) and one line end; returns the offset after it.
fn line_end_after_padding(body: &[u8], mut at: usize, end: usize) -> Option<usize> {
    while at < end && matches!(body[at], b' ' | b'\t') {
        at += 1;
    }
    match body.get(at..end)? {
        [b'\r', b'\n', ..] => Some(at + 2),
        [b'\n', ..] => Some(at + 1),
        _ => None,
    }
}

/// Reads one line in `body[at..end]`; returns it without its line end, and the offset after it.
/// `None` when no line end follows.
fn read_line(body: &[u8], at: usize, end: usize) -> Option<(&[u8], usize)> {
    let rel = body.get(at..end)?.iter().position(|&b| b == b'\n')?;
    let newline = at + rel;
    let line_end = if newline > at && body[newline - 1] == b'\r' {
        newline - 1
    } else {
        newline
    };
    Some((&body[at..line_end], newline + 1))
}

/// Reads a header block ending in an empty line. Returns the headers and the offset after the
/// empty line.
fn read_headers(
    body: &[u8],
    mut at: usize,
    end: usize,
    what: &str,
    end_may_close: bool,
) -> Parsed<(Vec<(String, String)>, usize)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        if end_may_close && at == end {
            // The empty line was taken by the delimiter's line end: headers and no body.
            return Ok((headers, at));
        }
        let Some((line, next)) = read_line(body, at, end) else {
            return fail(
                at,
                format!("{what} headers are not terminated by an empty line"),
            );
        };
        if line.is_empty() {
            return Ok((headers, next));
        }
        if matches!(line[0], b' ' | b'\t') {
            // An obsolete folded continuation line (RFC 5322 §2.2.3).
            let Some((_, value)) = headers.last_mut() else {
                return fail(at, format!("{what} headers start with a continuation line"));
            };
            let text = std::str::from_utf8(line)
                .map_err(|_| failure(at, format!("{what} header is not UTF-8")))?;
            value.push(' ');
            value.push_str(text.trim());
        } else {
            let text = std::str::from_utf8(line)
                .map_err(|_| failure(at, format!("{what} header is not UTF-8")))?;
            let Some((name, value)) = text.split_once(':') else {
                return fail(
                    at,
                    format!("{what} header line has no ':': {:?}", shorten(text)),
                );
            };
            if name.is_empty() || name.trim() != name || name.contains(char::is_whitespace) {
                return fail(
                    at,
                    format!("{what} header has an invalid name: {:?}", shorten(name)),
                );
            }
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        at = next;
    }
}

fn failure(offset: usize, message: String) -> ParseFailure {
    ParseFailure { offset, message }
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= 80 {
        return text.to_owned();
    }
    let cut: String = text.chars().take(80).collect();
    format!("{cut}…")
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Parses one body part at nesting `depth` (1: a batch part, 2: a change-set part).
fn parse_part(body: &Bytes, raw: RawPart, depth: usize) -> Parsed<Part> {
    let (headers, content) = read_headers(body, raw.start, raw.end, "part", false)?;
    let Some(content_type) = header(&headers, "content-type") else {
        return fail(raw.start, "part has no Content-Type header");
    };
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/http" => {
            if let Some(encoding) = header(&headers, "content-transfer-encoding")
                && !["binary", "8bit", "7bit"]
                    .iter()
                    .any(|e| encoding.eq_ignore_ascii_case(e))
            {
                return fail(
                    raw.start,
                    format!("unsupported Content-Transfer-Encoding {encoding:?} (expected binary)"),
                );
            }
            let content_id = header(&headers, "content-id").map(str::to_owned);
            let response = parse_http_response(body, content, raw.end, content_id, raw.start)?;
            Ok(Part::Response(response))
        }
        MULTIPART_MIXED if depth < MAX_DEPTH => {
            let boundary = boundary_of(content_type).map_err(|m| failure(raw.start, m))?;
            let (inner_parts, end) = split_multipart(body, content, raw.end, &boundary)?;
            let mut responses = Vec::with_capacity(inner_parts.len());
            for inner in inner_parts {
                match parse_part(body, inner, depth + 1)? {
                    Part::Response(r) => responses.push(r),
                    Part::ChangeSet { offset, .. } => {
                        return fail(offset, "change sets cannot be nested");
                    }
                }
            }
            Ok(Part::ChangeSet {
                responses,
                offset: raw.start,
                end,
            })
        }
        MULTIPART_MIXED => fail(raw.start, "change sets cannot be nested"),
        _ => fail(
            raw.start,
            format!(
                "part has Content-Type {content_type:?}; expected application/http or multipart/mixed"
            ),
        ),
    }
}

/// Parses an embedded HTTP response in `body[at..end]`.
fn parse_http_response(
    body: &Bytes,
    at: usize,
    end: usize,
    content_id: Option<String>,
    part_offset: usize,
) -> Parsed<PartResponse> {
    // A status line with no headers may end where the delimiter's line end begins.
    let (line, after_status) = read_line(body, at, end).unwrap_or((&body[at..end], end));
    if line.is_empty() {
        return fail(at, "part has no HTTP status line");
    }
    let status = parse_status_line(line).map_err(|m| failure(at, m))?;
    let (raw_headers, content) = read_headers(body, after_status, end, "response", true)?;
    let mut headers = HeaderMap::new();
    for (name, value) in &raw_headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) else {
            return fail(
                after_status,
                format!("response header {name:?} is not a valid HTTP header"),
            );
        };
        headers.append(name, value);
    }
    // The delimiter ends the body (RFC 2046); `Content-Length` only catches a cut-off body.
    let mut body_end = end;
    if let Some(length) = header(&raw_headers, "content-length") {
        let Ok(length) = length.parse::<usize>() else {
            return fail(after_status, format!("invalid Content-Length {length:?}"));
        };
        let available = end - content;
        if length > available {
            return fail(
                content,
                format!(
                    "Content-Length is {length} but the part holds only {available} bytes (truncated response?)"
                ),
            );
        }
        // Line ends after the declared length are padding before the delimiter.
        if body[content + length..end]
            .iter()
            .all(|b| matches!(b, b'\r' | b'\n'))
        {
            body_end = content + length;
        }
    }
    Ok(PartResponse {
        content_id,
        status,
        headers,
        body: body.slice(content..body_end),
        offset: part_offset,
    })
}

/// Parses `HTTP/1.1 200 OK` (the reason phrase may be empty or missing).
fn parse_status_line(line: &[u8]) -> Result<StatusCode, String> {
    let text = std::str::from_utf8(line).map_err(|_| "status line is not UTF-8".to_owned())?;
    let bad = || format!("unparsable HTTP status line {:?}", shorten(text));
    let mut words = text.splitn(3, ' ');
    let version = words.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(bad());
    }
    let code = words.next().unwrap_or("");
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let code: u16 = code.parse().map_err(|_| bad())?;
    StatusCode::from_u16(code).map_err(|_| bad())
}

#[cfg(test)]
mod tests;
