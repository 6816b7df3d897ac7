//! `cadence export`: documents out of the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use cadence::library::ExportFormat;
use clap::{Subcommand, ValueEnum};

use crate::studio;

#[derive(Subcommand)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) enum ExportCommand {
    /// A tutorial as schema-versioned JSON, or its music as MIDI or MusicXML.
    #[command(
        after_help = "Examples:\n  cadence export tutorial 3 --out lesson.json\n  cadence export tutorial 3 --out lesson.musicxml --tempo 96\n  cadence export tutorial 3 --format musicxml > lesson.musicxml"
    )]
    Tutorial {
        /// The tutorial's id (see `cadence library`).
        id: i64,
        /// The file to write; standard output if omitted (JSON and MusicXML only).
        #[arg(long)]
        out: Option<PathBuf>,
        /// json, midi or musicxml; when omitted, taken from the extension of --out (.json,
        /// .mid, .musicxml), and JSON without --out.
        #[arg(long, value_enum)]
        format: Option<TutorialFormat>,
        /// The tempo the MIDI and MusicXML play at, in quarter notes a minute (20 to 400).
        #[arg(long, default_value_t = 80)]
        tempo: u32,
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

/// What `cadence export tutorial` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TutorialFormat {
    Json,
    Midi,
    #[value(name = "musicxml")]
    MusicXml,
}

impl From<TutorialFormat> for ExportFormat {
    fn from(format: TutorialFormat) -> ExportFormat {
        match format {
            TutorialFormat::Json => ExportFormat::Json,
            TutorialFormat::Midi => ExportFormat::Midi,
            TutorialFormat::MusicXml => ExportFormat::MusicXml,
        }
    }
}

/// The format `--format` names, else the one `--out`'s extension names, else JSON.
fn tutorial_format(
    format: Option<TutorialFormat>,
    out: Option<&Path>,
) -> anyhow::Result<TutorialFormat> {
    if let Some(format) = format {
        return Ok(format);
    }
    let Some(out) = out else {
        return Ok(TutorialFormat::Json);
    };
    let extension = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("json") => Ok(TutorialFormat::Json),
        Some("mid") => Ok(TutorialFormat::Midi),
        Some("musicxml" | "xml") => Ok(TutorialFormat::MusicXml),
        _ => anyhow::bail!(
            "cannot tell the format from `{}`; end the file name in .json, .mid or .musicxml, \
             or give --format json, midi or musicxml",
            out.display()
        ),
    }
}

pub(crate) fn run(command: ExportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ExportCommand::Tutorial {
            id,
            out,
            format,
            tempo,
        } => {
            let format = tutorial_format(format, out.as_deref())?;
            if format == TutorialFormat::Midi && out.is_none() {
                anyhow::bail!("MIDI is not text; give a file to write it to with --out lesson.mid");
            }
            let studio = studio()?;
            let store = studio.open_store()?;
            match &out {
                Some(path) => {
                    // Written as the window writes it: the path checked, the file whole or not at all.
                    let path = std::path::absolute(path)?;
                    let named = cadence::library::validate_export_path(&path)?;
                    if named != format.into() {
                        anyhow::bail!(
                            "{} names another format than --format; end the file name in .{}",
                            path.display(),
                            ExportFormat::from(format).extension()
                        );
                    }
                    let file = studio.export_tutorial_file(&store, id, &path, tempo)?;
                    eprintln!(
                        "exported tutorial {id} to {} ({} bytes)",
                        file.path, file.bytes
                    );
                }
                None => {
                    use std::io::Write;
                    let bytes = studio.tutorial_bytes(&store, id, format.into(), tempo)?;
                    std::io::stdout()
                        .write_all(&bytes)
                        .context("cannot write to standard output")?;
                }
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
                format: None,
                tempo: 80,
            }))
        );
        assert_eq!(
            parse(&[
                "export", "tutorial", "7", "--format", "musicxml", "--out", "t.xml", "--tempo",
                "96"
            ])
            .unwrap(),
            Some(Command::Export(ExportCommand::Tutorial {
                id: 7,
                out: Some(PathBuf::from("t.xml")),
                format: Some(TutorialFormat::MusicXml),
                tempo: 96,
            }))
        );
        let error = parse(&["export", "tutorial", "7", "--format", "pdf"]).unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::InvalidValue);
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

    #[test]
    fn the_format_is_the_one_named_else_the_extension_s_else_json() {
        let out = |name: &str| Some(PathBuf::from(name));
        let format = |named, file: Option<PathBuf>| tutorial_format(named, file.as_deref());
        assert_eq!(format(None, None).unwrap(), TutorialFormat::Json);
        assert_eq!(format(None, out("a.JSON")).unwrap(), TutorialFormat::Json);
        assert_eq!(format(None, out("a.mid")).unwrap(), TutorialFormat::Midi);
        assert_eq!(
            format(None, out("a.musicxml")).unwrap(),
            TutorialFormat::MusicXml
        );
        assert_eq!(
            format(Some(TutorialFormat::MusicXml), out("a.xml")).unwrap(),
            TutorialFormat::MusicXml
        );
        let error = format(None, out("a.pdf")).unwrap_err().to_string();
        assert!(
            error.contains("give --format json, midi or musicxml"),
            "{error}"
        );
    }
}
