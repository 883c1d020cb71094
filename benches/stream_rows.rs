//! Streaming customers from the local sandbox: rows per second, client CPU time, and the client's
//! peak resident memory for 25,000 against 100,000 rows (which must stay flat: the stream holds
//! one page at a time).
//!
//! Each measurement runs in a fresh child process of this program (so that its peak RSS,
//! `VmHWM` in `/proc/self/status`, belongs to that run alone) against its own sandbox seeded
//! with `--bulk-rows` customers in company `bulk`. CPU time is user + system time from
//! `/proc/self/stat`. Run with `cargo bench --bench stream_rows`; `STREAM_RUNS` sets the
//! number of runs per size (default 3), the medians are printed.

#![allow(missing_docs, unreachable_pub, clippy::print_stdout)]

use std::process::Command;
use std::time::Instant;

use d365fo_odata::Client;
use d365fo_sandbox::Sandbox;
use d365fo_sandbox_bindings::{CustomerV3, customer_v3 as c};
use futures::TryStreamExt;

/// Customers seeded in company `bulk` for every run.
const BULK_ROWS: u64 = 100_000;
const SIZES: [u64; 2] = [25_000, 100_000];
/// The child-mode variable: how many rows to stream.
const CHILD: &str = "STREAM_ROWS_CHILD";
/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, fixed at 100 on Linux).
const USER_HZ: f64 = 100.0;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::var(CHILD) {
        Ok(rows) => child(rows.parse()?),
        Err(_) => parent(),
    }
}

/// One measurement, as the child prints it.
#[derive(Debug, Clone, Copy)]
struct Figures {
    rows: u64,
    seconds: f64,
    cpu_seconds: f64,
    peak_rss_kib: u64,
    baseline_rss_kib: u64,
}

fn parent() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::var("STREAM_RUNS")
        .ok()
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(3);
    let exe = std::env::current_exe()?;
    println!("stream_rows: {runs} run(s) per size, sandbox with {BULK_ROWS} bulk customers");
    for rows in SIZES {
        let mut all = Vec::new();
        for _ in 0..runs {
            let output = Command::new(&exe)
                .env(CHILD, rows.to_string())
                .env("SANDBOX_BULK_ROWS", BULK_ROWS.to_string())
                .output()?;
            if !output.status.success() {
                return Err(format!(
                    "measurement of {rows} rows failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                )
                .into());
            }
            let figures = parse_figures(&String::from_utf8(output.stdout)?)?;
            if figures.rows != rows {
                return Err(format!("asked for {rows} rows, measured {}", figures.rows).into());
            }
            all.push(figures);
        }
        let median = |f: fn(&Figures) -> f64| {
            let mut v: Vec<f64> = all.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let seconds = median(|f| f.seconds);
        println!(
            "{rows:>7} rows: median {:.2} s, {:.0} rows/s, client CPU {:.2} s ({:.1} µs/row), \
             peak RSS {:.1} MiB (baseline before streaming {:.1} MiB)",
            seconds,
            rows as f64 / seconds,
            median(|f| f.cpu_seconds),
            median(|f| f.cpu_seconds) * 1e6 / rows as f64,
            median(|f| f.peak_rss_kib as f64) / 1024.0,
            median(|f| f.baseline_rss_kib as f64) / 1024.0,
        );
    }
    Ok(())
}

fn child(rows: u64) -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().start()?;
    let client = Client::builder(sandbox.base_url())
        .allow_http_loopback()
        .build()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let baseline_rss_kib = status_kib("VmRSS")?;
    let cpu_before = cpu_seconds()?;
    let started = Instant::now();
    let streamed = runtime.block_on(stream(&client, rows))?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = cpu_seconds()? - cpu_before;
    if streamed != rows {
        return Err(format!("streamed {streamed} rows, expected {rows}").into());
    }
    println!(
        "rows={rows} seconds={seconds} cpu_seconds={cpu_seconds} peak_rss_kib={} baseline_rss_kib={baseline_rss_kib}",
        status_kib("VmHWM")?
    );
    Ok(())
}

/// Streams `rows` bulk customers into the generated type, touching every row.
async fn stream(client: &Client, rows: u64) -> d365fo_odata::Result<u64> {
    let mut stream = client
        .entity_set::<CustomerV3>()
        .cross_company()
        .filter(c::DATA_AREA_ID.eq("bulk"))
        .top(rows)
        .stream();
    let mut count = 0;
    let mut chars = 0usize;
    while let Some(row) = stream.try_next().await? {
        count += 1;
        chars += row.customer_account.len();
    }
    std::hint::black_box(chars);
    Ok(count)
}

fn parse_figures(line: &str) -> Result<Figures, Box<dyn std::error::Error>> {
    let field = |name: &str| -> Result<&str, String> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("no {name} in {line:?}"))
    };
    Ok(Figures {
        rows: field("rows")?.parse()?,
        seconds: field("seconds")?.parse()?,
        cpu_seconds: field("cpu_seconds")?.parse()?,
        peak_rss_kib: field("peak_rss_kib")?.parse()?,
        baseline_rss_kib: field("baseline_rss_kib")?.parse()?,
    })
}

/// A `kB` line of `/proc/self/status` (`VmRSS`, `VmHWM`).
fn status_kib(key: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .ok_or_else(|| format!("no {key} in /proc/self/status"))?;
    Ok(line.trim().trim_end_matches("kB").trim().parse()?)
}

/// User + system CPU time of this process, from `/proc/self/stat`.
fn cpu_seconds() -> Result<f64, Box<dyn std::error::Error>> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which may hold spaces) start at state, field 3.
    let rest = stat.rsplit_once(')').ok_or("unreadable /proc/self/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11).ok_or("no utime")?.parse()?;
    let stime: f64 = fields.get(12).ok_or("no stime")?.parse()?;
    Ok((utime + stime) / USER_HZ)
}
