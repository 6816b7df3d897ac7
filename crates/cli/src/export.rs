//! `cadence export`: documents out of the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::output::write_output;
use crate::studio;

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum ExportCommand {
    /// A tutorial as schema-versioned JSON.
    Tutorial {
        /// The tutorial's id (see `cadence library`).
        id: i64,
        /// The file to write; standard output if omitted.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub(crate) fn run(command: ExportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ExportCommand::Tutorial { id, out } => {
            let studio = studio()?;
            let json = studio.export_tutorial(&studio.open_store()?, id)?;
            write_output(out.as_deref(), &json)?;
            if let Some(path) = out {
                eprintln!("exported tutorial {id} to {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, parse};

    #[test]
    fn a_tutorial_is_exported_by_its_id() {
        assert_eq!(
            parse(&["export", "tutorial", "7", "--out", "t.json"]).unwrap(),
            Some(Command::Export(ExportCommand::Tutorial {
                id: 7,
                out: Some(PathBuf::from("t.json")),
            }))
        );
        let error = parse(&["export", "tutorial", "seven"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
    }
}
