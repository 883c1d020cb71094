//! Server-driven paging: fetching a page, following `@odata.nextLink`, flattening pages to rows.
//!
//! A next link is opaque: it is resolved against the URL of the page that carried it (so relative
//! links work) and followed as is. It must stay on the service's origin and under its root; a link
//! anywhere else is refused with [`Error::ForeignNextLink`] so that credentials never leave.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, TryStreamExt, stream};
use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport;

/// The `Prefer` request header (RFC 7240).
const PREFER: HeaderName = HeaderName::from_static("prefer");

/// One page of a collection response.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The rows of this page, in server order.
    pub rows: Vec<T>,
    /// The resolved `@odata.nextLink`, when more rows follow.
    pub next_link: Option<Url>,
    /// `@odata.count`: the number of matching rows across all pages (only with `$count=true`).
    pub count: Option<u64>,
}

#[derive(Deserialize)]
struct Body<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
    #[serde(rename = "@odata.count", default)]
    count: Option<u64>,
}

/// The pages of a query, fetched one at a time as the stream is polled.
///
/// Made by `pages()` on a query. It is `Unpin`, so `pages.try_next().await` works as is.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    inner: Pin<Box<dyn Stream<Item = Result<Page<T>>> + Send>>,
}

/// The rows of a query, one page in memory at a time.
///
/// Made by `stream()` on a query. It is `Unpin`, so `rows.try_next().await` works as is.
#[must_use = "streams do nothing unless polled"]
pub struct Rows<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T>> + Send>>,
}

impl<T> Stream for Pages<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> Stream for Rows<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pages")
    }
}

impl<T> fmt::Debug for Rows<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rows")
    }
}

impl<T: Send + 'static> Pages<T> {
    /// The rows of these pages, in order.
    pub fn rows(self) -> Rows<T> {
        Rows {
            inner: Box::pin(
                self.map_ok(|page| stream::iter(page.rows.into_iter().map(Ok)))
                    .try_flatten(),
            ),
        }
    }
}

impl<T> Rows<T> {
    /// Collects every row, failing with [`Error::RowLimitExceeded`] as soon as a row beyond
    /// `max_rows` arrives (so at most one page more than the cap is read).
    pub(crate) async fn collect_capped(mut self, max_rows: usize, url: &str) -> Result<Vec<T>> {
        let mut rows = Vec::new();
        while let Some(row) = self.try_next().await? {
            if rows.len() == max_rows {
                return Err(Error::RowLimitExceeded {
                    limit: max_rows,
                    url: url.to_owned(),
                });
            }
            rows.push(row);
        }
        Ok(rows)
    }
}

impl Client {
    /// Continues a collection read from a saved `@odata.nextLink` (see [`Page::next_link`]),
    /// for example after a restart. The link must lie under this client's service root.
    ///
    /// # Errors
    /// The first item is [`Error::ForeignNextLink`] when the link leaves the service root, or
    /// [`Error::Url`] when it does not parse.
    pub fn resume_pages<T: DeserializeOwned + Send + 'static>(&self, next_link: &str) -> Pages<T> {
        let root = self.service_root();
        let first = resolve_next_link(root, root, next_link);
        pages(self.clone(), "resumed collection".to_owned(), first)
    }
}

/// The pages of a collection starting at `first`.
pub(crate) fn pages<T: DeserializeOwned + Send + 'static>(
    client: Client,
    entity_set: String,
    first: Result<Url>,
) -> Pages<T> {
    let start = first.map(Some);
    let inner = stream::try_unfold(
        (client, entity_set, Some(start)),
        |(client, entity_set, next)| async move {
            let url = match next {
                None | Some(Ok(None)) => return Ok(None),
                Some(Err(e)) => return Err(e),
                Some(Ok(Some(url))) => url,
            };
            let page = fetch_page::<T>(&client, &entity_set, &url).await?;
            let next = page.next_link.clone();
            Ok(Some((page, (client, entity_set, Some(Ok(next))))))
        },
    );
    Pages {
        inner: Box::pin(inner),
    }
}

async fn fetch_page<T: DeserializeOwned>(
    client: &Client,
    entity_set: &str,
    url: &Url,
) -> Result<Page<T>> {
    let mut request = transport::Request::new(Method::GET, url.clone()).header(
        ACCEPT,
        HeaderValue::from_static("application/json;odata.metadata=minimal"),
    );
    if let Some(rows) = client.inner().max_page_size
        && let Ok(value) = HeaderValue::from_str(&format!("odata.maxpagesize={rows}"))
    {
        request = request.header(PREFER, value);
    }
    let response = transport::send(client, request).await?;
    let body: Body<T> = serde_json::from_slice(&response.body)
        .map_err(|e| Error::decode(format!("page of {entity_set}"), url.as_str(), &e))?;
    let next_link = match body.next_link {
        Some(link) => Some(resolve_next_link(client.service_root(), url, &link)?),
        None => None,
    };
    Ok(Page {
        rows: body.value,
        next_link,
        count: body.count,
    })
}

/// Resolves `link` against `current` and checks that it stays under `root`.
pub(crate) fn resolve_next_link(root: &Url, current: &Url, link: &str) -> Result<Url> {
    let resolved = current.join(link).map_err(|e| Error::url(link, e))?;
    let same_origin = resolved.scheme() == root.scheme()
        && resolved.host() == root.host()
        && resolved.port_or_known_default() == root.port_or_known_default();
    if !same_origin || !resolved.path().starts_with(root.path()) {
        return Err(Error::ForeignNextLink {
            next_link: link.to_owned(),
            origin: root.as_str().trim_end_matches('/').to_owned(),
        });
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn resolves_relative_skiptoken_link_against_request_url() {
        let root = url("http://127.0.0.1:4004/data/");
        let current = url("http://127.0.0.1:4004/data/CustomersV3?$top=5");
        let next = resolve_next_link(&root, &current, "CustomersV3?$skiptoken=1000").unwrap();
        assert_eq!(
            next.as_str(),
            "http://127.0.0.1:4004/data/CustomersV3?$skiptoken=1000"
        );
    }

    #[test]
    fn follows_absolute_skip_link_on_same_origin() {
        let root = url("https://env.operations.dynamics.com/data/");
        let current = url("https://env.operations.dynamics.com/data/SalesOrderHeadersV2");
        let link = "https://env.operations.dynamics.com/data/SalesOrderHeadersV2?cross-company=true&$skip=10000&$top=10000";
        assert_eq!(
            resolve_next_link(&root, &current, link).unwrap().as_str(),
            link
        );
    }

    #[test]
    fn refuses_next_link_to_another_host_port_or_scheme() {
        let root = url("https://env.operations.dynamics.com/data/");
        let current = url("https://env.operations.dynamics.com/data/CustomersV3");
        for link in [
            "https://evil.example/data/CustomersV3?$skip=10",
            "https://env.operations.dynamics.com:8443/data/CustomersV3",
            "http://env.operations.dynamics.com/data/CustomersV3",
            "//evil.example/data/x",
        ] {
            let e = resolve_next_link(&root, &current, link).unwrap_err();
            assert!(matches!(e, Error::ForeignNextLink { .. }), "{link}: {e:?}");
        }
    }

    #[test]
    fn refuses_next_link_outside_the_service_root() {
        let root = url("https://env.operations.dynamics.com/data/");
        let current = url("https://env.operations.dynamics.com/data/CustomersV3");
        let e = resolve_next_link(&root, &current, "/api/connector/dequeue/x").unwrap_err();
        assert!(matches!(e, Error::ForeignNextLink { .. }), "{e:?}");
    }
}
