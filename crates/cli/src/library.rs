//! `cadence library`: what the library holds.

use std::process::ExitCode;

use clap::Args;

use crate::studio;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct LibraryArgs {
    /// Only tutorials whose title, topic or key contains this text.
    #[arg(long)]
    search: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: LibraryArgs) -> anyhow::Result<ExitCode> {
    let LibraryArgs { search, json } = args;
    let query = cadence::limits::query(search.as_deref().unwrap_or(""))?;
    let store = studio()?.open_store()?;
    let curricula = store.read(cadence::store::curricula::list)?;
    let tutorials = store.read(|conn| cadence::store::tutorials::search(conn, query))?;
    if json {
        let library = serde_json::json!({ "curricula": curricula, "tutorials": tutorials });
        println!("{}", serde_json::to_string_pretty(&library)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("Curricula ({}):", curricula.len());
    for c in &curricula {
        println!(
            "  {:>4}  {}  ({} weeks, {} modules, {} lessons, {})",
            c.id, c.title, c.duration_weeks, c.module_count, c.lesson_count, c.level
        );
    }
    println!("Tutorials ({}):", tutorials.len());
    for t in &tutorials {
        println!(
            "  {:>4}  {}  [{}; {}]",
            t.id,
            t.title,
            t.music_key.as_deref().unwrap_or("no key"),
            t.level
        );
    }
    Ok(ExitCode::SUCCESS)
}
