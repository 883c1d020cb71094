//! Sending a [`Batch`]: chunking, one `$batch` request per chunk, matching the answers, and
//! sending throttled operations again.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use url::Url;

use super::builder::Batch;
use super::chunk::chunks;
use super::encode::{Boundaries, Targets, encode};
use super::matching::{UnitClass, UnitOutcome, match_parts};
use super::operation::{Operation, Unit};
use super::parse::parse_batch;
use super::progress::{ChunkProgress, Observer};
use super::results::{BatchResults, Outcome};
use super::throttled_parts::plan;
use crate::client::Client;
use crate::error::BatchError;
use crate::error::{Error, Result};
use crate::transport::Request;
use crate::wire::{MULTIPART_MIXED, PREFER, PREFER_CONTINUE_ON_ERROR};

impl Batch {
    /// Sends the batch and returns every operation's outcome.
    ///
    /// Chunks of at most [`max_operations`](Self::max_operations) operations are sent one after
    /// the other. The service answers `200` even when operations fail, so this succeeds as soon
    /// as the answers could be read; check each slot with [`BatchResults::take`].
    ///
    /// Nothing is sent twice unless the service proved it did not process it. Units answered
    /// 429 (a read, or a change set whose only answers are 429s, with or without `Content-ID`)
    /// and, without [`continue_on_error`](Self::continue_on_error), the units after them that
    /// the service did not reach are sent again after the `Retry-After`, up to
    /// [`max_retries`](Self::max_retries) times; the client's throttle gate pauses its other
    /// requests meanwhile. With `continue_on_error`, a unit missing from the answer proves
    /// nothing (the service went on): it is [`BatchError::MissingResponse`] and never sent
    /// again. The `$batch` request itself is sent again by the client's retry policy only when
    /// it holds reads only, or when the service proves it did not process it (429, 503 with
    /// `Retry-After`, no connection).
    ///
    /// Set [`on_progress`](Self::on_progress) to learn each request's outcome as soon as it is
    /// known: if this future is dropped after some requests were answered, or a later request
    /// fails, the observer has already been told which operations committed.
    ///
    /// # Errors
    /// Before anything is sent: an operation that could not be built ([`Error::Config`],
    /// [`Error::Url`]), a change set larger than the operation cap. When the first request
    /// fails: its error ([`Error::Throttled`] after the retry budget, [`Error::Transport`],
    /// [`Error::Multipart`] for a malformed response, ...). A failure of a later request is
    /// reported per operation ([`BatchError::NoResponse`], or [`BatchError::NotExecuted`] when
    /// the service refused it with 429) so that the answers already received are kept.
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
            mut observer,
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
        // Why later requests are not sent (an earlier failure, continue-on-error off).
        let mut stop: Option<String> = None;
        while !pending.is_empty() {
            let mut next_round: Vec<usize> = Vec::new();
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
                    Err(error) => {
                        // A 429 for the whole request proves that the service processed none
                        // of it; any other failure leaves that open.
                        let refused = error.status() == Some(429);
                        for &unit in &chunk {
                            for &slot in units[unit].slots() {
                                outcomes[slot] = Outcome::Failed(if refused {
                                    BatchError::NotExecuted {
                                        operation: ops[slot].describe(),
                                        reason: format!(
                                            "the $batch request carrying it was refused: {error}"
                                        ),
                                    }
                                } else {
                                    BatchError::NoResponse {
                                        operation: ops[slot].describe(),
                                        reason: error.to_string(),
                                    }
                                });
                            }
                        }
                        report(
                            &mut observer,
                            trip,
                            &units,
                            &chunk,
                            &outcomes,
                            Some(error.to_string()),
                        );
                        if trip == 0 {
                            return Err(error);
                        }
                        stop = Some(format!("an earlier $batch request failed: {error}"));
                        continue;
                    }
                };
                let retry = plan(&chunk, &unit_outcomes);
                let mut waits = false;
                for unit in unit_outcomes {
                    if matches!(unit.class, UnitClass::Failed | UnitClass::Unknown)
                        && !continue_on_error
                    {
                        stop.get_or_insert_with(|| {
                            "an earlier operation failed (continue_on_error is off)".to_owned()
                        });
                    }
                    if let Some(headers) = &unit.throttling
                        && retries_left > 0
                    {
                        // Closes the client's gate; zero when its retries are off.
                        let wait = client.transport().report_throttling(headers);
                        waits |= !wait.is_zero();
                    }
                    let reached = !matches!(unit.class, UnitClass::NotRun);
                    for (slot, outcome) in unit.outcomes {
                        if reached {
                            carried_by[slot] = Some(trip);
                        }
                        outcomes[slot] = outcome;
                    }
                }
                report(&mut observer, trip, &units, &chunk, &outcomes, None);
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
            retries_left = retries_left.saturating_sub(1);
            next_round.sort_unstable();
            pending = next_round;
            client.transport().wait_for_gate().await;
        }
        Ok(BatchResults {
            batch: id,
            root: client.service_root().clone(),
            ops,
            outcomes,
            carried_by,
            round_trips,
        })
    }
}

/// Tells the observer, if any, where the operations of `chunk` stand after request `trip`.
fn report(
    observer: &mut Option<Observer>,
    trip: usize,
    units: &[Unit],
    chunk: &[usize],
    outcomes: &[Outcome],
    failure: Option<String>,
) {
    let Some(Observer(observe)) = observer else {
        return;
    };
    let operations = chunk
        .iter()
        .flat_map(|&u| units[u].slots())
        .map(|&slot| (slot + 1, outcomes[slot].status()))
        .collect();
    observe(&ChunkProgress {
        round_trip: trip,
        operations,
        failure,
    });
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
            .filter_map(|&s| self.ops[s].request.body.as_deref());
        let boundaries = Boundaries::random(bodies);
        let body = encode(self.ops, &units, &boundaries, self.targets);
        let content_type = HeaderValue::from_str(&boundaries.content_type())
            .map_err(|e| Error::config(format!("$batch content type: {e}")))?;
        // A batch of reads can be sent twice; one with a write (in a change set or on its own)
        // only when the service proves it did not process it.
        let writes = units
            .iter()
            .flat_map(|u| u.slots())
            .any(|&s| self.ops[s].writes());
        let mut request = Request::new(Method::POST, self.url.clone())
            .header(ACCEPT, HeaderValue::from_static(MULTIPART_MIXED))
            .header(CONTENT_TYPE, content_type)
            .idempotent(!writes);
        if self.continue_on_error {
            request = request.header(PREFER, HeaderValue::from_static(PREFER_CONTINUE_ON_ERROR));
        }
        request.body = Some(Bytes::from(body));
        let response = self.client.transport().send(request).await?;
        let content_type = response
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let url = self.url.as_str();
        let parsed = parse_batch(content_type, &response.body).map_err(|f| f.into_error(url))?;
        match_parts(self.ops, &units, parsed, self.continue_on_error, url)
            .map_err(|f| f.into_error(url))
    }
}
