//! Telling what a response body is: the root element of an XML document, a short one-line
//! excerpt for messages, and the SHA-256 fingerprint.

use sha2::{Digest as _, Sha256};

use super::FetchError;

/// What the first element of a body is.
#[derive(Debug, PartialEq, Eq)]
enum Root {
    /// The name of the first element.
    Element(String),
    /// Not XML (or not enough of it yet).
    NotXml,
    /// Only prolog so far.
    Incomplete,
}

fn root_element(body: &[u8]) -> Root {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.name();
                let name: &str = name.as_ref();
                return Root::Element(name.to_owned());
            }
            Ok(Event::Text(t)) => {
                let text: &str = t.as_ref();
                if !text.trim().is_empty() {
                    return Root::NotXml;
                }
            }
            Ok(Event::Eof) => return Root::Incomplete,
            Ok(_) => {}
            Err(_) => return Root::NotXml,
        }
        buf.clear();
    }
}

/// Whether enough of the body has arrived to tell what its root is.
pub(super) fn root_is_known(body: &[u8]) -> bool {
    !matches!(root_element(body), Root::Incomplete)
}

/// Refuses a body whose root element is not `Edmx` (in any prefix).
pub(super) fn check_root(
    body: &[u8],
    url: &url::Url,
    content_type: Option<&str>,
) -> Result<(), FetchError> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let found = match root_element(text) {
        Root::Element(name) if name.rsplit(':').next() == Some("Edmx") => return Ok(()),
        _ if first.is_none() => "an empty body".to_owned(),
        _ if matches!(first, Some(b'{' | b'[')) => format!("JSON: {}", snippet(text)),
        Root::Element(name) if name.eq_ignore_ascii_case("html") => {
            format!("an HTML page: {}", snippet(text))
        }
        Root::Element(name) => format!("an XML document with root element `{name}`"),
        Root::NotXml | Root::Incomplete => format!("a body that is not XML: {}", snippet(text)),
    };
    Err(FetchError::NotMetadata {
        url: url.to_string(),
        content_type: content_type.map(str::to_owned),
        found,
    })
}

/// The first 160 characters of a body on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(1024)]);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let collapsed = one_line.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > 160 {
        let cut: String = collapsed.chars().take(160).collect();
        format!("{cut}...")
    } else {
        collapsed
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `bytes`, lowercase hex (the fingerprint `fetch` records).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> url::Url {
        url::Url::parse("http://127.0.0.1:1/data/$metadata").unwrap()
    }

    #[test]
    fn accepts_an_edmx_root_after_bom_declaration_and_comments() {
        let body = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- x -->\n<edmx:Edmx Version=\"4.0\">";
        assert!(check_root(body, &url(), None).is_ok());
    }

    #[test]
    fn refuses_an_html_login_page() {
        let body = b"<!DOCTYPE html>\n<html><head><title>Sign in to your account</title>";
        let error = check_root(body, &url(), Some("text/html")).unwrap_err();
        let shown = error.to_string();
        assert!(shown.contains("an HTML page"), "{shown}");
        assert!(shown.contains("Sign in"), "{shown}");
        assert!(shown.contains("nothing was saved"), "{shown}");
    }

    #[test]
    fn refuses_a_json_error() {
        let body = br#"{"error":{"code":"","message":"No HTTP resource was found"}}"#;
        let error = check_root(body, &url(), Some("application/json")).unwrap_err();
        assert!(error.to_string().contains("JSON: {\"error\""), "{error}");
    }

    #[test]
    fn refuses_another_xml_document_and_an_empty_body() {
        let error = check_root(b"<feed/>", &url(), None).unwrap_err();
        assert!(error.to_string().contains("root element `feed`"), "{error}");
        let error = check_root(b"  ", &url(), None).unwrap_err();
        assert!(error.to_string().contains("an empty body"), "{error}");
    }
}
