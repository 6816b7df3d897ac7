//! `cadence models`: the catalogue, and downloading and removing local models.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use cadence::models::download::human_bytes;
use cadence::{Availability, ModelStatus};
use clap::Subcommand;

use crate::studio;

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum ModelsCommand {
    /// List local and cloud models, their tiers, sizes and whether they are installed.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print the folder downloaded models are kept in.
    Path,
    /// Download a local model's GGUF from Hugging Face and verify its SHA-256.
    #[command(
        after_help = "Ctrl-C pauses: the partial download is kept and the same command resumes it.\n\nEnvironment:\n  HF_ENDPOINT  a Hugging Face mirror to download from (default https://huggingface.co)\n  HF_HOME      where `huggingface-cli login` saved the token for gated models\n\nExample:\n  cadence models download smollm2-135m"
    )]
    Download {
        /// The model's id, as `cadence models list` shows it.
        id: String,
    },
    /// Delete a downloaded model and any partial download of it.
    Remove {
        /// The model's id, as `cadence models list` shows it.
        id: String,
    },
}

pub(crate) fn run(command: ModelsCommand) -> anyhow::Result<ExitCode> {
    match command {
        ModelsCommand::List { json } => {
            let models = studio()?.models();
            if json {
                println!("{}", serde_json::to_string_pretty(&models)?);
            } else {
                print!("{}", models_table(&models));
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Path => {
            println!("{}", studio()?.models_dir().display());
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Download { id } => download_model(&id),
        ModelsCommand::Remove { id } => {
            let removed = studio()?.remove_model(&id)?;
            if removed.freed_bytes == 0 {
                println!("{id} was not downloaded; nothing to remove");
            } else {
                println!("removed {id}, freeing {}", human_bytes(removed.freed_bytes));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Downloads a model with a progress line on stderr. Ctrl-C ends the process as usual:
/// every byte written so far is in the `.part` file, which the next run resumes.
fn download_model(id: &str) -> anyhow::Result<ExitCode> {
    use cadence::models::DownloadPhase;
    use std::io::Write;

    let studio = studio()?;
    let never_cancelled = AtomicBool::new(false);
    let mut stderr = std::io::stderr();
    let mut shown = false;
    let downloaded = studio.download_model(id, &never_cancelled, &mut |progress| {
        let percent = progress.done as f64 * 100.0 / progress.total.max(1) as f64;
        let what = match progress.phase {
            DownloadPhase::CheckingPartial => "checking the partial download",
            DownloadPhase::Downloading => "downloading",
            DownloadPhase::Verifying => "verifying",
        };
        let speed = if progress.phase == DownloadPhase::Downloading {
            format!(" at {:.1} MB/s", progress.bytes_per_second / 1e6)
        } else {
            String::new()
        };
        // \r rewrites the line in a terminal; \x1b[K clears what a longer line left.
        let _ = write!(
            stderr,
            "\r{id}: {what} {percent:5.1}%  {:.1} of {:.1} MB{speed}\x1b[K",
            progress.done as f64 / 1e6,
            progress.total as f64 / 1e6,
        );
        shown = true;
    });
    if shown {
        eprintln!();
    }
    let downloaded = downloaded?;
    if downloaded.already_installed {
        println!("{id} is already installed at {}", downloaded.path.display());
    } else {
        if downloaded.resumed_from > 0 {
            eprintln!(
                "resumed from {} of {}",
                human_bytes(downloaded.resumed_from),
                human_bytes(downloaded.bytes)
            );
        }
        println!(
            "installed {id} ({}, SHA-256 verified) at {}",
            human_bytes(downloaded.bytes),
            downloaded.path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per model under a header, columns padded to their widest cell.
fn models_table(models: &[ModelStatus]) -> String {
    let rows: Vec<[String; 6]> = models
        .iter()
        .map(|model| {
            [
                model.id.clone(),
                model.name.clone(),
                if model.tiers.is_empty() {
                    "-".into()
                } else {
                    model.tiers.join(", ")
                },
                model.download_bytes.map_or("-".into(), human_bytes),
                model
                    .memory_mb
                    .map_or("-".into(), |mb| human_bytes(mb * 1_000_000)),
                availability_text(&model.availability),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "TIERS", "DOWNLOAD", "MEMORY", "STATUS"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&rows)
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            format!("{}\n", cells.join("  ").trim_end())
        })
        .collect()
}

fn availability_text(availability: &Availability) -> String {
    match availability {
        Availability::Installed { .. } => "installed".into(),
        Availability::NotInstalled => "not installed".into(),
        Availability::Partial { bytes } => {
            format!("partly downloaded ({})", human_bytes(*bytes))
        }
        Availability::WrongSize { bytes } => {
            format!("damaged ({}); download again", human_bytes(*bytes))
        }
        Availability::Damaged { .. } => "damaged (not a usable GGUF); download again".into(),
        Availability::Enabled => "enabled".into(),
        Availability::Disabled { reason } => format!("disabled ({reason})"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{Command, parse};

    fn model(id: &str, name: &str, tiers: &[&str], availability: Availability) -> ModelStatus {
        ModelStatus {
            id: id.into(),
            name: name.into(),
            kind: "local",
            tiers: tiers.iter().map(|tier| tier.to_string()).collect(),
            download_bytes: None,
            memory_mb: None,
            memory_planned: false,
            machine_memory_mb: None,
            availability,
        }
    }

    #[test]
    fn the_table_pads_each_column_to_its_widest_cell() {
        let small = ModelStatus {
            download_bytes: Some(98_400_000),
            memory_mb: Some(480),
            ..model("smollm2-135m", "SmolLM2", &[], Availability::NotInstalled)
        };
        let cloud = model(
            "gemini",
            "Gemini 2.5 Pro",
            &["medium", "cloud"],
            Availability::Disabled {
                reason: "no key".into(),
            },
        );
        let expected = [
            "ID            NAME            TIERS          DOWNLOAD  MEMORY    STATUS",
            "smollm2-135m  SmolLM2         -              98.4 MB   480.0 MB  not installed",
            "gemini        Gemini 2.5 Pro  medium, cloud  -         -         disabled (no key)",
        ];
        assert_eq!(
            models_table(&[small, cloud]),
            expected.map(|line| format!("{line}\n")).concat()
        );
    }

    #[test]
    fn an_empty_catalogue_is_just_the_header() {
        assert_eq!(
            models_table(&[]),
            "ID  NAME  TIERS  DOWNLOAD  MEMORY  STATUS\n"
        );
    }

    #[test]
    fn each_availability_has_its_wording() {
        let cases = [
            (
                Availability::Installed {
                    path: PathBuf::from("model.gguf"),
                },
                "installed",
            ),
            (Availability::NotInstalled, "not installed"),
            (
                Availability::Partial { bytes: 1_500_000 },
                "partly downloaded (1.5 MB)",
            ),
            (
                Availability::WrongSize { bytes: 999 },
                "damaged (999 B); download again",
            ),
            (
                Availability::Damaged {
                    path: PathBuf::from("model.gguf"),
                    problem: "model.gguf is not a usable GGUF model".into(),
                },
                "damaged (not a usable GGUF); download again",
            ),
            (Availability::Enabled, "enabled"),
            (
                Availability::Disabled {
                    reason: "network off".into(),
                },
                "disabled (network off)",
            ),
        ];
        for (availability, text) in cases {
            assert_eq!(availability_text(&availability), text);
        }
    }

    #[test]
    fn models_subcommands_parse() {
        assert_eq!(
            parse(&["models", "list", "--json"]).unwrap(),
            Some(Command::Models(ModelsCommand::List { json: true }))
        );
        assert_eq!(
            parse(&["models", "download", "smollm2-135m"]).unwrap(),
            Some(Command::Models(ModelsCommand::Download {
                id: "smollm2-135m".into()
            }))
        );
    }
}
