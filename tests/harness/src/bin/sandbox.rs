//! Runs the local OData sandbox until interrupted, for exploring it by hand:
//!
//! ```text
//! cargo run -p d365fo-sandbox --bin sandbox [-- --token <token>] [--port <port>]
//! ```
//!
//! Prints the service root on standard output, then waits. The server stops with this program.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use d365fo_sandbox::Sandbox;

fn main() -> ExitCode {
    let mut builder = Sandbox::builder();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--token", Some(token)) => builder = builder.token(token),
            ("--port", Some(port)) => match port.parse() {
                Ok(port) => builder = builder.port(port),
                Err(_) => {
                    eprintln!("--port takes a number, got {port:?}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("usage: sandbox [--token <token>] [--port <port>]");
                return ExitCode::from(2);
            }
        }
    }
    match builder.start() {
        Ok(sandbox) => {
            println!("{}", sandbox.service_root());
            eprintln!(
                "ready in {:.1?}; log at {}; press Ctrl-C to stop",
                sandbox.started_in(),
                sandbox.log_path().display()
            );
            loop {
                std::thread::park();
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
