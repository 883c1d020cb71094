//! Bulk reads against F&O-like page times: `BULK_ROWS` customers (default 100,000) seeded into
//! the sandbox's company `bulk`, read as key and name (so that the single-threaded sandbox's own
//! work stays small next to the latency), each `/data` request answered after `BULK_LATENCY_MS`
//! (default 250 ms): sequentially with `stream()`, in parallel offset windows at 4, 8, 16 and 32
//! requests in flight, in key ranges at 16, then in windows at 16 with a burst of 429s injected
//! (`BULK_THROTTLES`, default 20, `Retry-After: 1`). Last, with the delay set to zero,
//! sequentially and at 16: what the one Node process serves by itself, the ceiling of every run.
//!
//! One sandbox serves every run; each run is a child process of this program, so that its peak
//! RSS (`VmHWM`) and CPU time (`/proc/self/stat`) are its own. Every run checks that it got
//! exactly the expected number of rows, each once (accounts strictly increasing in key order).
//! `BULK_PAGE` sets the rows per request of both (default 1000). Run with
//! `cargo bench --bench bulk_read`.

#![allow(missing_docs, unreachable_pub, clippy::print_stdout)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use d365fo_odata::Client;
use d365fo_sandbox::{Fault, Sandbox};
use d365fo_sandbox_bindings::{CustomerV3, customer_v3 as c};
use futures::TryStreamExt;

/// The company seeded with `BULK_ROWS` customers.
const COMPANY: &str = "bulk";
const CHILD: &str = "BULK_READ_CHILD";
const URL: &str = "BULK_READ_URL";
const USER_HZ: f64 = 100.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::var(CHILD) {
        Ok(mode) => child(&mode),
        Err(_) => parent(),
    }
}

fn env_u64(name: &str, default: u64) -> Result<u64, Box<dyn std::error::Error>> {
    Ok(std::env::var(name)
        .ok()
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(default))
}

fn parent() -> Result<(), Box<dyn std::error::Error>> {
    let latency = env_u64("BULK_LATENCY_MS", 250)?;
    let page = env_u64("BULK_PAGE", 1000)?;
    let throttles = env_u64("BULK_THROTTLES", 20)?;
    let rows = env_u64("BULK_ROWS", 100_000)?;
    let sandbox = Sandbox::builder()
        .latency(Duration::from_millis(latency))
        .bulk_rows(u32::try_from(rows)?)
        .start()?;
    println!("bulk_read: {rows} rows, pages of {page}, {latency} ms per request, one run per mode");
    let exe = std::env::current_exe()?;
    let mut sequential = None;
    let modes = [
        "sequential",
        "4",
        "8",
        "16",
        "32",
        "16-ranges",
        "16-throttled",
        "sequential-no-latency",
        "16-no-latency",
    ];
    for mode in modes {
        if mode == "sequential-no-latency" {
            // What the one Node process serves with no delay at all: the ceiling of any run.
            sandbox.clear_faults()?;
            set_latency(sandbox.base_url(), 0)?;
            sequential = None;
        }
        if mode == "16-throttled" {
            let rule = Fault::throttle("1")
                .path_contains("$skip=")
                .times(u32::try_from(throttles)?);
            sandbox.add_fault(&rule)?;
        }
        let output = Command::new(&exe)
            .env(CHILD, mode)
            .env(URL, sandbox.base_url())
            .env("BULK_PAGE", page.to_string())
            .env("BULK_ROWS", rows.to_string())
            .output()?;
        if !output.status.success() {
            return Err(format!(
                "run {mode} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        let line = String::from_utf8(output.stdout)?;
        let field = |name: &str| -> Result<f64, Box<dyn std::error::Error>> {
            Ok(line
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .ok_or_else(|| format!("no {name} in {line:?}"))?
                .parse()?)
        };
        let (seconds, cpu, peak) = (
            field("seconds")?,
            field("cpu_seconds")?,
            field("peak_rss_kib")?,
        );
        let base = *sequential.get_or_insert(seconds);
        let mut note = String::new();
        if mode == "16-throttled" {
            let hits = throttle_hits(sandbox.base_url())?;
            note = format!(", {hits} requests answered 429 and retried");
        }
        println!(
            "{mode:>21}: {seconds:6.2} s, {:7.0} rows/s, {:5.1}x sequential, client CPU {cpu:.2} s, \
             peak RSS {:.1} MiB{note}",
            rows as f64 / seconds,
            base / seconds,
            peak / 1024.0,
        );
    }
    sandbox.clear_faults()?;
    Ok(())
}

fn child(mode: &str) -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var(URL)?;
    let page = env_u64("BULK_PAGE", 1000)?;
    let expected = env_u64("BULK_ROWS", 100_000)?;
    let client = Client::builder(url)
        .allow_http_loopback()
        .max_page_size(Some(u32::try_from(page)?))
        .build()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let concurrency: Option<usize> = match mode {
        "sequential" | "sequential-no-latency" => None,
        other => Some(
            other
                .trim_end_matches("-no-latency")
                .trim_end_matches("-throttled")
                .trim_end_matches("-ranges")
                .parse()?,
        ),
    };
    let ranges = mode.ends_with("-ranges");
    let cpu_before = cpu_seconds()?;
    let started = Instant::now();
    let rows = runtime.block_on(read(&client, concurrency, ranges, page))?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = cpu_seconds()? - cpu_before;
    if rows != expected {
        return Err(format!("{mode}: read {rows} rows, expected {expected}").into());
    }
    println!(
        "rows={rows} seconds={seconds} cpu_seconds={cpu_seconds} peak_rss_kib={}",
        status_kib("VmHWM")?
    );
    Ok(())
}

/// Key and name of a customer.
type Row = (String, String, Option<String>);

/// Reads every customer of the company (key and name); checks that accounts strictly increase
/// (so none twice).
async fn read(
    client: &Client,
    concurrency: Option<usize>,
    ranges: bool,
    page: u64,
) -> d365fo_odata::Result<u64> {
    let query = client
        .entity_set::<CustomerV3>()
        .cross_company()
        .filter(c::DATA_AREA_ID.eq(COMPANY));
    let select = (
        c::DATA_AREA_ID.required(),
        c::CUSTOMER_ACCOUNT.required(),
        c::ORGANIZATION_NAME,
    );
    let mut rows: std::pin::Pin<Box<dyn futures::Stream<Item = d365fo_odata::Result<Row>> + Send>> =
        match concurrency {
            None => Box::pin(
                query
                    .order_by(c::DATA_AREA_ID.asc())
                    .order_by(c::CUSTOMER_ACCOUNT.asc())
                    .select(select)
                    .stream(),
            ),
            Some(n) => {
                let bulk = query
                    .select(select)
                    .bulk()
                    .key((c::DATA_AREA_ID, c::CUSTOMER_ACCOUNT))
                    .concurrency(n)
                    .page_size(page);
                let bulk = if ranges {
                    bulk.key_ranges(c::CUSTOMER_ACCOUNT)
                } else {
                    bulk
                };
                Box::pin(bulk.stream())
            }
        };
    let mut count = 0;
    let mut last = String::new();
    while let Some((_, account, name)) = rows.try_next().await? {
        assert!(account > last, "{account} after {last}");
        std::hint::black_box(name);
        last = account;
        count += 1;
    }
    Ok(count)
}

/// How many requests the sandbox's fault rules answered (`GET /_sandbox/faults`).
fn throttle_hits(base_url: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let authority = base_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET /_sandbox/faults HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let json: serde_json::Value = serde_json::from_str(body)?;
    Ok(json["rules"].as_array().map_or(0, |rules| {
        rules.iter().filter_map(|r| r["hits"].as_u64()).sum()
    }))
}

/// Sets the sandbox's delay per request (`PUT /_sandbox/latency`).
fn set_latency(base_url: &str, ms: u64) -> Result<(), Box<dyn std::error::Error>> {
    let authority = base_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = format!("{{\"ms\":{ms}}}");
    write!(
        stream,
        "PUT /_sandbox/latency HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    if !response.starts_with("HTTP/1.1 200") {
        return Err(format!("setting the latency: {response}").into());
    }
    Ok(())
}

fn status_kib(key: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .ok_or_else(|| format!("no {key} in /proc/self/status"))?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}

fn cpu_seconds() -> Result<f64, Box<dyn std::error::Error>> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let rest = stat.rsplit_once(')').ok_or("unreadable /proc/self/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11).ok_or("no utime")?.parse()?;
    let stime: f64 = fields.get(12).ok_or("no stime")?.parse()?;
    Ok((utime + stime) / USER_HZ)
}
