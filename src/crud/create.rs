//! [`CreateRequest`]: creating an entity from a write model that holds only the fields to send.

use std::fmt;
use std::future::IntoFuture;
use std::marker::PhantomData;

use bytes::Bytes;
use futures::future::BoxFuture;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, LOCATION};
use serde::Serialize;
use url::Url;

use crate::client::Client;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::wire::{Answer, Prepared, check_segment, encode_json};

/// The header OData services use for the created entity's id.
const ODATA_ENTITY_ID: HeaderName = HeaderName::from_static("odata-entityid");

/// Creates an entity (`POST Set`); made by [`Client::create`]. Await it, or hand it to
/// [`ChangeSet::add`](crate::ChangeSet::add) to send exactly the same request inside a change set.
///
/// The body is exactly what the write model serializes. Write models (generated, or written by
/// hand) make every property an `Option` with `#[serde(skip_serializing_if = "Option::is_none")]`,
/// so only the fields the caller set are sent and F&O fills the others with its defaults, as it
/// would for a user in the client. Await it (or call [`send`](Self::send)) to get the created
/// entity as the service stored it.
#[must_use = "a request does nothing until it is awaited"]
pub struct CreateRequest<E> {
    client: Client,
    body: Result<Bytes>,
    entity: PhantomData<fn() -> E>,
}

impl<E: Entity> CreateRequest<E> {
    /// A create of `new` in `E`'s entity set, sent with `client`.
    pub(crate) fn new<W: Serialize + ?Sized>(client: &Client, new: &W) -> Self {
        CreateRequest {
            client: client.clone(),
            body: encode_json(&format!("new {}", E::TYPE_NAME), new),
            entity: PhantomData,
        }
    }
}

impl<E> fmt::Debug for CreateRequest<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateRequest")
            .field(
                "body",
                &self.body.as_ref().map(|b| String::from_utf8_lossy(b)),
            )
            .finish_non_exhaustive()
    }
}

impl<E: Entity> CreateRequest<E> {
    /// Sends the request and decodes the created entity from the response.
    ///
    /// A `201 Created` body is decoded directly. When the service answers `204 No Content`
    /// instead (it honoured a `Prefer: return=minimal` set as a default header, or it never
    /// returns content), the entity is read from the `Location` (or `OData-EntityId`) it names.
    ///
    /// # Errors
    /// [`Error::Service`] with status 409, or 400 from F&O ([`Error::is_conflict`]), when an entity with the same
    /// key exists; [`Error::Service`] with the service's message (F&O: the Infolog, see
    /// [`ServiceError::infolog`](crate::ServiceError::infolog)) when validation fails;
    /// [`Error::Config`] when the write model cannot be serialized; [`Error::Decode`] when the
    /// response is not the entity; any other [`Error`] from sending.
    pub async fn send(self) -> Result<E> {
        let (client, prepared) = self.prepare();
        let sent = client.execute(prepared?).await?;
        let answer = sent.answer(client.service_root());
        if !answer.body.is_empty() {
            return Self::decode(&answer);
        }
        let location =
            created_location(&client, &sent.url, answer.headers).ok_or_else(|| Error::Decode {
                what: answer.what.to_owned(),
                url: sent.url.to_string(),
                line: 0,
                column: 0,
                message: format!(
                    "HTTP {} without a body, and no Location or OData-EntityId header under \
                     the service root to read the entity from",
                    answer.status.as_u16()
                ),
            })?;
        // Under the service root: `created_location` checked origin and path.
        let path = location
            .path()
            .strip_prefix(client.service_root().path())
            .unwrap_or_default();
        let read = Prepared::new(Method::GET, path.to_owned(), answer.what.to_owned())
            .query(location.query().unwrap_or_default().to_owned())
            .accept_json();
        client.call(read, Self::decode).await
    }

    /// The client and the one request this create sends, alone or in a `$batch`.
    pub(crate) fn prepare(self) -> (Client, Result<Prepared>) {
        let prepared = self.body.and_then(|body| {
            check_segment("entity set", E::ENTITY_SET)?;
            Ok(Prepared::new(
                Method::POST,
                E::ENTITY_SET.to_owned(),
                format!("created entity {}", E::TYPE_NAME),
            )
            .accept_json()
            .json_body(body))
        });
        (self.client, prepared)
    }

    /// Decodes the created entity from an answer with a body (`201 Created`).
    pub(crate) fn decode(answer: &Answer<'_>) -> Result<E> {
        serde_json::from_slice(answer.body)
            .map_err(|e| Error::decode(answer.what, answer.url.as_str(), &e))
    }
}

/// The created entity's URL from `Location` or `OData-EntityId`, resolved against the request URL,
/// when it stays under the service root (credentials are never sent elsewhere).
fn created_location(client: &Client, request_url: &Url, headers: &HeaderMap) -> Option<Url> {
    let root = client.service_root();
    [LOCATION, ODATA_ENTITY_ID]
        .iter()
        .filter_map(|name| headers.get(name)?.to_str().ok())
        .filter_map(|text| request_url.join(text).ok())
        .find(|url| {
            url.scheme() == root.scheme()
                && url.host() == root.host()
                && url.port_or_known_default() == root.port_or_known_default()
                && url.path().starts_with(root.path())
        })
}

impl<E: Entity> IntoFuture for CreateRequest<E> {
    type Output = Result<E>;
    type IntoFuture = BoxFuture<'static, Result<E>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn client() -> Client {
        Client::builder("https://env.operations.dynamics.com")
            .build()
            .unwrap()
    }

    #[test]
    fn relative_location_resolves_against_the_request_url() {
        let client = client();
        let url = Url::parse("https://env.operations.dynamics.com/data/CustomersV3").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            LOCATION,
            HeaderValue::from_static("CustomersV3(dataAreaId='usmf',CustomerAccount='X')"),
        );
        assert_eq!(
            created_location(&client, &url, &headers).unwrap().as_str(),
            "https://env.operations.dynamics.com/data/CustomersV3(dataAreaId='usmf',CustomerAccount='X')"
        );
    }

    #[test]
    fn location_on_another_host_is_not_followed() {
        let client = client();
        let url = Url::parse("https://env.operations.dynamics.com/data/CustomersV3").unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            LOCATION,
            HeaderValue::from_static("https://evil.example/data/CustomersV3('X')"),
        );
        assert_eq!(created_location(&client, &url, &headers), None);
        headers.insert(
            ODATA_ENTITY_ID,
            HeaderValue::from_static("https://env.operations.dynamics.com/data/CustomersV3('X')"),
        );
        assert!(created_location(&client, &url, &headers).is_some());
    }
}
