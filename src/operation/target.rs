//! [`Target`]: what an operation is bound to, and sending the request that invokes it.

use reqwest::Method;
use url::Url;

use super::result;
use crate::client::Client;
use crate::crud::{accept_json, with_json_body};
use crate::edm::write_percent_encoded_path_segment;
use crate::error::{Error, Result};
use crate::transport::{Request, Response};

/// An operation and what it is bound to.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    client: Client,
    /// Percent-encoded path before the operation's segment: empty (unbound), `Set/` or
    /// `Set(key)/`.
    prefix: String,
    /// The operation name as given (qualified for bound operations).
    name: String,
    /// `action` or `function`, for messages.
    kind: &'static str,
    cross_company: bool,
    /// A problem found while building the target, reported when it is sent.
    invalid: Option<String>,
}

impl Target {
    /// An operation `name` under `prefix`; `entity_set` is checked when there is one.
    pub(crate) fn new(
        client: &Client,
        kind: &'static str,
        prefix: String,
        entity_set: Option<&str>,
        name: &str,
    ) -> Self {
        let invalid = entity_set
            .and_then(|set| segment_problem("entity set", set))
            .or_else(|| segment_problem(kind, name));
        Target {
            client: client.clone(),
            prefix,
            name: name.to_owned(),
            kind,
            cross_company: false,
            invalid,
        }
    }

    pub(crate) fn cross_company(&mut self) {
        self.cross_company = true;
    }

    /// `action Namespace.Name`, for messages.
    pub(crate) fn describe(&self) -> String {
        format!("{} {}", self.kind, self.name)
    }

    /// The URL, with the operation segment `Name` followed by `arguments` (unencoded, e.g.
    /// `(p='x')` for a function, empty for an action).
    pub(crate) fn url(&self, arguments: &str) -> Result<Url> {
        if let Some(problem) = &self.invalid {
            return Err(Error::config(problem));
        }
        let mut segment = String::with_capacity(self.name.len() + arguments.len());
        segment.push_str(&self.name);
        segment.push_str(arguments);
        let mut path = self.prefix.clone();
        write_percent_encoded_path_segment(&segment, &mut path);
        crate::crud::resource_url(&self.client, &path, self.cross_company)
    }

    /// Sends `method` to the operation's URL, with a JSON body when there is one.
    pub(crate) async fn send(
        &self,
        method: Method,
        arguments: &str,
        body: Option<bytes::Bytes>,
    ) -> Result<(Url, Response)> {
        let url = self.url(arguments)?;
        let mut request = accept_json(Request::new(method, url.clone()));
        if let Some(body) = body {
            request = with_json_body(request, body);
        }
        let response = self.client.transport().send(request).await?;
        Ok((url, response))
    }

    /// Sends and discards the result.
    pub(crate) async fn send_ignoring_result(
        &self,
        method: Method,
        arguments: &str,
        body: Option<bytes::Bytes>,
    ) -> Result<()> {
        self.send(method, arguments, body).await.map(|_| ())
    }

    /// Sends and decodes `{"value": T}`.
    pub(crate) async fn send_for_value<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        arguments: &str,
        body: Option<bytes::Bytes>,
    ) -> Result<T> {
        let (url, response) = self.send(method, arguments, body).await?;
        result::value(&self.describe(), &url, &response.body)
    }

    /// Sends and decodes `{"value": T}` or `{"value": {"value": T}}`.
    pub(crate) async fn send_for_value_or_nested<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        arguments: &str,
        body: Option<bytes::Bytes>,
    ) -> Result<T> {
        let (url, response) = self.send(method, arguments, body).await?;
        result::value_or_nested(&self.describe(), &url, &response.body)
    }

    /// Sends and decodes the body as `T` itself.
    pub(crate) async fn send_for_object<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        arguments: &str,
        body: Option<bytes::Bytes>,
    ) -> Result<T> {
        let (url, response) = self.send(method, arguments, body).await?;
        result::object(&self.describe(), &url, &response.body)
    }
}

/// Why `name` is not usable as one path segment, if it is not.
fn segment_problem(kind: &str, name: &str) -> Option<String> {
    crate::crud::check_segment(kind, name)
        .err()
        .map(|e| match e {
            Error::Config { message } => message,
            other => other.to_string(),
        })
}
