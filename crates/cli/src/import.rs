//! `cadence import`: documents into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::studio;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
#[command(args_conflicts_with_subcommands = true, arg_required_else_help = true)]
pub(crate) struct ImportArgs {
    /// A JSON file exported from Cadence: a tutorial, a curriculum, an exercise, a theory
    /// analysis, an assessment or a lesson plan. It is checked against its schema and by the
    /// theory engine before anything is stored.
    file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<ImportCommand>,
}

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

pub(crate) fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    match (args.file, args.command) {
        (_, Some(command)) => run_command(command),
        (Some(file), None) => {
            let studio = studio()?;
            let file = std::path::absolute(&file)?;
            let imported = studio.import_document_file(&studio.open_store()?, &file)?;
            println!(
                "imported {} {}: {} ({} facts checked, {} recomputed)",
                imported.kind.replace('_', " "),
                imported.id,
                imported.title,
                imported.checked,
                imported.repaired
            );
            Ok(ExitCode::SUCCESS)
        }
        // clap shows the help when neither is given.
        (None, None) => Ok(ExitCode::from(2)),
    }
}

fn run_command(command: ImportCommand) -> anyhow::Result<ExitCode> {
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
            Some(Command::Import(ImportArgs {
                file: None,
                command: Some(ImportCommand::Rntxt {
                    file: PathBuf::from("chorale.rntxt"),
                    measures: Some("1-16".into()),
                }),
            }))
        );
    }

    #[test]
    fn a_document_is_imported_from_its_file() {
        assert_eq!(
            parse(&["import", "lesson.json"]).unwrap(),
            Some(Command::Import(ImportArgs {
                file: Some(PathBuf::from("lesson.json")),
                command: None,
            }))
        );
    }
}
