//! What the client does when the service throttles (HTTP 429), and how to keep it from being
//! throttled in the first place with client-side limits.
//!
//! ```text
//! cargo run --example throttling
//! ```
//!
//! F&O's service protection answers 429 with a `Retry-After` header when a user sends too much.
//! The local sandbox does not throttle by itself, so with no `D365FO_URL` set this example starts
//! it and installs fault rules ("answer the next N requests with 429, Retry-After: 1") to show:
//!
//! 1. **retries**: a read throttled twice is sent again after each `Retry-After` and succeeds;
//!    a second read that was never throttled itself waits too, since one 429 pauses every
//!    request of the client (F&O counts its limits per user, not per request);
//! 2. **giving up**: when the attempts of the [`RetryPolicy`] are spent, the read fails with
//!    [`Error::Throttled`] (attempts made, time waited, the server's `Retry-After`); with
//!    [`RetryPolicy::none`] a 429 is returned at once;
//! 3. **a rate limit** ([`RateLimit`]): a burst of reads is spread out to the configured rate;
//! 4. **a concurrency limit**: with every response slowed down by a fault rule, reads beyond the
//!    limit wait for a free slot.
//!
//! Against a real environment (nothing is throttled on purpose there) it only runs a modest burst
//! of reads with a rate and a concurrency limit on, and reports the rate achieved:
//!
//! - `D365FO_URL`: the environment URL, e.g. `https://contoso.sandbox.operations.dynamics.com`
//! - `D365FO_TOKEN`: an access token for it (or `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//!   `AZURE_CLIENT_SECRET` of an app registration)
//!
//! It prints the time each step took and the fields of the typed errors. It takes about 8 s.
#![allow(clippy::print_stdout)]

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use d365fo_odata::{Client, Error, RateLimit, RetryPolicy};
use d365fo_sandbox::{Fault, Sandbox};
use d365fo_sandbox_bindings::{CustomerGroup, CustomerV3};
use futures::future::try_join_all;

mod common;

/// Attempts per request of the example's main client, the first one included.
const ATTEMPTS: u32 = 3;

#[tokio::main]
async fn main() -> Result<(), Box<dyn StdError>> {
    let policy = RetryPolicy::standard()
        .max_attempts(ATTEMPTS)
        .max_elapsed(Duration::from_secs(10));
    let connection = common::connect_with(|builder| builder.retry_policy(policy))?;

    let Some(sandbox) = &connection.sandbox else {
        println!("real environment: only a burst of reads with client-side limits");
        let limited = connection.client_with(|builder| {
            builder
                .rate_limit(RateLimit::per_second(5).burst(2))
                .concurrency_limit(Some(2))
        })?;
        let (reads, elapsed) = burst(&limited, 10).await?;
        println!(
            "{reads} reads at most 5/s, 2 at a time: {elapsed:.2?} ({:.1} reads/s)",
            reads as f64 / elapsed.as_secs_f64()
        );
        return Ok(());
    };

    retried_until_it_succeeds(&connection.client, sandbox).await?;
    gives_up_with_a_typed_error(&connection, sandbox).await?;
    rate_limited_burst(&connection).await?;
    concurrency_limited_burst(&connection, sandbox).await?;
    Ok(())
}

/// Step 1: two 429s, then success; a read sent meanwhile waits at the client's shared gate.
async fn retried_until_it_succeeds(
    client: &Client,
    sandbox: &Sandbox,
) -> Result<(), Box<dyn StdError>> {
    sandbox.add_fault(
        &Fault::throttle("1")
            .times(2)
            .path_contains("CustomerGroups"),
    )?;
    println!("\n1. the next 2 reads of CustomerGroups get 429 with Retry-After: 1");
    let started = Instant::now();
    let throttled = tokio::spawn(read_one_group(client.clone()));
    // Give the first 429 time to arrive, then read something that is not throttled.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bystander = tokio::spawn(read_one_customer(client.clone()));
    let bystander_took = bystander.await??;
    let throttled_took = throttled.await??;
    println!(
        "   CustomerGroups read succeeded after {throttled_took:.2?} (3 attempts, 2 waits of 1 s)"
    );
    // On a busy machine the first 429 may arrive after the second read was sent; say which.
    if bystander_took >= Duration::from_millis(500) {
        println!(
            "   a CustomersV3 read sent 300 ms in, never throttled itself, took \
             {bystander_took:.2?}: it waited for the client's shared pause"
        );
    } else {
        println!(
            "   a CustomersV3 read sent 300 ms in took {bystander_took:.2?}: it went out before \
             the first 429 arrived, so it did not wait"
        );
    }
    if throttled_took < Duration::from_secs(2) {
        return Err(format!(
            "the throttled read did not wait out Retry-After twice ({throttled_took:?})"
        )
        .into());
    }
    println!("   both done {:.2?} after the start", started.elapsed());
    Ok(())
}

/// Step 2: more 429s than attempts, then a client that does not retry at all.
async fn gives_up_with_a_typed_error(
    connection: &common::Connection,
    sandbox: &Sandbox,
) -> Result<(), Box<dyn StdError>> {
    sandbox.add_fault(
        &Fault::throttle("1")
            .times(ATTEMPTS)
            .path_contains("CustomerGroups"),
    )?;
    println!(
        "\n2. the next {ATTEMPTS} reads of CustomerGroups get 429: more than the policy allows"
    );
    let error = expect_throttled(read_one_group(connection.client.clone()).await)?;
    show_throttled(&error);

    let no_retries = connection.client_with(|builder| builder.retry_policy(RetryPolicy::none()))?;
    sandbox.add_fault(&Fault::throttle("30").path_contains("CustomerGroups"))?;
    println!("   with RetryPolicy::none(), a 429 with Retry-After: 30 comes back at once:");
    let error = expect_throttled(read_one_group(no_retries).await)?;
    show_throttled(&error);
    Ok(())
}

/// Step 3: a burst of reads through a client that starts at most 20 per second.
async fn rate_limited_burst(connection: &common::Connection) -> Result<(), Box<dyn StdError>> {
    let limited =
        connection.client_with(|builder| builder.rate_limit(RateLimit::per_second(20).burst(5)))?;
    let (reads, elapsed) = burst(&limited, 15).await?;
    println!(
        "\n3. {reads} reads at most 20/s (burst 5): {elapsed:.2?}, {:.1} reads/s",
        reads as f64 / elapsed.as_secs_f64()
    );
    // 5 at once, then the other 10 spaced 50 ms apart.
    if elapsed < Duration::from_millis(450) {
        return Err(format!("the rate limit did not space the reads ({elapsed:?})").into());
    }
    Ok(())
}

/// Step 4: slow responses and a concurrency limit of 4: reads run in waves.
async fn concurrency_limited_burst(
    connection: &common::Connection,
    sandbox: &Sandbox,
) -> Result<(), Box<dyn StdError>> {
    const READS: usize = 8;
    const SLOW: Duration = Duration::from_millis(250);
    sandbox.add_fault(
        &Fault::slow(SLOW)
            .times(READS as u32)
            .path_contains("CustomersV3"),
    )?;
    let limited = connection.client_with(|builder| builder.concurrency_limit(Some(4)))?;
    let (reads, elapsed) = burst(&limited, READS).await?;
    println!(
        "\n4. {reads} reads, each answered after {SLOW:?}, at most 4 in flight: {elapsed:.2?} \
         (two waves; without the limit about {SLOW:?})"
    );
    if elapsed < SLOW * 2 {
        return Err(format!("more than 4 reads ran at once ({elapsed:?})").into());
    }
    Ok(())
}

/// Reads one customer group; returns how long that took.
async fn read_one_group(client: Client) -> Result<Duration, Error> {
    let started = Instant::now();
    client.entity_set::<CustomerGroup>().top(1).first().await?;
    Ok(started.elapsed())
}

/// Reads one customer; returns how long that took.
async fn read_one_customer(client: Client) -> Result<Duration, Error> {
    let started = Instant::now();
    client.entity_set::<CustomerV3>().top(1).first().await?;
    Ok(started.elapsed())
}

/// Sends `reads` reads at once; returns how many succeeded and how long they took together.
async fn burst(client: &Client, reads: usize) -> Result<(usize, Duration), Error> {
    let started = Instant::now();
    let done = try_join_all((0..reads).map(|_| read_one_customer(client.clone()))).await?;
    Ok((done.len(), started.elapsed()))
}

/// The error of a read that must have been throttled.
fn expect_throttled(outcome: Result<Duration, Error>) -> Result<Error, Box<dyn StdError>> {
    match outcome {
        Err(error @ Error::Throttled { .. }) => Ok(error),
        Err(other) => Err(other.into()),
        Ok(took) => {
            Err(format!("the read succeeded after {took:?} although it was throttled").into())
        }
    }
}

/// Prints the fields of an [`Error::Throttled`].
fn show_throttled(error: &Error) {
    if let Error::Throttled {
        error: service,
        retry_after,
        attempts,
        waited,
    } = error
    {
        println!(
            "   Error::Throttled: {attempts} attempt(s), waited {waited:.2?}, server's Retry-After \
             {retry_after:?}, HTTP {}, activity id {}",
            service.status,
            service.activity_id.as_deref().unwrap_or("none")
        );
    }
}
