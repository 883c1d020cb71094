//! `d365fo-codegen`: command-line front end of the code generator.

fn main() -> std::process::ExitCode {
    eprintln!("d365fo-codegen: no subcommands are available in this build yet");
    std::process::ExitCode::from(2)
}
