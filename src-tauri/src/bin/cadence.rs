//! The `cadence` program: the command line, and the desktop window when it is asked for (or
//! when no command is given).

use std::process::ExitCode;

fn main() -> ExitCode {
    cadence_cli::main(window())
}

#[cfg(feature = "desktop")]
fn window() -> Option<cadence_cli::Window> {
    Some(|studio| Ok(cadence_desktop::run(studio)?))
}

#[cfg(not(feature = "desktop"))]
fn window() -> Option<cadence_cli::Window> {
    None
}
