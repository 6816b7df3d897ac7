//! `cadence tutorial`: a tutorial written, checked and saved to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use cadence::catalog::TaskKind;
use cadence::commissions::TutorialRequest;
use cadence::content::{self, Level};
use cadence::generate::GeneratedTutorial;
use cadence::sources::Writers;
use cadence::{Studio, llm};
use clap::Args;

use crate::output::{validation_summary, write_output};
use crate::routing::{Narration, WriterChoice, writers};
use crate::studio;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct TutorialArgs {
    /// ii-V-I, blues, gospel-2-5-1, \"harmonic minor scale\", \"drop 2 voicings\", …
    #[arg(long)]
    topic: String,
    /// The key: Eb, F#, \"A minor\".
    #[arg(long)]
    key: String,
    /// beginner, intermediate or advanced.
    #[arg(long, default_value = "intermediate")]
    level: Level,
    /// Write the tutorial's JSON to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// piano, guitar (chord shapes and tablature), bass or voice (the root movement); another
    /// instrument is named as given and gets the piano's music.
    #[arg(long, default_value = "piano")]
    instrument: String,
    #[command(flatten)]
    writers: WriterChoice,
}

/// Prints the tutorial's JSON (or writes it to `--out`) and says on standard error who
/// wrote it and what the theory engine repaired.
pub(crate) fn run(args: TutorialArgs) -> anyhow::Result<ExitCode> {
    let TutorialArgs {
        topic,
        key,
        level,
        out,
        instrument,
        writers: choice,
    } = args;
    let studio = studio()?;
    let store = studio.open_store()?;
    let request = TutorialRequest {
        topic,
        key,
        level,
        instrument,
    };
    let mut installed = studio.installed_models();
    let writers = writers(
        &studio,
        &mut installed,
        TaskKind::TutorialGeneration,
        choice,
    );
    let generated = create_tutorial(&studio, &store, &request, writers)?;
    let provenance = &generated.provenance;
    let summary = format!(
        "{}; {}",
        match (&provenance.model, provenance.cached) {
            (Some(model), true) => format!("{model}'s answer from the response cache"),
            (Some(model), false) => format!("written by {model}"),
            (None, _) => "template generator".to_string(),
        },
        validation_summary(&provenance.validation)
    );
    let (id, tutorial) = (generated.id, generated.document);
    write_output(out.as_deref(), &content::export::tutorial_json(&tutorial))?;
    eprintln!(
        "saved tutorial {id} “{}” to the library ({summary})",
        tutorial.title
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes a tutorial, narrating the route, attempts and fallbacks on stderr.
fn create_tutorial(
    studio: &Studio,
    store: &cadence::Store,
    request: &TutorialRequest,
    writers: Writers<'_>,
) -> anyhow::Result<GeneratedTutorial> {
    let mut narration = Narration::default();
    let generated = studio.create_tutorial(
        store,
        request,
        writers,
        &llm::CancelToken::new(),
        &mut |progress| narration.show(&progress),
    );
    narration.end_counter();
    let generated = generated?;
    for fallback in &generated.provenance.fallbacks {
        eprintln!("  fell back: {fallback}");
    }
    for issue in &generated.provenance.validation.issues {
        eprintln!("  {issue}");
    }
    Ok(generated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, parse};

    #[test]
    fn a_tutorial_needs_only_a_topic_and_a_key() {
        assert_eq!(
            parse(&["tutorial", "--topic", "ii-V-I", "--key", "Eb"]).unwrap(),
            Some(Command::Tutorial(TutorialArgs {
                topic: "ii-V-I".into(),
                key: "Eb".into(),
                level: Level::Intermediate,
                out: None,
                instrument: "piano".into(),
                writers: WriterChoice::default(),
            }))
        );
        let error = parse(&["tutorial", "--topic", "blues"]).unwrap_err();
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }

    #[test]
    fn the_level_is_one_of_three_words() {
        let Some(Command::Tutorial(args)) = parse(&[
            "tutorial", "--topic", "blues", "--key", "F", "--level", "advanced",
        ])
        .unwrap() else {
            panic!("not a tutorial command");
        };
        assert_eq!(args.level, Level::Advanced);
        let error = parse(&[
            "tutorial", "--topic", "blues", "--key", "F", "--level", "expert",
        ])
        .unwrap_err();
        assert_eq!(error.kind(), clap::error::ErrorKind::ValueValidation);
    }
}
