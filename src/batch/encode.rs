//! Writing a `$batch` request body: `multipart/mixed` (RFC 2046) whose parts are HTTP requests
//! (`application/http`, `Content-Transfer-Encoding: binary`) or change sets (a nested
//! `multipart/mixed` of requests), as OData v4 Part 1 §11.7 and F&O expect.
//!
//! Line ends are CRLF. Every request carries its `Content-ID`; targets are relative to the service
//! root (the form every OData service resolves against the `$batch` URL), or absolute URLs when
//! asked for. Boundaries are random and checked against every body, so a body can never contain
//! a delimiter.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use super::operation::{Operation, Unit};
use crate::wire::ODATA_VERSION;

/// The boundaries of one encoded batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Boundaries {
    token: String,
}

impl Boundaries {
    /// Boundaries built around `token`: `batch_<token>`, `changeset_<token>_<n>`.
    pub(crate) fn new(token: impl Into<String>) -> Self {
        Boundaries {
            token: token.into(),
        }
    }

    /// Random boundaries that occur in none of `bodies`.
    pub(crate) fn random<'a>(bodies: impl Iterator<Item = &'a [u8]> + Clone) -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        loop {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
            let boundaries = Boundaries::new(format!("{:016x}", hasher.finish()));
            let token = boundaries.token.as_bytes();
            let clash = bodies
                .clone()
                .any(|body| body.windows(token.len()).any(|w| w == token));
            if !clash {
                return boundaries;
            }
        }
    }

    /// The outer boundary.
    pub(crate) fn batch(&self) -> String {
        format!("batch_{}", self.token)
    }

    fn change_set(&self, n: usize) -> String {
        format!("changeset_{}_{n}", self.token)
    }

    /// The request's `Content-Type` header value.
    pub(crate) fn content_type(&self) -> String {
        format!("multipart/mixed; boundary={}", self.batch())
    }
}

/// How request targets are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Targets {
    /// Relative to the service root: `CustomersV3?$top=1`.
    Relative,
    /// Absolute URLs: `https://host/data/CustomersV3?$top=1` (F&O's own samples).
    Absolute,
}

/// Encodes `units` (operations taken from `ops` by slot index) as one `$batch` body.
pub(crate) fn encode(
    ops: &[Operation],
    units: &[&Unit],
    boundaries: &Boundaries,
    targets: Targets,
) -> Vec<u8> {
    let batch = boundaries.batch();
    let mut out = Vec::with_capacity(
        256 + units
            .iter()
            .flat_map(|u| u.slots())
            .map(|&s| 256 + ops[s].request.body.as_ref().map_or(0, |b| b.len()))
            .sum::<usize>(),
    );
    for (n, unit) in units.iter().enumerate() {
        push_line(&mut out, &format!("--{batch}"));
        match unit {
            Unit::Single(slot) => write_request(&mut out, &ops[*slot], targets),
            Unit::ChangeSet(slots) => {
                let change_set = boundaries.change_set(n + 1);
                push_line(
                    &mut out,
                    &format!("Content-Type: multipart/mixed; boundary={change_set}"),
                );
                push_line(&mut out, "");
                for slot in slots {
                    push_line(&mut out, &format!("--{change_set}"));
                    write_request(&mut out, &ops[*slot], targets);
                }
                push_line(&mut out, &format!("--{change_set}--"));
            }
        }
    }
    push_line(&mut out, &format!("--{batch}--"));
    out
}

fn push_line(out: &mut Vec<u8>, line: &str) {
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// One `application/http` part; ends with the CRLF that opens the next delimiter. The request
/// line, headers and body are the operation's prepared request as its single call sends them
/// (header names in lower case, as HTTP/1.1 clients write them), plus `OData-Version`, which a
/// single call carries among the client's headers.
fn write_request(out: &mut Vec<u8>, op: &Operation, targets: Targets) {
    push_line(out, "Content-Type: application/http");
    push_line(out, "Content-Transfer-Encoding: binary");
    push_line(out, &format!("Content-ID: {}", op.content_id));
    push_line(out, "");
    let relative;
    let target = match targets {
        Targets::Absolute if !op.is_reference() => op.url.as_str(),
        _ => {
            relative = op.request.target();
            relative.as_str()
        }
    };
    push_line(out, &format!("{} {target} HTTP/1.1", op.request.method));
    push_line(out, &format!("odata-version: {ODATA_VERSION}"));
    for (name, value) in &op.request.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    push_line(out, "");
    if let Some(body) = &op.request.body {
        out.extend_from_slice(body);
    }
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use reqwest::Method;

    use super::*;

    fn op(slot: usize, method: Method, target: &str, body: Option<&'static str>) -> Operation {
        Operation::test(slot, method, target, body)
    }

    #[test]
    fn encodes_a_read_and_a_change_set_with_a_reference_byte_for_byte() {
        let ops = vec![
            op(0, Method::GET, "CustomerGroups?$top=1", None),
            op(
                1,
                Method::POST,
                "SalesOrderHeadersV2",
                Some(r#"{"dataAreaId":"usmf","SalesOrderNumber":"SO-1"}"#),
            ),
            op(
                2,
                Method::POST,
                "$2/SalesOrderLines",
                Some(r#"{"InventoryLotId":"LOT-1"}"#),
            ),
        ];
        let units = [Unit::Single(0), Unit::ChangeSet(vec![1, 2])];
        let units: Vec<&Unit> = units.iter().collect();
        let body = encode(&ops, &units, &Boundaries::new("b1"), Targets::Relative);
        let expected = "--batch_b1\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
Content-ID: 1\r\n\
\r\n\
GET CustomerGroups?$top=1 HTTP/1.1\r\n\
odata-version: 4.0\r\n\
accept: application/json;odata.metadata=minimal\r\n\
\r\n\
\r\n\
--batch_b1\r\n\
Content-Type: multipart/mixed; boundary=changeset_b1_2\r\n\
\r\n\
--changeset_b1_2\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
Content-ID: 2\r\n\
\r\n\
POST SalesOrderHeadersV2 HTTP/1.1\r\n\
odata-version: 4.0\r\n\
accept: application/json;odata.metadata=minimal\r\n\
content-type: application/json\r\n\
\r\n\
{\"dataAreaId\":\"usmf\",\"SalesOrderNumber\":\"SO-1\"}\r\n\
--changeset_b1_2\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
Content-ID: 3\r\n\
\r\n\
POST $2/SalesOrderLines HTTP/1.1\r\n\
odata-version: 4.0\r\n\
accept: application/json;odata.metadata=minimal\r\n\
content-type: application/json\r\n\
\r\n\
{\"InventoryLotId\":\"LOT-1\"}\r\n\
--changeset_b1_2--\r\n\
--batch_b1--\r\n";
        assert_eq!(String::from_utf8(body).unwrap(), expected);
    }

    #[test]
    fn absolute_targets_keep_content_id_references_relative() {
        let ops = vec![
            op(0, Method::POST, "SalesOrderHeadersV2", Some("{}")),
            op(1, Method::POST, "$1/SalesOrderLines", Some("{}")),
        ];
        let units = [Unit::ChangeSet(vec![0, 1])];
        let units: Vec<&Unit> = units.iter().collect();
        let body = encode(&ops, &units, &Boundaries::new("x"), Targets::Absolute);
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("POST https://fno.example/data/SalesOrderHeadersV2 HTTP/1.1\r\n"));
        assert!(text.contains("POST $1/SalesOrderLines HTTP/1.1\r\n"));
    }

    #[test]
    fn random_boundaries_avoid_the_bodies() {
        let a = Boundaries::random(std::iter::empty());
        let b = Boundaries::random(std::iter::empty());
        assert_ne!(a, b);
        assert!(a.batch().len() <= 70);
    }

    #[test]
    fn encoded_batch_parses_back_as_multipart() {
        // The parser reads responses, but the framing is the same: a request body must split
        // into the same parts.
        let ops = vec![
            op(0, Method::GET, "CustomerGroups", None),
            op(
                1,
                Method::DELETE,
                "CustomerGroups(dataAreaId='usmf',CustomerGroupId='1')",
                None,
            ),
        ];
        let units = [Unit::Single(0), Unit::ChangeSet(vec![1])];
        let units: Vec<&Unit> = units.iter().collect();
        let boundaries = Boundaries::new("rt");
        let body = encode(&ops, &units, &boundaries, Targets::Relative);
        let text = String::from_utf8(body)
            .unwrap()
            .replace(" HTTP/1.1\r\n", "\r\n")
            .replace("GET CustomerGroups", "HTTP/1.1 200 OK")
            .replace(
                "DELETE CustomerGroups(dataAreaId='usmf',CustomerGroupId='1')",
                "HTTP/1.1 204 No Content",
            );
        let parts =
            super::super::parse::parse_batch(&boundaries.content_type(), &Bytes::from(text))
                .unwrap()
                .parts;
        assert_eq!(parts.len(), 2);
    }
}
