//! Reading response bodies with a limit, so that no answer can make the client hold more memory
//! than it was configured for.
//!
//! - A success body ([`read_limited`]) is read up to the client's maximum response size
//!   ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)); a body
//!   that declares more in `Content-Length` is refused before a byte is read, one that sends more
//!   is refused as soon as it passes the limit. Either way the connection is dropped, not drained.
//! - An error body ([`read_error_body`]) is only ever needed for its message: at most
//!   [`MAX_ERROR_BODY`] bytes are read, the rest is left unread and the cut is reported.
//!
//! The pieces are kept as they arrive and joined once at the end, so an endless body costs at
//! most the limit (not the doubling of a growing buffer) before it is refused.

use bytes::{Bytes, BytesMut};
use reqwest::header::CONTENT_LENGTH;

/// Most bytes of an error body that are read (256 KiB): plenty for an OData error with a long
/// Infolog, little enough that a hostile or broken server cannot fill memory or logs with it.
pub(crate) const MAX_ERROR_BODY: usize = 256 * 1024;

/// Why a body could not be read whole.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body is larger than the limit: it said so in `Content-Length` (`declared`), or it
    /// sent more than `limit` bytes (`declared` is `None` or a lie).
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// The length the response declared, if any.
        declared: Option<u64>,
    },
    /// The connection failed while the body was read.
    Transport(reqwest::Error),
}

/// The length a response declares in `Content-Length`, when readable.
pub(crate) fn declared_length(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// Reads the whole body of `response`, refusing one of more than `limit` bytes.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Bytes, BodyError> {
    let declared = declared_length(&response);
    if declared.is_some_and(|length| length > limit) {
        return Err(BodyError::TooLarge { limit, declared });
    }
    let mut pieces: Vec<Bytes> = Vec::new();
    let mut received: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        received = received.saturating_add(chunk.len() as u64);
        if received > limit {
            return Err(BodyError::TooLarge { limit, declared });
        }
        if !chunk.is_empty() {
            pieces.push(chunk);
        }
    }
    Ok(join(pieces, received))
}

/// An error body read up to [`MAX_ERROR_BODY`] bytes.
#[derive(Debug)]
pub(crate) struct ErrorBody {
    /// The bytes read (at most [`MAX_ERROR_BODY`]).
    pub(crate) bytes: Bytes,
    /// Whether the body went on beyond what was read.
    pub(crate) truncated: bool,
}

/// Reads at most [`MAX_ERROR_BODY`] bytes of an error response's body; the rest stays unread.
pub(crate) async fn read_error_body(
    response: reqwest::Response,
) -> Result<ErrorBody, reqwest::Error> {
    read_capped(response, MAX_ERROR_BODY).await
}

/// Reads at most `cap` bytes of `response`'s body.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<ErrorBody, reqwest::Error> {
    let declared = declared_length(&response);
    let mut pieces: Vec<Bytes> = Vec::new();
    let mut received: usize = 0;
    let mut truncated = declared.is_some_and(|length| length > cap as u64);
    while received < cap {
        let Some(mut chunk) = response.chunk().await? else {
            break;
        };
        let room = cap - received;
        if chunk.len() > room {
            chunk.truncate(room);
            truncated = true;
        }
        received += chunk.len();
        pieces.push(chunk);
    }
    Ok(ErrorBody {
        bytes: join(pieces, received as u64),
        truncated,
    })
}

/// The pieces as one buffer; a single piece is passed on without copying.
fn join(mut pieces: Vec<Bytes>, total: u64) -> Bytes {
    match pieces.len() {
        0 => Bytes::new(),
        1 => pieces.pop().unwrap_or_default(),
        _ => {
            let mut whole = BytesMut::with_capacity(usize::try_from(total).unwrap_or(0));
            for piece in pieces {
                whole.extend_from_slice(&piece);
            }
            whole.freeze()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_order_and_skips_copies_for_one_piece() {
        let one = Bytes::from_static(b"abc");
        assert_eq!(join(vec![one.clone()], 3).as_ptr(), one.as_ptr());
        let joined = join(
            vec![Bytes::from_static(b"ab"), Bytes::from_static(b"cd")],
            4,
        );
        assert_eq!(&joined[..], b"abcd");
        assert!(join(Vec::new(), 0).is_empty());
    }
}
