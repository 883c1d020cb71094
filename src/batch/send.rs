//! Sending a [`Batch`]: chunking, one `$batch` request per chunk, matching the answers, and
//! sending throttled operations again.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use url::Url;

use super::builder::Batch;
use super::chunk::chunks;
use super::encode::{Boundaries, Targets, encode};
use super::error::BatchError;
use super::matching::{UnitClass, UnitOutcome, match_parts};
use super::operation::{Operation, Unit};
use super::parse::parse_batch;
use super::results::{BatchResults, Outcome};
use super::retry::plan;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::Request;

/// The `Prefer` request header (RFC 7240).
const PREFER: HeaderName = HeaderName::from_static("prefer");

impl Batch {
    /// Sends the batch and returns every operation's outcome.
    ///
    /// Chunks of at most [`max_operations`](Self::max_operations) operations are sent one after
    /// the other. The service answers `200` even when operations fail, so this succeeds as soon
    /// as the answers could be read; check each slot with
    /// [`BatchResults::take`]. Operations answered 429 (and those the service did not reach) are
    /// sent again after their `Retry-After`, up to [`max_retries`](Self::max_retries) times; the
    /// client's throttle gate pauses its other requests meanwhile. The `$batch` request itself is
    /// retried by the client's retry policy only when the service proves it did not process it
    /// (429, 503), or when it holds reads only.
    ///
    /// # Errors
    /// Before anything is sent: an operation that could not be built ([`Error::Config`],
    /// [`Error::Url`]), a change set larger than the operation cap. When the first request
    /// fails: its error ([`Error::Throttled`] after the retry budget, [`Error::Transport`],
    /// [`Error::Multipart`] for a malformed response, ...). A failure of a later request is
    /// reported per operation ([`BatchError::NoResponse`]) so that the answers already received
    /// are kept.
    pub async fn send(self) -> Result<BatchResults> {
        if let Some(error) = self.invalid {
            return Err(error);
        }
        let Batch {
            client,
            id,
            ops,
            units,
            max_operations,
            continue_on_error,
            targets,
            max_retries,
            ..
        } = self;
        let units: Vec<Unit> = units.into_iter().filter(|u| u.len() > 0).collect();
        let mut pending: Vec<usize> = (0..units.len()).collect();
        chunks(&units, &pending, max_operations)?;
        let batch_url = client
            .service_root()
            .join("$batch")
            .map_err(|e| Error::url("$batch", e))?;
        let mut outcomes: Vec<Outcome> = ops
            .iter()
            .map(|op| {
                Outcome::Failed(BatchError::NotExecuted {
                    operation: op.describe(),
                    reason: "not sent".to_owned(),
                })
            })
            .collect();
        let mut carried_by = vec![None; ops.len()];
        let mut round_trips = 0;
        let mut retries_left = max_retries;
        let sender = Sender {
            client: &client,
            ops: &ops,
            units: &units,
            targets,
            continue_on_error,
            url: &batch_url,
        };
        while !pending.is_empty() {
            let mut next_round: Vec<usize> = Vec::new();
            let mut stop: Option<String> = None;
            let mut throttled = false;
            for chunk in chunks(&units, &pending, max_operations)? {
                if throttled {
                    next_round.extend(&chunk);
                    continue;
                }
                if let Some(reason) = &stop {
                    for &unit in &chunk {
                        for &slot in units[unit].slots() {
                            outcomes[slot] = Outcome::Failed(BatchError::NotExecuted {
                                operation: ops[slot].describe(),
                                reason: reason.clone(),
                            });
                        }
                    }
                    continue;
                }
                let trip = round_trips;
                round_trips += 1;
                let unit_outcomes = match sender.send(&chunk).await {
                    Ok(unit_outcomes) => unit_outcomes,
                    Err(error) if trip == 0 => return Err(error),
                    Err(error) => {
                        for &unit in &chunk {
                            for &slot in units[unit].slots() {
                                outcomes[slot] = Outcome::Failed(BatchError::NoResponse {
                                    operation: ops[slot].describe(),
                                    reason: error.to_string(),
                                });
                            }
                        }
                        stop = Some(format!("an earlier $batch request failed: {error}"));
                        continue;
                    }
                };
                let retry = plan(&chunk, &unit_outcomes);
                let mut waits = false;
                for unit in unit_outcomes {
                    if matches!(unit.class, UnitClass::Failed) && !continue_on_error {
                        stop.get_or_insert_with(|| {
                            "an earlier operation failed (continue_on_error is off)".to_owned()
                        });
                    }
                    let reached = !matches!(unit.class, UnitClass::NotRun);
                    for (slot, outcome) in unit.outcomes {
                        if reached {
                            carried_by[slot] = Some(trip);
                        }
                        if let Outcome::Answered(part) = &outcome
                            && part.status.as_u16() == 429
                            && retries_left > 0
                        {
                            // Closes the client's gate; zero when its retries are off.
                            let wait = client.transport().report_throttling(&part.headers);
                            waits |= !wait.is_zero();
                        }
                        outcomes[slot] = outcome;
                    }
                }
                if let Some(retry) = retry
                    && waits
                {
                    throttled = true;
                    next_round.extend(retry.resend);
                }
            }
            if next_round.is_empty() {
                break;
            }
            retries_left -= 1;
            next_round.sort_unstable();
            pending = next_round;
            client.transport().wait_for_gate().await;
        }
        Ok(BatchResults {
            batch: id,
            ops,
            outcomes,
            carried_by,
            round_trips,
        })
    }
}

/// What every `$batch` request of one send shares.
struct Sender<'a> {
    client: &'a Client,
    ops: &'a [Operation],
    units: &'a [Unit],
    targets: Targets,
    continue_on_error: bool,
    url: &'a Url,
}

impl Sender<'_> {
    /// Sends the units `chunk` as one `$batch` request and matches the answers to them.
    async fn send(&self, chunk: &[usize]) -> Result<Vec<UnitOutcome>> {
        let units: Vec<&Unit> = chunk.iter().map(|&u| &self.units[u]).collect();
        let bodies = units
            .iter()
            .flat_map(|u| u.slots())
            .filter_map(|&s| self.ops[s].body.as_deref());
        let boundaries = Boundaries::random(bodies);
        let body = encode(self.ops, &units, &boundaries, self.targets);
        let content_type = HeaderValue::from_str(&boundaries.content_type())
            .map_err(|e| Error::config(format!("$batch content type: {e}")))?;
        // A batch of reads can be sent twice; one with a change set only when the service
        // proves it did not process it.
        let writes = units.iter().any(|u| matches!(u, Unit::ChangeSet(_)));
        let mut request = Request::new(Method::POST, self.url.clone())
            .header(ACCEPT, HeaderValue::from_static("multipart/mixed"))
            .header(CONTENT_TYPE, content_type)
            .idempotent(!writes);
        if self.continue_on_error {
            request = request.header(PREFER, HeaderValue::from_static("odata.continue-on-error"));
        }
        request.body = Some(Bytes::from(body));
        let response = self.client.transport().send(request).await?;
        let content_type = response
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let url = self.url.as_str();
        let parts = parse_batch(content_type, &response.body).map_err(|f| f.into_error(url))?;
        match_parts(self.ops, &units, parts, response.body.len(), url)
            .map_err(|f| f.into_error(url))
    }
}
