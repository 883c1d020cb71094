//! Switching the sandbox's fault injection on and off through its control API.
//!
//! Faults stand in for what only a real F&O deployment under load does: throttling (429 with
//! `Retry-After`), unavailability (503), connections reset mid-body and slow responses. A rule
//! matches by method, path and a tag header, so tests running in parallel fault only their own
//! requests: send `x-sandbox-tag: <tag>` and build the rule with [`Fault::tagged`].

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::{Sandbox, SandboxError};

/// The request header a [`Fault::tagged`] rule matches on.
pub const TAG_HEADER: &str = "x-sandbox-tag";

/// What a fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with `status` (and `Retry-After` when given) without passing the request on.
    Status {
        /// HTTP status, e.g. 429 or 503.
        status: u16,
        /// Value of the `Retry-After` header: delta-seconds (`"2"`) or an HTTP-date.
        retry_after: Option<String>,
        /// Response body; the sandbox sends an OData error body when absent.
        body: Option<String>,
    },
    /// Pass the request on, send the response headers and part of the body, then reset the
    /// connection.
    Reset,
    /// Pass the request on and delay the response by this long.
    Slow(Duration),
}

/// One fault-injection rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Fault {
    kind: FaultKind,
    times: Option<u32>,
    method: Option<String>,
    path_contains: Option<String>,
    tag: Option<String>,
    after_processing: bool,
    reset_bytes: Option<u64>,
}

impl Fault {
    fn new(kind: FaultKind) -> Self {
        Fault {
            kind,
            times: Some(1),
            method: None,
            path_contains: None,
            tag: None,
            after_processing: false,
            reset_bytes: None,
        }
    }

    /// Answer `status` with no `Retry-After`.
    pub fn status(status: u16) -> Self {
        Fault::new(FaultKind::Status {
            status,
            retry_after: None,
            body: None,
        })
    }

    /// Answer 429 with `Retry-After: <retry_after>` (seconds or an HTTP-date).
    pub fn throttle(retry_after: impl Into<String>) -> Self {
        Fault::new(FaultKind::Status {
            status: 429,
            retry_after: Some(retry_after.into()),
            body: None,
        })
    }

    /// Reset the connection after part of the body.
    pub fn reset() -> Self {
        Fault::new(FaultKind::Reset)
    }

    /// Delay the response.
    pub fn slow(delay: Duration) -> Self {
        Fault::new(FaultKind::Slow(delay))
    }

    /// Adds `Retry-After` to a status fault.
    pub fn retry_after(mut self, value: impl Into<String>) -> Self {
        if let FaultKind::Status { retry_after, .. } = &mut self.kind {
            *retry_after = Some(value.into());
        }
        self
    }

    /// For a status fault: the request is processed by the service first, and its real answer is
    /// replaced by the status (a gateway that gave up after the service committed the write).
    pub fn after_processing(mut self) -> Self {
        self.after_processing = true;
        self
    }

    /// For a reset fault: send this many bytes of the real body before the reset (`0`: the
    /// status line and headers only). Default: half the body.
    pub fn reset_after_bytes(mut self, bytes: u64) -> Self {
        self.reset_bytes = Some(bytes);
        self
    }

    /// Applies to the next `n` matching requests (default 1).
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Applies to every matching request until cleared.
    pub fn always(mut self) -> Self {
        self.times = None;
        self
    }

    /// Matches only this HTTP method.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Matches only request paths containing `fragment`.
    pub fn path_contains(mut self, fragment: impl Into<String>) -> Self {
        self.path_contains = Some(fragment.into());
        self
    }

    /// Matches only requests sending `x-sandbox-tag: <tag>`.
    pub fn tagged(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    fn to_json(&self) -> Value {
        let mut rule = Map::new();
        match &self.kind {
            FaultKind::Status {
                status,
                retry_after,
                body,
            } => {
                rule.insert("kind".into(), json!("status"));
                rule.insert("status".into(), json!(status));
                if let Some(v) = retry_after {
                    rule.insert("retryAfter".into(), json!(v));
                }
                if let Some(v) = body {
                    rule.insert("body".into(), json!(v));
                }
                if self.after_processing {
                    rule.insert("forward".into(), json!(true));
                }
            }
            FaultKind::Reset => {
                rule.insert("kind".into(), json!("reset"));
                if let Some(n) = self.reset_bytes {
                    rule.insert("bytes".into(), json!(n));
                }
            }
            FaultKind::Slow(delay) => {
                rule.insert("kind".into(), json!("slow"));
                rule.insert("delayMs".into(), json!(delay.as_millis() as u64));
            }
        }
        rule.insert(
            "times".into(),
            self.times.map_or(json!("always"), |n| json!(n)),
        );
        let mut conditions = Map::new();
        if let Some(m) = &self.method {
            conditions.insert("method".into(), json!(m));
        }
        if let Some(p) = &self.path_contains {
            conditions.insert("path".into(), json!(p));
        }
        if let Some(t) = &self.tag {
            conditions.insert("header".into(), json!({ "name": TAG_HEADER, "value": t }));
        }
        rule.insert("match".into(), Value::Object(conditions));
        Value::Object(rule)
    }
}

impl Sandbox {
    /// Installs a fault rule.
    ///
    /// # Errors
    /// [`SandboxError::Control`] when the sandbox refuses the rule or cannot be reached.
    pub fn add_fault(&self, fault: &Fault) -> Result<(), SandboxError> {
        self.control("POST", "/_sandbox/faults", Some(&fault.to_json()))
            .map(drop)
    }

    /// Removes every fault rule.
    ///
    /// # Errors
    /// [`SandboxError::Control`] when the sandbox cannot be reached.
    pub fn clear_faults(&self) -> Result<(), SandboxError> {
        self.control("DELETE", "/_sandbox/faults", None).map(drop)
    }

    /// Sends a control request and returns the response body; non-2xx is an error.
    fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<String, SandboxError> {
        let fail = |message: String| SandboxError::Control {
            message: format!("{method} {path}: {message}"),
        };
        let authority = self.base_url().trim_start_matches("http://");
        let mut stream = TcpStream::connect(authority).map_err(|e| fail(e.to_string()))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| fail(e.to_string()))?;
        let payload = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            payload.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| fail(e.to_string()))?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .map_err(|e| fail(e.to_string()))?;
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| fail(format!("unreadable response {head:?}")))?;
        if (200..300).contains(&status) {
            Ok(body.to_owned())
        } else {
            Err(fail(format!("HTTP {status}: {body}")))
        }
    }
}
