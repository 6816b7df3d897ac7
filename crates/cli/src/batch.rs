//! `cadence batch`: a whole curriculum generated ahead of time, resumably.

use std::process::ExitCode;

use cadence::batch::BatchProgress;
use cadence::catalog::TaskKind;
use cadence::commissions::BatchRequest;
use cadence::content::Level;
use cadence::llm;
use cadence::sources::{ResidentModels, Writers};
use clap::Args;

use crate::routing::{network_allowed, warn_if_model_cannot_start};
use crate::studio;

#[derive(Args)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct BatchArgs {
    /// The home key of the curriculum.
    #[arg(long, default_value = "C")]
    key: String,
    #[arg(long, default_value = "beginner")]
    level: Level,
    /// Length of the curriculum in weeks.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=104))]
    weeks: u32,
    #[arg(long, default_value = "piano")]
    instrument: String,
    /// What the student works towards; the outline is planned for it.
    #[arg(long)]
    goal: Option<String>,
    /// Resume this stored curriculum (its id); it must come from the same request.
    #[arg(long)]
    resume: Option<i64>,
    /// Ask the models again even where the response cache holds their answers to the same
    /// requests; the new answers replace the cached ones.
    #[arg(long)]
    no_cache: bool,
}

/// Progress goes to standard error, one line per step; the totals to standard output.
pub(crate) fn run(args: BatchArgs) -> anyhow::Result<ExitCode> {
    let BatchArgs {
        key,
        level,
        weeks,
        instrument,
        goal,
        resume,
        no_cache,
    } = args;
    let studio = studio()?;
    let store = studio.open_store()?;
    let request = BatchRequest {
        instrument,
        goal,
        resume,
        ..BatchRequest::new(key, level, weeks)
    };
    let network_allowed = network_allowed(&studio);
    for task in [TaskKind::CurriculumPlanning, TaskKind::TutorialGeneration] {
        warn_if_model_cannot_start(&studio, task, network_allowed);
    }
    // One model stays loaded across the lessons instead of loading for each.
    let resident = ResidentModels::default();
    let outcome = studio.run_batch(
        &store,
        &request,
        network_allowed,
        Writers::models(&mut resident.source(&studio), no_cache),
        &llm::CancelToken::new(),
        &mut print_progress,
    )?;
    let outline = match (&outcome.outline_model, outcome.resumed) {
        (_, true) => "outline from an earlier run".to_string(),
        (Some(model), false) => format!("outline by {model}"),
        (None, false) => "outline by the template generator".to_string(),
    };
    println!(
        "curriculum {}: {} lessons ({outline}), {} tutorials written ({} by a model), {} already done",
        outcome.curriculum_id,
        outcome.lessons,
        outcome.tutorials_written,
        outcome.tutorials_by_model,
        outcome.lessons_skipped
    );
    Ok(ExitCode::SUCCESS)
}

/// A step of writing a curriculum, on standard error, a line each.
pub(crate) fn print_progress(progress: &BatchProgress) {
    eprintln!(
        "[{}/{}] {}",
        progress.done, progress.total, progress.message
    );
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;

    use super::*;
    use crate::{Command, parse};

    #[test]
    fn a_bare_batch_is_four_beginner_weeks_in_c() {
        assert_eq!(
            parse(&["batch"]).unwrap(),
            Some(Command::Batch(BatchArgs {
                key: "C".into(),
                level: Level::Beginner,
                weeks: 4,
                instrument: "piano".into(),
                goal: None,
                resume: None,
                no_cache: false,
            }))
        );
    }

    #[test]
    fn weeks_run_from_one_to_two_years() {
        for weeks in ["1", "104"] {
            assert!(parse(&["batch", "--weeks", weeks]).is_ok(), "{weeks}");
        }
        for weeks in ["0", "105"] {
            let error = parse(&["batch", "--weeks", weeks]).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ValueValidation, "{weeks}");
        }
    }
}
