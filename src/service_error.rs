//! The error a service sends back: HTTP status, the OData error body and F&O's diagnostics.
//!
//! OData v4 services answer errors with `{"error":{"code","message","target","details",
//! "innererror"}}`. F&O usually leaves `code` empty and puts the useful text (the X++ Infolog) in
//! `innererror.message`; [`ServiceError::infolog`] splits it into lines. Anything else (an HTML
//! page from a proxy, plain text) is kept as the message, shortened.

use std::fmt;

use serde::Deserialize;

/// Longest excerpt of a non-OData error body kept in [`ServiceError::message`].
const MAX_BODY_EXCERPT: usize = 512;

/// An error response from the service.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServiceError {
    /// HTTP status code.
    pub status: u16,
    /// HTTP method of the failed request.
    pub method: String,
    /// URL of the failed request.
    pub url: String,
    /// OData error `code` (often empty on F&O).
    pub code: String,
    /// OData error `message`, or an excerpt of the body when it was not an OData error.
    pub message: String,
    /// OData error `target`, when the service named the offending property or segment.
    pub target: Option<String>,
    /// OData error `details`.
    pub details: Vec<ErrorDetail>,
    /// `innererror.message` (F&O: the Infolog text of a failed write).
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
struct Envelope {
    error: Body,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    details: Vec<ErrorDetail>,
    #[serde(default)]
    innererror: Option<Inner>,
}

#[derive(Deserialize)]
struct Inner {
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// Response headers that carry a request's activity id, most specific first.
pub(crate) const ACTIVITY_ID_HEADERS: [&str; 3] = ["ms-dyn-aid", "x-ms-request-id", "request-id"];

impl ServiceError {
    /// Builds the error for a response with `status` and `body`.
    ///
    /// An OData error body fills the structured fields; any other body becomes the message
    /// (whitespace-collapsed and cut to a readable length).
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
            earlier_attempt_interrupted: false,
        };
        match serde_json::from_slice::<Envelope>(body) {
            Ok(Envelope { error: b }) => {
                error.code = b.code;
                error.message = b.message;
                error.target = b.target;
                error.details = b.details;
                if let Some(inner) = b.innererror {
                    error.inner_message = inner.message;
                    error.inner_type = inner.kind;
                }
            }
            Err(_) => error.message = excerpt(body),
        }
        error
    }

    /// The Infolog lines of an F&O write failure (`Info:`, `Warning:`, `Error:` entries of
    /// `innererror.message`), in order. Empty when the service sent none.
    pub fn infolog(&self) -> Vec<&str> {
        let Some(text) = self.inner_message.as_deref() else {
            return Vec::new();
        };
        let Some((_, log)) = text.split_once("Infolog:") else {
            return Vec::new();
        };
        log.split(['\n', ';'])
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect()
    }
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= MAX_BODY_EXCERPT {
        return collapsed;
    }
    let cut: String = collapsed.chars().take(MAX_BODY_EXCERPT).collect();
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
            write!(f, " {}", self.message)?;
        }
        if let Some(target) = &self.target {
            write!(f, " (target {target})")?;
        }
        if let Some(inner) = &self.inner_message {
            write!(f, " — {inner}")?;
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
mod tests {
    use super::*;

    const FNO_WRITE_FAILURE: &str = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.; Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","stacktrace":"   at X"}}}"#;

    #[test]
    fn parses_fno_write_failure_with_infolog_lines() {
        let e = ServiceError::from_response(
            500,
            "POST",
            "https://x/data/CustomersV3",
            Some("aid-1".into()),
            FNO_WRITE_FAILURE.as_bytes(),
        );
        assert_eq!(e.message, "An error has occurred.");
        assert_eq!(
            e.inner_type.as_deref(),
            Some("Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException")
        );
        assert_eq!(
            e.infolog(),
            vec![
                "Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.",
                "Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.",
            ]
        );
        let shown = e.to_string();
        assert!(
            shown.contains("HTTP 500 on POST https://x/data/CustomersV3"),
            "{shown}"
        );
        assert!(shown.contains("[activity id aid-1]"), "{shown}");
    }

    #[test]
    fn keeps_target_and_details_of_standard_odata_error() {
        let body = r#"{"error":{"code":"400","message":"Bad filter","target":"$filter","details":[{"code":"x","message":"near col 5"}]}}"#;
        let e = ServiceError::from_response(400, "GET", "u", None, body.as_bytes());
        assert_eq!(e.code, "400");
        assert_eq!(e.target.as_deref(), Some("$filter"));
        assert_eq!(e.details.len(), 1);
        assert_eq!(e.details[0].message, "near col 5");
        assert!(e.infolog().is_empty());
    }

    #[test]
    fn html_error_page_becomes_a_short_message() {
        let page = format!(
            "<html>\n<body>  <h1>502 Bad Gateway</h1>{}</body></html>",
            "x".repeat(2000)
        );
        let e = ServiceError::from_response(502, "GET", "u", None, page.as_bytes());
        assert!(
            e.message
                .starts_with("<html> <body> <h1>502 Bad Gateway</h1>")
        );
        assert_eq!(e.message.chars().count(), MAX_BODY_EXCERPT + 1);
    }
}
