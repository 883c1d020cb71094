//! Reading the service's description: [`Client::metadata`].

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::metadata::{ACCEPT_XML, MetadataDownload};
use crate::transport::Request;

impl Client {
    /// Requests the service's `$metadata` document (CSDL XML) and returns its body to read
    /// piece by piece, for code generation or inspection.
    ///
    /// The request goes through the same engine as every other call: the client's
    /// authorization (a fresh token after a 401), retries of the throttled or unavailable GET,
    /// limits, and redirect rules.
    ///
    /// ```no_run
    /// # async fn run(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
    /// let mut document = client.metadata().await?;
    /// let mut received = 0;
    /// while let Some(piece) = document.chunk().await? {
    ///     received += piece.len();
    /// }
    /// println!("{received} bytes from {}", document.url());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Any [`Error`] of a single call: [`Error::Auth`] when the service refuses the credentials
    /// (its [`ServiceError::authenticate`](crate::ServiceError::authenticate) holds the
    /// `WWW-Authenticate` challenge), [`Error::Service`] for other error statuses,
    /// [`Error::Credential`] when no token can be obtained, [`Error::Transport`] and
    /// [`Error::Timeout`] for the network.
    pub async fn metadata(&self) -> Result<MetadataDownload> {
        let url = self
            .service_root()
            .join("$metadata")
            .map_err(|source| Error::Url {
                input: format!("{}$metadata", self.service_root()),
                source,
            })?;
        let request = Request::new(Method::GET, url.clone())
            .header(ACCEPT, HeaderValue::from_static(ACCEPT_XML))
            .stream_body();
        let response = self.transport().send(request).await?;
        // The engine hands every successful streamed request its response unread; this only
        // guards that contract.
        let body = response.stream.ok_or_else(|| {
            Error::config(format!("the response to GET {url} has no body to stream"))
        })?;
        Ok(MetadataDownload::new(self.inner().timeout, body))
    }
}

#[cfg(test)]
mod tests {
    use crate::transport::test_server::{Reply, Step, TestServer};
    use crate::{Client, Error, RetryPolicy};

    const METADATA: &str = "/data/$metadata";

    fn client(server: &TestServer) -> Client {
        Client::builder(server.url("/").as_str())
            .allow_http_loopback()
            .bearer_token("t0ken")
            .retry_policy(
                RetryPolicy::standard()
                    .initial_backoff(std::time::Duration::from_millis(10))
                    .max_backoff(std::time::Duration::from_millis(50)),
            )
            .build()
            .unwrap()
    }

    /// A document of `len` bytes that is recognisably CSDL and has no repeating period short
    /// enough to hide a dropped or repeated piece.
    fn document(len: usize) -> Vec<u8> {
        let mut text = String::from(r#"<?xml version="1.0"?><edmx:Edmx Version="4.0">"#);
        let mut i = 0u64;
        while text.len() < len {
            text.push_str(&format!("<!-- {i} -->"));
            i += 1;
        }
        text.push_str("</edmx:Edmx>");
        text.into_bytes()
    }

    #[tokio::test]
    async fn the_document_streams_whole_with_its_type_and_the_xml_accept_header() {
        let server = TestServer::start().await;
        let body = document(300_000);
        server.default_reply("GET", METADATA, Reply::typed(200, "application/xml", &body));
        let mut download = client(&server).metadata().await.unwrap();
        assert_eq!(download.url().path(), METADATA);
        assert_eq!(download.content_type(), Some("application/xml"));
        assert_eq!(download.content_length(), Some(body.len() as u64));
        let mut received = Vec::new();
        let mut pieces = 0;
        while let Some(piece) = download.chunk().await.unwrap() {
            received.extend_from_slice(&piece);
            pieces += 1;
            assert!(pieces < 100_000, "the body never ends");
        }
        assert_eq!(received, body);
        let sent = &server.received()[0];
        assert_eq!(sent.header("accept"), Some("application/xml"));
        assert_eq!(sent.header("authorization"), Some("Bearer t0ken"));
        assert!(!format!("{download:?}").contains("t0ken"));
    }

    #[tokio::test]
    async fn a_refusal_keeps_the_challenge_and_an_unavailable_service_is_asked_again() {
        let server = TestServer::start().await;
        let challenge =
            r#"Bearer authorization_uri="https://login.example/tenant", error="invalid_token""#;
        server.script(
            "GET",
            METADATA,
            [Step::Reply(
                Reply::status(401).header("WWW-Authenticate", challenge),
            )],
        );
        match client(&server).metadata().await {
            Err(Error::Auth(e)) => {
                assert_eq!(e.status, 401);
                assert_eq!(e.authenticate.as_deref(), Some(challenge));
            }
            other => panic!("expected Error::Auth, got {other:?}"),
        }

        let server = TestServer::start().await;
        server.script(
            "GET",
            METADATA,
            [
                Step::Reply(Reply::throttled("0")),
                Step::Reply(Reply::typed(200, "application/xml", b"<edmx:Edmx/>")),
            ],
        );
        let mut download = client(&server).metadata().await.unwrap();
        assert_eq!(
            download.chunk().await.unwrap().as_deref(),
            Some(&b"<edmx:Edmx/>"[..])
        );
        assert_eq!(server.count("GET", METADATA), 2);
    }
}
