//! A scripted HTTP/1.1 server on 127.0.0.1 for the transport's own tests, written on raw bytes so
//! that it can misbehave the way real networks do: answer a few error statuses and then succeed,
//! send any `Retry-After`, stall, reset the connection before answering or in the middle of the
//! body. It records every request it read in full, so that a test can assert exactly how often a
//! write reached the server.
//!
//! Each request pops the next [`Step`] scripted for its method and path; once the script is used
//! up, the route's default reply (or a plain success) answers. Connections are kept alive until
//! the client closes them or a step cuts them.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Longest request head the server reads.
const MAX_HEAD: usize = 64 * 1024;
/// Longest request body the server reads.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Longest a connection waits for the next request before the server closes it.
const IDLE: Duration = Duration::from_secs(30);

/// An answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    /// `status` with an OData error body.
    pub(crate) fn status(status: u16) -> Self {
        let body = format!(
            r#"{{"error":{{"code":"","message":"scripted HTTP {status}","innererror":{{"message":"scripted","type":"","stacktrace":""}}}}}}"#
        );
        Reply {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; odata.metadata=minimal".into(),
            )],
            body: body.into_bytes(),
        }
    }

    /// `status` with a JSON body.
    pub(crate) fn json(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; odata.metadata=minimal".into(),
            )],
            body: body.as_bytes().to_vec(),
        }
    }

    /// `status` with `body` of `content_type`.
    pub(crate) fn typed(status: u16, content_type: &str, body: &[u8]) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.to_vec(),
        }
    }

    /// 429 with `Retry-After: <retry_after>`.
    pub(crate) fn throttled(retry_after: &str) -> Self {
        Reply::status(429).header("Retry-After", retry_after)
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The plain success for a method: a page for GET, the entity for POST, 204 otherwise.
    fn success_for(method: &str) -> Self {
        match method {
            "GET" => Reply::json(200, r#"{"value":[{"Id":1},{"Id":2}]}"#),
            "POST" => Reply::json(201, r#"{"Id":1}"#),
            _ => Reply {
                status: 204,
                headers: Vec::new(),
                body: Vec::new(),
            },
        }
    }

    fn head(&self) -> Vec<u8> {
        let reason = StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Scripted");
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\n",
            self.status,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

/// What the server does with one request, after reading it in full.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// Answers.
    Reply(Reply),
    /// Waits, then answers (or finds the client gone).
    Delay(Duration, Reply),
    /// Resets the connection without answering: the request was received, no response starts.
    ResetBeforeResponse,
    /// Sends the head and half the body of the reply, then resets the connection.
    ResetMidBody(Reply),
}

/// A request as the server read it.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    /// The request line and header lines exactly as read (CRLF-separated, no final blank line).
    pub(crate) head: String,
    pub(crate) method: String,
    pub(crate) path: String,
    /// Header names in lower case.
    pub(crate) headers: Vec<(String, String)>,
    #[allow(dead_code, reason = "kept for tests that look at what was sent")]
    pub(crate) body: Vec<u8>,
}

impl Received {
    /// The first value of header `name` (lower case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    scripts: Mutex<HashMap<(String, String), VecDeque<Step>>>,
    defaults: Mutex<HashMap<(String, String), Reply>>,
    received: Mutex<Vec<Received>>,
}

impl State {
    fn next_step(&self, method: &str, path: &str) -> Step {
        let key = (method.to_owned(), path.to_owned());
        let scripted = self
            .scripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(&key)
            .and_then(VecDeque::pop_front);
        scripted.unwrap_or_else(|| {
            Step::Reply(
                self.defaults
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| Reply::success_for(method)),
            )
        })
    }
}

/// The running server; stops when dropped.
pub(crate) struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a server on a free port of 127.0.0.1.
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        Self::serve(listener)
    }

    /// Starts a server on `addr` (a port that was free a moment ago).
    pub(crate) async fn start_on(addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind the given port");
        Self::serve(listener)
    }

    fn serve(listener: TcpListener) -> Self {
        let addr = listener.local_addr().expect("bound address");
        let state = Arc::new(State::default());
        let shared = state.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        connections.spawn(connection(stream, shared.clone()));
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        TestServer { addr, state, task }
    }

    /// `http://127.0.0.1:<port>/`.
    pub(crate) fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{path}", self.addr)).expect("a loopback URL")
    }

    /// Scripts the next requests of `method path` (path without query), in order.
    pub(crate) fn script(&self, method: &str, path: &str, steps: impl IntoIterator<Item = Step>) {
        self.state
            .scripts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((method.to_owned(), path.to_owned()))
            .or_default()
            .extend(steps);
    }

    /// Answers `method path` with `reply` once its script is used up.
    pub(crate) fn default_reply(&self, method: &str, path: &str, reply: Reply) {
        self.state
            .defaults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((method.to_owned(), path.to_owned()), reply);
    }

    /// Every request read in full so far, in order.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.state
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many requests of `method path` the server read in full.
    pub(crate) fn count(&self, method: &str, path: &str) -> usize {
        self.received()
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    }
}

/// Serves the requests of one connection until it closes or a step cuts it.
async fn connection(mut stream: TcpStream, state: Arc<State>) {
    let mut buffer = Vec::new();
    loop {
        let request = match tokio::time::timeout(IDLE, read_request(&mut stream, &mut buffer)).await
        {
            Ok(Some(request)) => request,
            _ => return,
        };
        let step = state.next_step(&request.method, &request.path);
        state
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
        match step {
            Step::Reply(reply) => {
                if write_reply(&mut stream, &reply).await.is_err() {
                    return;
                }
            }
            Step::Delay(delay, reply) => {
                tokio::time::sleep(delay).await;
                if write_reply(&mut stream, &reply).await.is_err() {
                    return;
                }
            }
            Step::ResetBeforeResponse => return reset(stream).await,
            Step::ResetMidBody(reply) => {
                let half = reply.body.len() / 2;
                let _ = stream.write_all(&reply.head()).await;
                let _ = stream.write_all(&reply.body[..half]).await;
                let _ = stream.flush().await;
                return reset(stream).await;
            }
        }
    }
}

async fn write_reply(stream: &mut TcpStream, reply: &Reply) -> std::io::Result<()> {
    stream.write_all(&reply.head()).await?;
    stream.write_all(&reply.body).await?;
    stream.flush().await
}

/// Closes the connection with a TCP reset, after what was written had time to leave.
async fn reset(stream: TcpStream) {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// Reads one request (head and `Content-Length` body); `None` at the end of the connection or
/// for anything unreadable.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).ok()?;
    buffer.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?;
    let path = target.split('?').next().unwrap_or(target).to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(Some(0), |(_, v)| v.parse::<usize>().ok())?;
    if length > MAX_BODY {
        return None;
    }
    while buffer.len() < length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer.drain(..length).collect();
    Some(Received {
        head,
        method,
        path,
        headers,
        body,
    })
}

/// An address of 127.0.0.1 where nothing listens (a port that was free a moment ago).
pub(crate) async fn refusing_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    listener.local_addr().expect("bound address")
}
