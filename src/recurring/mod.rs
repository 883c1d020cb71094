//! Recurring integrations REST API (`/api/connector`): enqueue, dequeue, acknowledge, status.
//!
//! A *recurring data job* in F&O (Data management, "Create recurring data job") has an activity
//! id (a GUID). Imports push files or data packages to its queue ([`RecurringJob::enqueue`]) and
//! F&O processes them on its own schedule; [`RecurringJob::wait_for_status`] polls
//! `GetMessageStatus` until the message is processed. Exports are taken from the queue
//! ([`RecurringJob::dequeue`]), downloaded ([`RecurringJob::download_to_file`]) and acknowledged
//! ([`RecurringJob::ack`]); an unacknowledged message is handed out again after 30 minutes.
//!
//! Requests go to `https://<environment>/api/connector/...` with the client's authorization,
//! limits and retry policy. A `DownloadLocation` is only followed on the environment's own host.
//!
//! ```no_run
//! # async fn run(client: d365fo_odata::Client) -> d365fo_odata::Result<()> {
//! use d365fo_odata::PollPolicy;
//!
//! let import = client.recurring_job("{6D31E09F-0249-459F-94F0-AAD9C2C47B64}")?;
//! let id = import
//!     .enqueue(std::fs::read("customer-groups.csv").expect("file"))
//!     .entity("Customer groups")
//!     .send()
//!     .await?;
//! let status = import.wait_for_status(&id, PollPolicy::default()).await?;
//! assert!(!status.is_failure(), "{id}: {status}");
//!
//! let export = client.recurring_job("{C03BB937-09ED-46DE-86EE-4520D7D7E373}")?;
//! while let Some(message) = export.dequeue().await? {
//!     let path = format!("export-{}.zip", message.correlation_id);
//!     export.download_to_file(&message, &path).await?;
//!     export.ack(&message).await?;
//! }
//! # Ok(()) }
//! ```

mod download;
mod location;
mod message;
mod status;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};

use crate::client::Client;
use crate::edm::Guid;
use crate::error::{Error, Result};
use crate::transport::Request;

// Shared with the rest of the crate and documented once, at `crate::policy`.
#[doc(no_inline)]
pub use crate::policy::PollPolicy;
pub use message::{DequeuedMessage, MessageId, MessageStatus};

/// One recurring data job of the environment, addressed by its activity id; made by
/// [`Client::recurring_job`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct RecurringJob {
    client: Client,
    activity_id: Guid,
}

impl Client {
    /// The recurring data job with `activity_id` (the GUID from *Manage scheduled data jobs*,
    /// with or without braces, also `%7B…%7D`).
    ///
    /// # Errors
    /// [`Error::Config`] when `activity_id` is not a GUID.
    pub fn recurring_job(&self, activity_id: &str) -> Result<RecurringJob> {
        Ok(RecurringJob {
            client: self.clone(),
            activity_id: location::parse_activity_id(activity_id)?,
        })
    }
}

impl RecurringJob {
    /// The job's activity id.
    pub fn activity_id(&self) -> Guid {
        self.activity_id
    }

    /// Starts an enqueue of `body` (a file in the job's format, or a data package zip) to the
    /// job's queue: `POST /api/connector/enqueue/{activity id}`.
    pub fn enqueue(&self, body: impl Into<Bytes>) -> EnqueueRequest {
        EnqueueRequest {
            job: self.clone(),
            body: body.into(),
            entity: None,
            company: None,
            content_type: None,
            external_id: None,
        }
    }

    /// Takes the next exported message from the job's queue: `GET /api/connector/dequeue/…`.
    /// `None` when the queue is empty (F&O answers with an empty body).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Auth`] or [`Error::Service`] as the service answers (an
    /// unknown activity id, an application not authorized for the job), [`Error::Decode`] when
    /// the body is not a dequeue response.
    pub async fn dequeue(&self) -> Result<Option<DequeuedMessage>> {
        let url = self.url("dequeue", &[]);
        let request = Request::new(Method::GET, url.clone());
        let response = self.client.transport().send(request).await?;
        DequeuedMessage::from_response(response.body, url.as_str())
    }

    /// Acknowledges a dequeued message as received, so that it is not handed out again:
    /// `POST /api/connector/ack/…` with the dequeue response as body.
    ///
    /// # Errors
    /// As the service answers ([`Error::Service`] and others).
    pub async fn ack(&self, message: &DequeuedMessage) -> Result<()> {
        let request = Request::new(Method::POST, self.url("ack", &[]))
            .body("application/json", message.body_bytes())
            // Acknowledging twice is as good as once.
            .idempotent(true);
        self.client.transport().send(request).await.map(drop)
    }

    fn url(&self, operation: &str, query: &[(&str, &str)]) -> url::Url {
        location::connector_url(
            self.client.service_root(),
            operation,
            self.activity_id,
            query,
        )
    }
}

/// An enqueue of a file or package; made by [`RecurringJob::enqueue`], sent with
/// [`send`](Self::send).
#[derive(Debug)]
#[must_use = "an enqueue does nothing until it is sent"]
pub struct EnqueueRequest {
    job: RecurringJob,
    body: Bytes,
    entity: Option<String>,
    company: Option<String>,
    content_type: Option<String>,
    external_id: Option<String>,
}

impl EnqueueRequest {
    /// The entity the file is for, by its name in the data project (e.g. `Customer groups`);
    /// required by jobs that take files, not by jobs that take data packages.
    pub fn entity(mut self, name: impl Into<String>) -> Self {
        self.entity = Some(name.into());
        self
    }

    /// The legal entity to import into (`company=`), when not the job's default.
    pub fn company(mut self, company: impl Into<String>) -> Self {
        self.company = Some(company.into());
        self
    }

    /// The body's content type; default `application/zip` when no entity is set (a package),
    /// `application/octet-stream` otherwise.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// An id of the caller's own for the message, sent as `x-ms-dyn-externalidentifier` (shown
    /// with the message in F&O).
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// Enqueues the body and returns the id F&O gave the message.
    ///
    /// Not retried once the request may have reached the service (it would enqueue twice);
    /// throttling and connection failures before sending are retried as the client's policy
    /// says.
    ///
    /// # Errors
    /// [`Error::Config`] for a content type or external id that is not a valid header value;
    /// [`Error::NotFound`], [`Error::Auth`], [`Error::Service`] as the service answers (an
    /// unknown activity id, a missing entity name); [`Error::Decode`] when the answer holds no
    /// message id.
    pub async fn send(self) -> Result<MessageId> {
        let mut query = Vec::new();
        if let Some(entity) = &self.entity {
            query.push(("entity", entity.as_str()));
        }
        if let Some(company) = &self.company {
            query.push(("company", company.as_str()));
        }
        let url = self.job.url("enqueue", &query);
        let content_type = match (&self.content_type, &self.entity) {
            (Some(c), _) => c.as_str(),
            (None, None) => "application/zip",
            (None, Some(_)) => "application/octet-stream",
        };
        let header = |name: &str, value: &str| {
            HeaderValue::from_str(value)
                .map_err(|e| Error::config(format!("{name} {value:?} for enqueue to {url}: {e}")))
        };
        let mut request = Request::new(Method::POST, url.clone())
            .header(CONTENT_TYPE, header("content type", content_type)?);
        request.body = Some(self.body);
        if let Some(id) = &self.external_id {
            request = request.header(
                HeaderName::from_static("x-ms-dyn-externalidentifier"),
                header("external id", id)?,
            );
        }
        let response = self.job.client.transport().send(request).await?;
        MessageId::from_enqueue_response(&response.body, url.as_str())
    }
}
