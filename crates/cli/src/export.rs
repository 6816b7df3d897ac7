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
    /// A theory analysis as a RomanText file (as `cadence import rntxt` reads).
    Analysis {
        /// The analysis's id (printed when it was made or imported).
        id: i64,
        /// The file to write, ending in .rntxt (or .json for the document).
        #[arg(long)]
        out: PathBuf,
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
        ExportCommand::Analysis { id, out } => {
            let studio = studio()?;
            let path = std::path::absolute(&out)?;
            let file = studio.export_material_file(&studio.open_store()?, id, &path)?;
            eprintln!(
                "exported analysis {id} to {} ({} bytes)",
                file.path, file.bytes
            );
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
        assert_eq!(
            parse(&["export", "analysis", "3", "--out", "a.rntxt"]).unwrap(),
            Some(Command::Export(ExportCommand::Analysis {
                id: 3,
                out: PathBuf::from("a.rntxt"),
            }))
        );
        let error = parse(&["export", "tutorial", "seven"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
    }
}
