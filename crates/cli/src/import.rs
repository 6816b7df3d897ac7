//! `cadence import`: documents into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use crate::studio;

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum ImportCommand {
    /// A published analysis (RomanText, as the When-in-Rome corpus writes it) as a theory
    /// analysis, every chord spelled and checked.
    Rntxt {
        /// The RomanText file.
        file: PathBuf,
        /// Only these measures, e.g. 1-16 (an analysis holds at most 64 chords).
        #[arg(long)]
        measures: Option<String>,
    },
}

pub(crate) fn run(command: ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Rntxt { file, measures } => {
            let studio = studio()?;
            let file = std::path::absolute(&file)?;
            let created =
                studio.import_romantext(&studio.open_store()?, &file, measures.as_deref())?;
            println!(
                "imported analysis {}: {} ({} facts checked)",
                created.id, created.title, created.checked
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
    fn a_romantext_file_is_imported_with_its_measures() {
        assert_eq!(
            parse(&["import", "rntxt", "chorale.rntxt", "--measures", "1-16"]).unwrap(),
            Some(Command::Import(ImportCommand::Rntxt {
                file: PathBuf::from("chorale.rntxt"),
                measures: Some("1-16".into()),
            }))
        );
    }
}
