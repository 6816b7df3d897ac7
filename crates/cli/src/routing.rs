//! What the commands that route a task to a model (tutorial, the materials, coach, batch)
//! share.

use cadence::Studio;
use cadence::catalog::TaskKind;
use cadence::generate::Progress;
use cadence::sources::{InstalledModels, Writers};
use clap::Args;

/// Says on standard error, before the work starts, why the model `task` routes to first
/// cannot start (its memory will not fit), so the fallback that follows is no surprise.
pub(crate) fn warn_if_model_cannot_start(studio: &Studio, task: TaskKind, network_allowed: bool) {
    let route = cadence::router::route(
        studio.catalog(),
        task,
        &studio.availability(network_allowed),
    );
    if let Some(problem) = route
        .candidates
        .first()
        .and_then(|candidate| studio.cannot_start(&candidate.model))
    {
        eprintln!("warning: {problem}");
    }
}

/// Who may write a document, as the command line chooses.
#[derive(Args, Clone, Copy, Default)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(crate) struct WriterChoice {
    /// Use the template generator even when a model is installed.
    #[arg(long)]
    pub(crate) template: bool,
    /// Ask the model again even when the response cache holds its answer to the same
    /// request; the new answer replaces the cached one.
    #[arg(long, conflicts_with = "template")]
    pub(crate) no_cache: bool,
}

/// Who writes a document: the template generator alone when the choice says so, otherwise
/// the installed models, after a warning when the first one `task` routes to cannot start.
pub(crate) fn writers<'a>(
    studio: &Studio,
    installed: &'a mut InstalledModels<'_>,
    task: TaskKind,
    choice: WriterChoice,
) -> Writers<'a> {
    if choice.template {
        return Writers::TemplateOnly;
    }
    warn_if_model_cannot_start(studio, task, network_allowed(studio));
    Writers::models(installed, choice.no_cache)
}

/// Whether the settings allow the network; unreadable settings allow nothing.
pub(crate) fn network_allowed(studio: &Studio) -> bool {
    studio
        .settings()
        .map(|s| s.network_allowed)
        .unwrap_or(false)
}

/// Tells on standard error how a document is being written: each step on a line of its
/// own, and the model's text as a running count of characters.
#[derive(Default)]
pub(crate) struct Narration {
    /// Characters on the counter's line, which stays open until the next step.
    written: usize,
}

impl Narration {
    pub(crate) fn show(&mut self, progress: &Progress) {
        if let Progress::Delta { text } = progress {
            self.written += text.chars().count();
            eprint!("\r  {} characters", self.written);
        } else if let Some(line) = progress.describe() {
            self.end_counter();
            eprintln!("{line}");
        }
    }

    /// Ends the counter's line, so that what follows starts on a line of its own.
    pub(crate) fn end_counter(&mut self) {
        if std::mem::take(&mut self.written) > 0 {
            eprintln!();
        }
    }
}
