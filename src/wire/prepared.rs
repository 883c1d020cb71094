//! [`Prepared`]: one request as every builder lowers it, before it is sent alone or inside a
//! `$batch`, and the [`Answer`] its decoder reads.

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::error::{Error, Result};
use crate::transport::Request;

/// A request relative to the service root: method, path, query, its own headers and body.
///
/// Every builder (query, get, create, update, delete, action, function) makes one, so that the
/// single call and the `$batch` part are written from the same value: [`Prepared::into_request`]
/// for the transport, the batch encoder for a part. Headers that every request of a client
/// carries (authorization, `OData-Version`, `User-Agent`, ...) are not in it; the transport
/// adds them to a single call, and a `$batch` carries them once for all its parts.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    /// Percent-encoded path relative to the service root (`CustomersV3(dataAreaId='usmf',…)`,
    /// `SetCustomerOnHold`), or a Content-ID reference inside a change set (`$1/SalesOrderLines`).
    pub(crate) path: String,
    /// Percent-encoded query without `?`; empty for none.
    pub(crate) query: String,
    /// The request's own headers, in the order they are written.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Bytes>,
    /// What the request is about, for messages: `entity Microsoft.Dynamics.DataEntities.X`,
    /// `action SetCustomerOnHold`, `page of CustomersV3`.
    pub(crate) what: String,
}

impl Prepared {
    /// `method path` with no query, headers or body yet.
    pub(crate) fn new(method: Method, path: String, what: String) -> Self {
        Prepared {
            method,
            path,
            query: String::new(),
            headers: Vec::new(),
            body: None,
            what,
        }
    }

    /// Adds a header (after those already there).
    pub(crate) fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds `Accept: application/json;odata.metadata=minimal`.
    pub(crate) fn accept_json(self) -> Self {
        self.header(
            reqwest::header::ACCEPT,
            HeaderValue::from_static(super::ACCEPT_JSON),
        )
    }

    /// Sets a JSON body (and its `Content-Type`).
    pub(crate) fn json_body(mut self, body: Bytes) -> Self {
        self.headers
            .push((CONTENT_TYPE, HeaderValue::from_static(super::JSON)));
        self.body = Some(body);
        self
    }

    /// Sets the query (already percent-encoded, without `?`).
    pub(crate) fn query(mut self, query: String) -> Self {
        self.query = query;
        self
    }

    /// Appends `cross-company=true` to the query when `cross_company` is set (the one place
    /// the option is written; see the [`wire`](super) docs for the rule).
    pub(crate) fn cross_company(mut self, cross_company: bool) -> Self {
        if cross_company {
            let (name, value) = super::CROSS_COMPANY;
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(name);
            self.query.push('=');
            self.query.push_str(value);
        }
        self
    }

    /// The request's target relative to the service root: `path`, or `path?query`.
    pub(crate) fn target(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    /// The absolute URL under `root`.
    ///
    /// # Errors
    /// [`Error::Url`] when the target does not make a URL.
    pub(crate) fn url(&self, root: &Url) -> Result<Url> {
        let text = format!("{root}{}", self.target());
        Url::parse(&text).map_err(|e| Error::url(&text, e))
    }

    /// The transport request for a single call to the service at `root`.
    ///
    /// # Errors
    /// As [`url`](Self::url).
    pub(crate) fn into_request(self, root: &Url) -> Result<(Request, String)> {
        let url = self.url(root)?;
        let mut request = Request::new(self.method, url);
        let mut headers = HeaderMap::with_capacity(self.headers.len());
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        request.headers = headers;
        request.body = self.body;
        Ok((request, self.what))
    }
}

/// A successful answer to a [`Prepared`] request, as a decoder reads it: from a single call or
/// from a `$batch` part.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer<'a> {
    /// The service root, for links in the answer (which must stay under it).
    pub(crate) root: &'a Url,
    /// The URL the request went to.
    pub(crate) url: &'a Url,
    /// [`Prepared::what`].
    pub(crate) what: &'a str,
    pub(crate) status: StatusCode,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// Turns a successful answer into the value a builder yields; the same function decodes the
/// single call's response and the `$batch` part.
pub(crate) type Decode<T> = fn(&Answer<'_>) -> Result<T>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_and_url_join_path_and_query_under_the_root() {
        let root = Url::parse("https://env.example/data/").unwrap();
        let p = Prepared::new(Method::GET, "CustomersV3".into(), "page".into())
            .query("$top=1".into())
            .cross_company(true);
        assert_eq!(p.target(), "CustomersV3?$top=1&cross-company=true");
        assert_eq!(
            p.url(&root).unwrap().as_str(),
            "https://env.example/data/CustomersV3?$top=1&cross-company=true"
        );
        let plain = Prepared::new(Method::GET, "X".into(), "x".into()).cross_company(false);
        assert_eq!(plain.target(), "X");
    }

    #[test]
    fn request_keeps_every_header_and_the_body() {
        let root = Url::parse("https://env.example/data/").unwrap();
        let (request, what) = Prepared::new(Method::POST, "X".into(), "new X".into())
            .accept_json()
            .json_body(Bytes::from_static(b"{}"))
            .into_request(&root)
            .unwrap();
        assert_eq!(what, "new X");
        assert_eq!(request.headers["accept"], super::super::ACCEPT_JSON);
        assert_eq!(request.headers["content-type"], "application/json");
        assert_eq!(request.body.as_deref(), Some(&b"{}"[..]));
    }
}
