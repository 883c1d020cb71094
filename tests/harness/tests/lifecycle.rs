//! The sandbox harness fails clearly and leaves no server process behind.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use d365fo_sandbox::{Sandbox, SandboxError};

fn authority(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .trim_end_matches("/data")
        .to_owned()
}

fn wait_until_closed(authority: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if TcpStream::connect(authority).is_err() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn taken_port_is_reported_with_the_server_log() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = Sandbox::builder().port(port).start().unwrap_err();
    assert!(matches!(err, SandboxError::ExitedEarly { .. }), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains("EADDRINUSE"),
        "the log tail names the cause: {shown}"
    );
}

#[test]
fn dropping_a_sandbox_stops_its_server() {
    let sandbox = Sandbox::builder().start().unwrap();
    let authority = authority(sandbox.base_url());
    assert!(TcpStream::connect(&authority).is_ok());
    drop(sandbox);
    assert!(
        wait_until_closed(&authority, Duration::from_secs(5)),
        "nothing may listen on {authority} after drop"
    );
}

#[test]
fn killed_parent_leaves_no_server_behind() {
    let mut parent = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(parent.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let authority = authority(line.trim());
    assert!(
        TcpStream::connect(&authority).is_ok(),
        "sandbox up at {authority}"
    );

    // SIGKILL: no destructor runs, only the kernel closing the server's stdin pipe.
    parent.kill().unwrap();
    parent.wait().unwrap();
    assert!(
        wait_until_closed(&authority, Duration::from_secs(10)),
        "the orphaned server at {authority} must exit by itself"
    );
}
