//! [`Target`]: what an operation is bound to, and the one request that invokes it.

use bytes::Bytes;
use reqwest::Method;
use url::Url;

use crate::client::Client;
use crate::edm::write_percent_encoded_path_segment;
use crate::error::{Error, Result};
use crate::wire::{Prepared, check_segment};

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

    /// The request invoking the operation: `method` to the operation segment `Name` followed by
    /// `arguments` (unencoded, e.g. `(p='x')` for a function, empty for an action), with a JSON
    /// body when there is one.
    pub(crate) fn prepare(
        &self,
        method: Method,
        arguments: &str,
        body: Option<Bytes>,
    ) -> Result<Prepared> {
        if let Some(problem) = &self.invalid {
            return Err(Error::config(problem));
        }
        let mut segment = String::with_capacity(self.name.len() + arguments.len());
        segment.push_str(&self.name);
        segment.push_str(arguments);
        let mut path = self.prefix.clone();
        write_percent_encoded_path_segment(&segment, &mut path);
        let request = Prepared::new(method, path, self.describe())
            .cross_company(self.cross_company)
            .accept_json();
        Ok(match body {
            Some(body) => request.json_body(body),
            None => request,
        })
    }

    /// The URL of [`prepare`](Self::prepare).
    pub(crate) fn url(&self, arguments: &str) -> Result<Url> {
        self.prepare(Method::GET, arguments, None)?
            .url(self.client.service_root())
    }

    /// The client that sends the operation.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }
}

/// Why `name` is not usable as one path segment, if it is not.
fn segment_problem(kind: &str, name: &str) -> Option<String> {
    check_segment(kind, name).err().map(|e| match e {
        Error::Config { message } => message,
        other => other.to_string(),
    })
}
