//! Server-driven paging: fetching a page, following `@odata.nextLink`, flattening pages to rows.
//!
//! A next link is opaque: it is resolved against the URL of the page that carried it (so relative
//! links work) and followed as is. It must stay on the service's origin and under its root; a link
//! anywhere else is refused with [`Error::ForeignNextLink`] so that credentials never leave.
//!
//! A next link that was already followed in the same read means the server's paging runs in a
//! circle: the read ends with [`Error::NextLinkLoop`] instead of fetching the same pages forever.
//! To keep memory bounded, a read remembers a 128-bit keyed hash of each link, not the link, and
//! at most the last [`REMEMBERED_LINKS`] of them (about 4 MB at most, reached only after that many
//! pages): a circle of up to that many pages is caught on its first repeat. Two different links
//! with the same hash (odds about 1 in 10^28 for a read of 100,000 pages) would end a read early.
//!
//! Rows are decoded straight from the response bytes by a [`RowDecoder`]: serde for a whole
//! entity type, the selection's own decoder for a projection (see [`Selection`](crate::Selection)).
//! Each page is fetched inside an `odata.page` tracing span that records the entity set, the
//! status, the number of rows and the time taken (the request span inside it carries the
//! redacted URL and the attempts).

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures::{Stream, TryStreamExt, stream};
use reqwest::Method;
use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use tracing::Instrument as _;
use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::redact;
use crate::wire::{self, Answer, Prepared};

/// How many links of one read are remembered to notice a repeat (see the module docs).
pub(crate) const REMEMBERED_LINKS: usize = 100_000;

/// The links one paged read has followed, as keyed 128-bit hashes, the last
/// [`REMEMBERED_LINKS`] of them.
struct SeenLinks {
    keys: (RandomState, RandomState),
    set: HashSet<(u64, u64)>,
    order: VecDeque<(u64, u64)>,
    /// Pages fetched so far.
    pages: u64,
}

impl SeenLinks {
    fn new() -> Self {
        SeenLinks {
            keys: (RandomState::new(), RandomState::new()),
            set: HashSet::new(),
            order: VecDeque::new(),
            pages: 0,
        }
    }

    /// Records `url`; `false` when it was recorded before.
    fn insert(&mut self, url: &Url) -> bool {
        let text = url.as_str();
        let hash = (self.keys.0.hash_one(text), self.keys.1.hash_one(text));
        if !self.set.insert(hash) {
            return false;
        }
        self.order.push_back(hash);
        if self.order.len() > REMEMBERED_LINKS
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        true
    }
}

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

/// Decodes one row of a collection response.
pub(crate) trait RowDecoder: Send + Sync + 'static {
    /// The decoded row.
    type Row: Send + 'static;

    /// Decodes one element of the response's `value` array.
    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<Self::Row, D::Error>;
}

/// Rows decoded by their own `Deserialize` implementation.
pub(crate) struct Serde<T>(PhantomData<fn() -> T>);

impl<T> Serde<T> {
    pub(crate) fn new() -> Self {
        Serde(PhantomData)
    }
}

impl<T: DeserializeOwned + Send + 'static> RowDecoder for Serde<T> {
    type Row = T;

    fn decode_row<'de, D: Deserializer<'de>>(&self, row: D) -> Result<T, D::Error> {
        T::deserialize(row)
    }
}

struct Body<T> {
    value: Vec<T>,
    next_link: Option<String>,
    count: Option<u64>,
}

#[derive(Deserialize)]
#[serde(field_identifier)]
enum BodyKey {
    #[serde(rename = "value")]
    Value,
    #[serde(rename = "@odata.nextLink")]
    NextLink,
    #[serde(rename = "@odata.count")]
    Count,
    #[serde(other)]
    Other,
}

/// Decodes a collection response body with `D` for the rows.
struct BodySeed<'a, D>(&'a D);

impl<'de, D: RowDecoder> DeserializeSeed<'de> for BodySeed<'_, D> {
    type Value = Body<D::Row>;

    fn deserialize<De: Deserializer<'de>>(self, body: De) -> Result<Self::Value, De::Error> {
        body.deserialize_map(self)
    }
}

impl<'de, D: RowDecoder> de::Visitor<'de> for BodySeed<'_, D> {
    type Value = Body<D::Row>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a collection response object with a `value` array")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut value = None;
        let mut next_link = None;
        let mut count = None;
        while let Some(key) = map.next_key::<BodyKey>()? {
            match key {
                BodyKey::Value if value.is_some() => {
                    return Err(de::Error::duplicate_field("value"));
                }
                BodyKey::Value => value = Some(map.next_value_seed(ListOf(RowSeed(self.0)))?),
                BodyKey::NextLink => next_link = map.next_value()?,
                BodyKey::Count => count = map.next_value()?,
                BodyKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Body {
            value: value.ok_or_else(|| de::Error::missing_field("value"))?,
            next_link,
            count,
        })
    }
}

/// Decodes one row with `D`.
struct RowSeed<'a, D>(&'a D);

impl<D> Clone for RowSeed<'_, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D> Copy for RowSeed<'_, D> {}

impl<'de, D: RowDecoder> DeserializeSeed<'de> for RowSeed<'_, D> {
    type Value = D::Row;

    fn deserialize<De: Deserializer<'de>>(self, row: De) -> Result<Self::Value, De::Error> {
        self.0.decode_row(row)
    }
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
                    url: redact::url_text(url),
                });
            }
            rows.push(row);
        }
        Ok(rows)
    }
}

/// The pages of a collection starting at `first`, rows decoded by `decoder`.
pub(crate) fn pages<D: RowDecoder>(
    client: Client,
    entity_set: String,
    first: Result<Url>,
    decoder: D,
) -> Pages<D::Row> {
    let start = first.map(Some);
    let inner = stream::try_unfold(
        (client, entity_set, decoder, Some(start), SeenLinks::new()),
        |(client, entity_set, decoder, next, mut seen)| async move {
            let url = match next {
                None | Some(Ok(None)) => return Ok(None),
                Some(Err(e)) => return Err(e),
                Some(Ok(Some(url))) => url,
            };
            if !seen.insert(&url) {
                return Err(Error::NextLinkLoop {
                    next_link: redact::url(&url).into_owned(),
                    pages: seen.pages,
                });
            }
            let span = tracing::info_span!(
                "odata.page",
                entity_set = %entity_set,
                status = tracing::field::Empty,
                rows = tracing::field::Empty,
                next = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
            );
            let page = fetch_page(&client, &entity_set, &url, &decoder, &span)
                .instrument(span.clone())
                .await?;
            seen.pages += 1;
            let next = page.next_link.clone();
            Ok(Some((
                page,
                (client, entity_set, decoder, Some(Ok(next)), seen),
            )))
        },
    );
    Pages {
        inner: Box::pin(inner),
    }
}

/// The request for one page of a collection read (the first, or a next link) at `path?query`
/// under the service root: JSON with minimal metadata and the client's page size. A query's
/// first page, inside a `$batch` too, is exactly this request.
pub(crate) fn page_request(client: &Client, path: String, query: String, what: String) -> Prepared {
    let request = Prepared::new(Method::GET, path, what)
        .query(query)
        .accept_json();
    match client.inner().max_page_size {
        Some(rows) => request.header(wire::PREFER, wire::prefer_max_page_size(rows)),
        None => request,
    }
}

/// Fetches and decodes one page; records status, rows and duration on `span`.
async fn fetch_page<D: RowDecoder>(
    client: &Client,
    entity_set: &str,
    url: &Url,
    decoder: &D,
    span: &tracing::Span,
) -> Result<Page<D::Row>> {
    let started = Instant::now();
    let root = client.service_root();
    // First pages come from a query under the root, next links were checked to stay there.
    let path = url.path().strip_prefix(root.path()).unwrap_or_default();
    let request = page_request(
        client,
        path.to_owned(),
        url.query().unwrap_or_default().to_owned(),
        format!("page of {entity_set}"),
    );
    let sent = client.execute(request).await?;
    span.record("status", sent.response.status.as_u16());
    let page = decode_page(decoder, &sent.answer(root))?;
    span.record("rows", page.rows.len());
    span.record("next", page.next_link.is_some());
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    Ok(page)
}

/// Decodes one page of a collection response with `decoder` for the rows; a next link is
/// resolved against the request URL and must stay under the service root. The single call
/// and the `$batch` part of a query decode with this.
pub(crate) fn decode_page<D: RowDecoder>(decoder: &D, answer: &Answer<'_>) -> Result<Page<D::Row>> {
    let mut json = serde_json::Deserializer::from_slice(answer.body);
    let body = BodySeed(decoder)
        .deserialize(&mut json)
        .and_then(|body| json.end().map(|()| body))
        .map_err(|e| Error::decode(answer.what, answer.url.as_str(), &e))?;
    let next_link = match body.next_link {
        Some(link) => Some(resolve_next_link(answer.root, answer.url, &link)?),
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
            next_link: redact::url_text(link),
            origin: root.as_str().trim_end_matches('/').to_owned(),
        });
    }
    Ok(resolved)
}

/// An array whose elements are decoded with the inner seed.
pub(crate) struct ListOf<X>(pub(crate) X);

impl<'de, X: DeserializeSeed<'de> + Copy> DeserializeSeed<'de> for ListOf<X> {
    type Value = Vec<X::Value>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        value: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        value.deserialize_seq(self)
    }
}

impl<'de, X: DeserializeSeed<'de> + Copy> Visitor<'de> for ListOf<X> {
    type Value = Vec<X::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of entities")
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16_384));
        while let Some(row) = seq.next_element_seed(self.0)? {
            rows.push(row);
        }
        Ok(rows)
    }
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
    fn a_link_is_seen_once_and_only_the_last_ones_are_remembered() {
        let mut seen = SeenLinks::new();
        let link = |i: usize| url(&format!("https://env.example/data/X?$skiptoken={i}"));
        assert!(seen.insert(&link(0)));
        assert!(!seen.insert(&link(0)));
        for i in 1..=REMEMBERED_LINKS {
            assert!(seen.insert(&link(i)), "{i}");
        }
        assert_eq!(seen.set.len(), REMEMBERED_LINKS);
        assert_eq!(seen.order.len(), REMEMBERED_LINKS);
        assert!(
            !seen.insert(&link(REMEMBERED_LINKS)),
            "recent links are kept"
        );
        assert!(seen.insert(&link(0)), "the oldest was forgotten");
    }

    #[test]
    fn refuses_next_link_outside_the_service_root() {
        let root = url("https://env.operations.dynamics.com/data/");
        let current = url("https://env.operations.dynamics.com/data/CustomersV3");
        let e = resolve_next_link(&root, &current, "/api/connector/dequeue/x").unwrap_err();
        assert!(matches!(e, Error::ForeignNextLink { .. }), "{e:?}");
    }
}
