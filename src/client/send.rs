//! Sending one [`Prepared`] request through the client's transport, and decoding its answer.

use url::Url;

use super::Client;
use crate::error::Result;
use crate::transport::Response;
use crate::wire::{Answer, Decode, Prepared};

/// A single call that was answered with success.
pub(crate) struct Sent {
    /// The URL the request went to.
    pub(crate) url: Url,
    /// What the request was about ([`Prepared::what`]).
    pub(crate) what: String,
    pub(crate) response: Response,
}

impl Sent {
    /// The answer as decoders read it.
    pub(crate) fn answer<'a>(&'a self, root: &'a Url) -> Answer<'a> {
        Answer {
            root,
            url: &self.url,
            what: &self.what,
            status: self.response.status,
            headers: &self.response.headers,
            body: &self.response.body,
        }
    }
}

impl Client {
    /// Sends `prepared` alone, through the transport (authorization, limits, retries).
    ///
    /// # Errors
    /// Any [`Error`](crate::Error) of the transport, the service's error status as its variant.
    pub(crate) async fn execute(&self, prepared: Prepared) -> Result<Sent> {
        let (request, what) = prepared.into_request(self.service_root())?;
        let url = request.url.clone();
        let response = self.transport().send(request).await?;
        Ok(Sent {
            url,
            what,
            response,
        })
    }

    /// Sends `prepared` alone and decodes the answer with `decode`, the decoder the same
    /// request uses inside a `$batch`.
    ///
    /// # Errors
    /// As [`execute`](Self::execute), and the decoder's error.
    pub(crate) async fn call<T>(&self, prepared: Prepared, decode: Decode<T>) -> Result<T> {
        let sent = self.execute(prepared).await?;
        decode(&sent.answer(self.service_root()))
    }
}
