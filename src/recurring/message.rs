//! What the connector endpoints answer: message ids, dequeued messages, message statuses.

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use serde::Deserialize;

use crate::error::{Error, Result};

/// The id F&O gives an enqueued file or package (`{GUID}` text), used to ask for its status
/// with [`RecurringJob::message_status`](super::RecurringJob::message_status).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

impl MessageId {
    /// A message id as F&O wrote it (e.g. from a log or the *Manage messages* page).
    pub fn new(id: impl Into<String>) -> Self {
        MessageId(id.into())
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads the body of an enqueue response: the id as plain text or as a JSON string.
    pub(crate) fn from_enqueue_response(body: &[u8], url: &str) -> Result<Self> {
        let empty = || Error::Decode {
            what: "message id of the enqueue response".to_owned(),
            url: url.to_owned(),
            line: 1,
            column: 1,
            message: "the body is empty; expected the id of the enqueued message".to_owned(),
        };
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        let id = if text.starts_with('"') {
            serde_json::from_str::<String>(text)
                .map_err(|e| Error::decode("message id of the enqueue response", url, &e))?
        } else {
            text.to_owned()
        };
        if id.trim().is_empty() {
            return Err(empty());
        }
        if id.len() > MAX_MESSAGE_ID {
            return Err(Error::Decode {
                what: "message id of the enqueue response".to_owned(),
                url: url.to_owned(),
                line: 1,
                column: 1,
                message: format!(
                    "the answer is {} bytes long, not a message id (at most {MAX_MESSAGE_ID})",
                    id.len()
                ),
            });
        }
        Ok(MessageId(id))
    }
}

/// Longest message id accepted from an enqueue response (F&O sends a GUID, 36 to 38 characters):
/// a longer answer is not an id, and would otherwise be kept and shown whole.
const MAX_MESSAGE_ID: usize = 256;

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The processing state of a recurring integration message, as `GetMessageStatus` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageStatus {
    /// The file is in the job's queue (blob storage).
    Enqueued,
    /// An exported file was handed out by `dequeue`.
    Dequeued,
    /// An exported file was acknowledged as downloaded.
    Acked,
    /// The import or export is being prepared.
    Preprocessing,
    /// The import or export is running.
    Processing,
    /// The import or export completed successfully.
    Processed,
    /// The import or export failed while being prepared.
    PreProcessingError,
    /// The import or export completed with errors.
    ProcessedWithErrors,
    /// The import or export failed after processing.
    PostProcessingFailed,
    /// A status this crate does not know, as sent.
    Unknown(String),
}

impl MessageStatus {
    /// Whether the message will not change state any more on its own: processed (with or
    /// without errors), failed, or an export that was acknowledged.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            MessageStatus::Processed
                | MessageStatus::PreProcessingError
                | MessageStatus::ProcessedWithErrors
                | MessageStatus::PostProcessingFailed
                | MessageStatus::Acked
        )
    }

    /// Whether the message failed: [`PreProcessingError`](Self::PreProcessingError),
    /// [`ProcessedWithErrors`](Self::ProcessedWithErrors) or
    /// [`PostProcessingFailed`](Self::PostProcessingFailed).
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            MessageStatus::PreProcessingError
                | MessageStatus::ProcessedWithErrors
                | MessageStatus::PostProcessingFailed
        )
    }

    /// The status as F&O writes it.
    pub fn as_str(&self) -> &str {
        match self {
            MessageStatus::Enqueued => "Enqueued",
            MessageStatus::Dequeued => "Dequeued",
            MessageStatus::Acked => "Acked",
            MessageStatus::Preprocessing => "Preprocessing",
            MessageStatus::Processing => "Processing",
            MessageStatus::Processed => "Processed",
            MessageStatus::PreProcessingError => "PreProcessingError",
            MessageStatus::ProcessedWithErrors => "ProcessedWithErrors",
            MessageStatus::PostProcessingFailed => "PostProcessingFailed",
            MessageStatus::Unknown(other) => other,
        }
    }
}

impl FromStr for MessageStatus {
    type Err = std::convert::Infallible;

    /// Never fails: an unknown name becomes [`MessageStatus::Unknown`].
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s {
            "Enqueued" => MessageStatus::Enqueued,
            "Dequeued" => MessageStatus::Dequeued,
            "Acked" => MessageStatus::Acked,
            "Preprocessing" => MessageStatus::Preprocessing,
            "Processing" => MessageStatus::Processing,
            "Processed" => MessageStatus::Processed,
            "PreProcessingError" => MessageStatus::PreProcessingError,
            "ProcessedWithErrors" => MessageStatus::ProcessedWithErrors,
            "PostProcessingFailed" => MessageStatus::PostProcessingFailed,
            other => MessageStatus::Unknown(other.to_owned()),
        })
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An exported file handed out by [`RecurringJob::dequeue`](super::RecurringJob::dequeue):
/// where to download it, and what to send back to acknowledge it.
///
/// Until it is acknowledged ([`RecurringJob::ack`](super::RecurringJob::ack)), F&O hands the
/// same message out again (every 30 minutes).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DequeuedMessage {
    /// `CorrelationId`: the message's id in the queue.
    pub correlation_id: String,
    /// `PopReceipt`: the receipt of this dequeue.
    pub pop_receipt: String,
    /// `DownloadLocation` as sent (it may say `http://`; the download uses https unless the
    /// client talks plain http to a loopback host).
    pub download_location: String,
    /// `IsDownLoadFileExist`: whether a file was uploaded for the message.
    pub has_file: bool,
    /// `FileDownLoadErrorMessage`: why there is no file, when there is none.
    pub file_error_message: String,
    /// The dequeue response body exactly as received, sent back by `ack`.
    body: Bytes,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "CorrelationId")]
    correlation_id: String,
    #[serde(rename = "PopReceipt", default)]
    pop_receipt: String,
    #[serde(rename = "DownloadLocation", default)]
    download_location: String,
    #[serde(rename = "IsDownLoadFileExist", default)]
    has_file: bool,
    #[serde(rename = "FileDownLoadErrorMessage", default)]
    file_error_message: Option<String>,
}

impl DequeuedMessage {
    /// Reads a dequeue response body; `None` when the queue had nothing (an empty body).
    pub(crate) fn from_response(body: Bytes, url: &str) -> Result<Option<Self>> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let wire: Wire = serde_json::from_slice(&body)
            .map_err(|e| Error::decode("dequeue response", url, &e))?;
        Ok(Some(DequeuedMessage {
            correlation_id: wire.correlation_id,
            pop_receipt: wire.pop_receipt,
            download_location: wire.download_location,
            has_file: wire.has_file,
            file_error_message: wire.file_error_message.unwrap_or_default(),
            body,
        }))
    }

    /// The dequeue response body as received (other fields F&O sends, such as the time of an
    /// earlier dequeue, can be read from it).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub(crate) fn body_bytes(&self) -> Bytes {
        self.body.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_read_as_text_or_json_strings() {
        for body in [
            &b"{4E0C8F3A-7D21-4B6C-9E55-1A2B3C4D5E6F}"[..],
            b" {4E0C8F3A-7D21-4B6C-9E55-1A2B3C4D5E6F}\r\n",
            b"\"{4E0C8F3A-7D21-4B6C-9E55-1A2B3C4D5E6F}\"",
        ] {
            let id = MessageId::from_enqueue_response(body, "u").unwrap();
            assert_eq!(id.as_str(), "{4E0C8F3A-7D21-4B6C-9E55-1A2B3C4D5E6F}");
        }
        for body in [&b""[..], b"  \n", b"\"\""] {
            let e = MessageId::from_enqueue_response(body, "https://x/api").unwrap_err();
            assert!(e.to_string().contains("https://x/api"), "{e}");
        }
    }

    #[test]
    fn an_answer_far_longer_than_an_id_is_refused() {
        let page = "<html>".repeat(10_000);
        let e = MessageId::from_enqueue_response(page.as_bytes(), "https://x/api").unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        assert!(e.to_string().contains("60000 bytes long"), "{e}");
        assert!(e.to_string().len() < 1024, "{e}");
    }

    #[test]
    fn statuses_parse_and_classify() {
        let all = [
            "Enqueued",
            "Dequeued",
            "Acked",
            "Preprocessing",
            "Processing",
            "Processed",
            "PreProcessingError",
            "ProcessedWithErrors",
            "PostProcessingFailed",
        ];
        for name in all {
            let s: MessageStatus = name.parse().unwrap();
            assert!(!matches!(s, MessageStatus::Unknown(_)), "{name}");
            assert_eq!(s.to_string(), name);
        }
        let unknown: MessageStatus = "Archived".parse().unwrap();
        assert_eq!(unknown, MessageStatus::Unknown("Archived".into()));
        assert!(!unknown.is_final());
        assert!(MessageStatus::Processed.is_final() && !MessageStatus::Processed.is_failure());
        assert!(MessageStatus::ProcessedWithErrors.is_failure());
        assert!(!MessageStatus::Processing.is_final());
    }

    #[test]
    fn an_empty_dequeue_body_means_no_message() {
        assert!(
            DequeuedMessage::from_response(Bytes::new(), "u")
                .unwrap()
                .is_none()
        );
        assert!(
            DequeuedMessage::from_response(Bytes::from_static(b"\r\n"), "u")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_dequeue_body_is_read_and_kept_verbatim() {
        let body = Bytes::from_static(
            br#"{"CorrelationId":"8A9F7B1C-2D3E-4F50-8A9B-0C1D2E3F4A5B","PopReceipt":"AgAAAAMAAAAAAAAA","DownloadLocation":"http://env.cloudax.dynamics.com/api/connector/download/%7BC03BB937-09ED-46DE-86EE-4520D7D7E373%7D?correlation-id=8A9F7B1C-2D3E-4F50-8A9B-0C1D2E3F4A5B&blob=8A9F7B1C","IsDownLoadFileExist":true,"FileDownLoadErrorMessage":""}"#,
        );
        let m = DequeuedMessage::from_response(body.clone(), "u")
            .unwrap()
            .unwrap();
        assert_eq!(m.correlation_id, "8A9F7B1C-2D3E-4F50-8A9B-0C1D2E3F4A5B");
        assert_eq!(m.pop_receipt, "AgAAAAMAAAAAAAAA");
        assert!(m.has_file);
        assert!(m.download_location.starts_with("http://env."));
        assert_eq!(m.body(), &body[..]);
        let e = DequeuedMessage::from_response(Bytes::from_static(b"<html>"), "u").unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    }
}
