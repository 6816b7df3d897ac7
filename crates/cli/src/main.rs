//! `cadence-cli`: the command line without the window, for machines with no window system.

use std::process::ExitCode;

fn main() -> ExitCode {
    cadence_cli::main(None)
}
