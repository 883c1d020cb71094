//! [`ServiceError`]: the error a service sends back: HTTP status, the OData error body and F&O's diagnostics.
//!
//! The F&O shapes read here are described on [`ServiceError`].

mod chain;
mod infolog;

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Longest excerpt of a non-OData error body kept in [`ServiceError::message`].
const MAX_BODY_EXCERPT: usize = 512;

/// Longest stack trace kept per level of the chain.
const MAX_STACKTRACE_BYTES: usize = 8 * 1024;

/// Longest `code` or `target` kept.
const MAX_SHORT_FIELD_BYTES: usize = 256;

/// Most entries of `details` kept.
const MAX_DETAILS: usize = 32;

/// An error response from the service.
///
/// The public fields hold the top of the OData error body; [`causes`](Self::causes) holds the
/// `innererror` chain.
///
/// # What F&O sends
///
/// OData v4 services answer errors with `{"error":{"code","message","target","details",
/// "innererror"}}`. What F&O sends, and how [`ServiceError`] reads it:
///
/// * `code` is usually empty (`"0022"` has been seen); `message` is generic, often
///   `An error has occurred.`
/// * `innererror` holds a .NET exception (`message`, `type`, `stacktrace`) and may nest further
///   ones as `internalexception`, each of the same shape. The real cause sits in the innermost:
///   a `$filter` or `$select` naming an unknown property answers `Exception has been thrown by
///   the target of an invocation.` outside and `The property 'X' does not exist on type
///   'Microsoft.Dynamics.DataEntities.Y'…` inside. [`causes`](Self::causes) gives every level,
///   outermost first; `Display` shows the innermost message and says so.
/// * A failed write (answered 400 directly, 500 inside `$batch`) carries the X++ Infolog in
///   `innererror.message`: `Write failed for table row of type '…'. Infolog: Warning: …; Warning:
///   …`. [`infolog`](Self::infolog) splits it into entries across the whole chain: an entry starts
///   with `Info:`, `Warning:` or `Error:` after `; ` or a newline; a `;` or newline inside one X++
///   message stays in its entry.
///
/// Anything else (an HTML page from a proxy, plain text, JSON too deeply nested to read) is kept
/// as the message, shortened. Hostile bodies are bounded: at most
/// [`MAX_CAUSES`](Self::MAX_CAUSES) levels of the chain are kept (the outermost ones and the
/// innermost; how many were left out is [`causes_omitted`](Self::causes_omitted)), any depth of nesting is
/// read without recursion, each message is kept up to [`MAX_MESSAGE_BYTES`](Self::MAX_MESSAGE_BYTES) (cut
/// with a visible marker), and `Display` shows at most [`MAX_DISPLAY_BYTES`](Self::MAX_DISPLAY_BYTES) of any
/// one message.
///
/// ```
/// use d365fo_odata::ServiceError;
///
/// let body = br#"{"error":{"code":"","message":"An error has occurred.","innererror":{
///   "message":"Exception has been thrown by the target of an invocation.",
///   "type":"System.Reflection.TargetInvocationException","stacktrace":"   at ...",
///   "internalexception":{
///     "message":"The property 'Colour' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV3'. Make sure to only use property names that are defined by the type.",
///     "type":"Microsoft.OData.ODataException","stacktrace":"   at ..."}}}}"#;
/// let e = ServiceError::from_response(400, "GET", "https://contoso/data/CustomersV3", None, body);
/// assert_eq!(e.causes().len(), 2);
/// assert_eq!(e.innermost_cause().unwrap().kind.as_deref(), Some("Microsoft.OData.ODataException"));
/// assert!(e.to_string().contains("innermost cause"));
/// assert!(e.to_string().contains("The property 'Colour' does not exist"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServiceError {
    /// HTTP status code.
    pub status: u16,
    /// HTTP method of the failed request.
    pub method: String,
    /// URL of the failed request.
    pub url: String,
    /// OData error `code` (often empty on F&O), at most 256 bytes.
    pub code: String,
    /// OData error `message`, or an excerpt of the body when it was not an OData error; at most
    /// [`MAX_MESSAGE_BYTES`](Self::MAX_MESSAGE_BYTES) (then cut with a marker).
    pub message: String,
    /// OData error `target`, when the service named the offending property or segment.
    pub target: Option<String>,
    /// OData error `details` (at most 32 entries).
    pub details: Vec<ErrorDetail>,
    /// `innererror.message` (F&O: the Infolog text of a failed write, or the outermost .NET
    /// exception's message); the same as the first of [`causes`](Self::causes).
    pub inner_message: Option<String>,
    /// `innererror.type` (F&O: the .NET exception type).
    pub inner_type: Option<String>,
    /// The service's activity id for the request (F&O `ms-dyn-aid`, else `x-ms-request-id` or
    /// `request-id`).
    pub activity_id: Option<String>,
    /// `true` when an earlier attempt of the same request was sent and interrupted (a cut
    /// connection, a timeout, a gateway error) before this answer came: for a 412 or 404 to an
    /// `If-Match` PATCH or a DELETE, the earlier attempt may have been applied, and this answer
    /// may be the consequence. See [`Error::may_have_been_applied`](crate::Error::may_have_been_applied).
    pub earlier_attempt_interrupted: bool,
    /// The `WWW-Authenticate` challenge of a 401 or 403 answer, at most 256 bytes: Entra ID
    /// names there what it expected (`Bearer authorization_uri="https://login.microsoftonline.com/<tenant>/…"`)
    /// and what was wrong (`error="invalid_token"`). `None` for other statuses or when absent.
    pub authenticate: Option<String>,
    causes: Vec<ErrorCause>,
    causes_omitted: usize,
}

/// One level of an error body's `innererror` chain: `innererror` itself (level 0) or one of the
/// `internalexception` objects nested in it (level 1, 2, …).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorCause {
    /// How deep in the chain this level sits: 0 for `innererror`, 1 for its
    /// `internalexception`, and so on (the real depth, also when levels were left out).
    pub level: usize,
    /// The level's `message`, at most [`ServiceError::MAX_MESSAGE_BYTES`] (then cut, ending with
    /// a marker that says how many bytes were cut).
    pub message: String,
    /// The level's `type` (F&O: the .NET exception type), when not empty.
    pub kind: Option<String>,
    /// The level's `stacktrace`, when not blank, at most 8 KiB.
    pub stacktrace: Option<String>,
    /// Whether `message` was cut at [`ServiceError::MAX_MESSAGE_BYTES`].
    pub truncated: bool,
}

/// One entry of an OData error's `details` array.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// Detail `code`.
    #[serde(default)]
    pub code: String,
    /// Detail `message`.
    #[serde(default)]
    pub message: String,
    /// Detail `target`.
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    error: Body<'a>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    details: Option<Vec<ErrorDetail>>,
    // Raw text: serde_json skips it iteratively, so a chain of any depth parses; chain.rs walks it.
    #[serde(default, borrow)]
    innererror: Option<&'a RawValue>,
}

/// Response headers that carry a request's activity id, most specific first.
pub(crate) const ACTIVITY_ID_HEADERS: [&str; 3] = ["ms-dyn-aid", "x-ms-request-id", "request-id"];

impl ServiceError {
    /// Most levels of the `innererror` chain kept: the outermost `MAX_CAUSES - 1` and the
    /// innermost. The others are counted in [`causes_omitted`](Self::causes_omitted).
    pub const MAX_CAUSES: usize = 16;

    /// Most bytes of one message kept (the top `message` and each level's); longer text is cut
    /// at a character boundary and ends with `… [N more bytes cut]`.
    pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

    /// Most bytes of one message that `Display` shows; longer ones end with
    /// `… [N more bytes]`.
    pub const MAX_DISPLAY_BYTES: usize = 1024;

    /// Builds the error for a response with `status` and `body`.
    ///
    /// An OData error body fills the structured fields and the chain; any other body becomes the
    /// message (whitespace-collapsed and cut to a readable length). Never fails and never panics,
    /// whatever the body.
    pub fn from_response(
        status: u16,
        method: &str,
        url: &str,
        activity_id: Option<String>,
        body: &[u8],
    ) -> Self {
        let mut error = ServiceError {
            status,
            method: method.to_owned(),
            url: url.to_owned(),
            code: String::new(),
            message: String::new(),
            target: None,
            details: Vec::new(),
            inner_message: None,
            inner_type: None,
            activity_id,
            causes: Vec::new(),
            causes_omitted: 0,
            earlier_attempt_interrupted: false,
            authenticate: None,
        };
        match serde_json::from_slice::<Envelope<'_>>(body) {
            Ok(Envelope { error: b }) => {
                error.code = cap_text(b.code.unwrap_or_default(), MAX_SHORT_FIELD_BYTES).0;
                error.message = cap_text(b.message.unwrap_or_default(), Self::MAX_MESSAGE_BYTES).0;
                error.target = b.target.map(|t| cap_text(t, MAX_SHORT_FIELD_BYTES).0);
                let mut details = b.details.unwrap_or_default();
                details.truncate(MAX_DETAILS);
                for d in &mut details {
                    d.message = cap_text(std::mem::take(&mut d.message), Self::MAX_MESSAGE_BYTES).0;
                    d.code = cap_text(std::mem::take(&mut d.code), MAX_SHORT_FIELD_BYTES).0;
                }
                error.details = details;
                if let Some(raw) = b.innererror {
                    let chain = chain::scan(raw.get());
                    error.causes = chain.causes;
                    error.causes_omitted = chain.omitted;
                }
                if let Some(first) = error.causes.first().filter(|c| c.level == 0) {
                    error.inner_message = Some(first.message.clone());
                    error.inner_type = first.kind.clone();
                }
            }
            Err(_) => error.message = excerpt(body),
        }
        error
    }

    /// Keeps a `WWW-Authenticate` challenge as [`authenticate`](Self::authenticate), cut to
    /// its limit.
    pub(crate) fn set_authenticate(&mut self, challenge: &[u8]) {
        let text = String::from_utf8_lossy(challenge).into_owned();
        self.authenticate = Some(cap_text(text, MAX_SHORT_FIELD_BYTES).0);
    }

    /// The `innererror` chain, outermost first: `innererror` itself, then each nested
    /// `internalexception`. Empty when the body had no `innererror`. At most
    /// [`MAX_CAUSES`](Self::MAX_CAUSES) levels; the last is always the innermost one sent.
    pub fn causes(&self) -> &[ErrorCause] {
        &self.causes
    }

    /// The chain, for the crate's redaction of texts the service quoted back.
    pub(crate) fn causes_mut(&mut self) -> &mut [ErrorCause] {
        &mut self.causes
    }

    /// How many levels of a longer chain were left out (between the outermost ones kept and the
    /// innermost).
    pub fn causes_omitted(&self) -> usize {
        self.causes_omitted
    }

    /// The innermost level of the chain that has a message: where F&O puts the real cause
    /// (e.g. `The property 'X' does not exist on type '…'`). `None` without an `innererror`.
    pub fn innermost_cause(&self) -> Option<&ErrorCause> {
        self.causes
            .iter()
            .rev()
            .find(|c| !c.message.trim().is_empty())
    }

    /// The Infolog entries of an F&O failure (`Info:`, `Warning:`, `Error:` entries), in order,
    /// read from the top message and every level of the chain; an entry repeated by an outer and
    /// an inner level is listed once. Empty when the service sent none.
    pub fn infolog(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut earlier: HashSet<&str> = HashSet::new();
        let texts = std::iter::once(self.message.as_str())
            .chain(self.causes.iter().map(|c| c.message.as_str()));
        for text in texts {
            let entries = infolog::entries(text);
            let fresh: Vec<&str> = entries
                .iter()
                .copied()
                .filter(|e| !earlier.contains(e))
                .collect();
            earlier.extend(entries);
            out.extend(fresh);
        }
        out
    }
}

/// Cuts `text` to at most `max` bytes at a character boundary, ending it with a marker that
/// says how much was cut. Returns whether it was cut.
fn cap_text(mut text: String, max: usize) -> (String, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let cut = floor_char_boundary(&text, max);
    let dropped = text.len() - cut;
    text.truncate(cut);
    text.push_str(&format!("… [{dropped} more bytes cut]"));
    (text, true)
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    let mut at = max.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `text` for `Display`: at most [`ServiceError::MAX_DISPLAY_BYTES`], with a marker when cut.
struct Clipped<'a>(&'a str);

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        if text.len() <= ServiceError::MAX_DISPLAY_BYTES {
            return f.write_str(text);
        }
        let cut = floor_char_boundary(text, ServiceError::MAX_DISPLAY_BYTES);
        write!(f, "{}… [{} more bytes]", &text[..cut], text.len() - cut)
    }
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut chars = 0usize;
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        out.push_str(word);
        chars += word.chars().count();
        if chars > MAX_BODY_EXCERPT {
            break;
        }
    }
    if out.chars().count() <= MAX_BODY_EXCERPT {
        return out;
    }
    let cut: String = out.chars().take(MAX_BODY_EXCERPT).collect();
    format!("{cut}…")
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} on {} {}", self.status, self.method, self.url)?;
        if !self.code.is_empty() {
            write!(f, ": [{}]", self.code)?;
        } else {
            f.write_str(":")?;
        }
        if !self.message.is_empty() {
            write!(f, " {}", Clipped(&self.message))?;
        }
        if let Some(target) = &self.target {
            write!(f, " (target {target})")?;
        }
        let innermost = self.innermost_cause();
        let outer = self.causes.first().filter(|c| !c.message.trim().is_empty());
        match (outer, innermost) {
            (Some(outer), Some(inner)) if outer.level == inner.level => {
                write!(f, " — {}", Clipped(&outer.message))?;
            }
            (outer, Some(inner)) => {
                if let Some(outer) = outer.filter(|o| o.message != self.message) {
                    write!(f, " — {}", Clipped(&outer.message))?;
                }
                let levels = self.causes.last().map_or(0, |c| c.level + 1);
                write!(
                    f,
                    " — innermost cause (level {} of {levels}",
                    inner.level + 1
                )?;
                if let Some(kind) = &inner.kind {
                    write!(f, ", {}", Clipped(kind))?;
                }
                if self.causes_omitted > 0 {
                    write!(f, "; {} levels in between not kept", self.causes_omitted)?;
                }
                write!(f, "): {}", Clipped(&inner.message))?;
            }
            (_, None) => {}
        }
        if let Some(aid) = &self.activity_id {
            write!(f, " [activity id {aid}]")?;
        }
        if self.earlier_attempt_interrupted {
            f.write_str(
                " (an earlier attempt was interrupted after it was sent and may have been applied)",
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
