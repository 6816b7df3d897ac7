//! `cadence db`: where the library database is, and whether it is sound.

use std::process::ExitCode;

use clap::Subcommand;

use crate::studio;

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum DbCommand {
    /// Print the path of the library database.
    Path,
    /// Open the database (applying migrations) and check its integrity and foreign keys.
    Check {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(command: DbCommand) -> anyhow::Result<ExitCode> {
    match command {
        DbCommand::Path => {
            println!("{}", studio()?.paths().database().display());
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Check { json } => {
            let report = studio()?.open_store()?.check()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("database:      {}", report.path.display());
                println!("schema:        version {}", report.schema_version);
                println!("journal:       {}", report.journal_mode);
                println!("integrity:     {}", report.integrity.join("; "));
                println!(
                    "foreign keys:  {} violations",
                    report.foreign_key_violations
                );
            }
            Ok(if report.is_healthy() {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: the database is damaged; keep a copy of the file before repairing it"
                );
                ExitCode::FAILURE
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, parse};

    #[test]
    fn db_subcommands_parse() {
        assert_eq!(
            parse(&["db", "path"]).unwrap(),
            Some(Command::Db(DbCommand::Path))
        );
        assert_eq!(
            parse(&["db", "check", "--json"]).unwrap(),
            Some(Command::Db(DbCommand::Check { json: true }))
        );
    }
}
