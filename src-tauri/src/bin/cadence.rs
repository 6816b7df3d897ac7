//! The `cadence` program: the command line, and the desktop window when it is asked for (or
//! when no command is given). `cadence-cli` is the same command line without the window.

use std::process::ExitCode;

fn main() -> ExitCode {
    cadence_cli::main(Some(cadence_desktop::run))
}
