//! A scripted HTTP/1.1 server on 127.0.0.1 for the hostile-server tests: each request is
//! answered by a script that may misbehave (endless bodies, lying lengths, redirects). Raw bytes
//! over tokio's `TcpListener`; one request per connection (`Connection: close`). Every loop is
//! bounded in bytes and time.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Longest request head read.
const MAX_HEAD: usize = 64 * 1024;
/// Longest request body read.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How long one answer may go on at most.
const MAX_ANSWER_TIME: Duration = Duration::from_secs(30);

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How to answer.
pub enum Reply {
    /// A whole response; `Content-Length` is added.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A status line and headers (none added), then `prefix`, then filler bytes until `limit`
    /// bytes of body were written, the client goes away or the time is up; then the connection
    /// is closed. Without `Content-Length` the body ends at the close.
    Stream {
        status: u16,
        headers: Vec<(String, String)>,
        prefix: Vec<u8>,
        limit: u64,
        /// After `limit` bytes, keep the connection open this long before closing.
        hold: Duration,
    },
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into().into_bytes(),
        }
    }

    pub fn redirect(status: u16, location: impl Into<String>) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }
}

type Script = dyn Fn(&Received, u16) -> Reply + Send + Sync;

/// A running server; stops when dropped.
pub struct Server {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    /// Body bytes written in all answers.
    written: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    /// Starts a server answering with `script(request, own port)`.
    pub async fn start(script: impl Fn(&Received, u16) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(AtomicU64::new(0));
        let script: Arc<Script> = Arc::new(script);
        let task = {
            let received = received.clone();
            let written = written.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let received = received.clone();
                    let written = written.clone();
                    let script = script.clone();
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(
                            MAX_ANSWER_TIME,
                            serve(stream, port, &*script, &received, &written),
                        )
                        .await;
                    });
                }
            })
        };
        Server {
            port,
            received,
            written,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Body bytes written so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut stream: TcpStream,
    port: u16,
    script: &Script,
    received: &Mutex<Vec<Received>>,
    written: &AtomicU64,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let reply = script(&request, port);
    received.lock().unwrap().push(request);
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = status_line(status);
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
            written.fetch_add(body.len() as u64, Ordering::SeqCst);
            stream.shutdown().await?;
        }
        Reply::Stream {
            status,
            headers,
            prefix,
            limit,
            hold,
        } => {
            let mut head = status_line(status);
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("Connection: close\r\n\r\n");
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&prefix).await?;
            let mut sent = prefix.len() as u64;
            written.fetch_add(sent, Ordering::SeqCst);
            let filler = vec![b'x'; 64 * 1024];
            while sent < limit {
                let n = filler.len().min((limit - sent) as usize);
                stream.write_all(&filler[..n]).await?;
                sent += n as u64;
                written.fetch_add(n as u64, Ordering::SeqCst);
            }
            tokio::time::sleep(hold).await;
        }
    }
    Ok(())
}

fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        500 => "Internal Server Error",
        _ => "Status",
    };
    format!("HTTP/1.1 {status} {reason}\r\n")
}

/// Reads one request (head and a `Content-Length` body), bounded; `None` when the client closed
/// before sending a whole head.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Received>> {
    let mut buffer = Vec::new();
    let mut piece = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = stream.read(&mut piece).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&piece[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut piece).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&piece[..n]);
    }
    body.truncate(length);
    Ok(Some(Received {
        method,
        target,
        headers,
        body,
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
