//! What the commands that route a task to a model (tutorial, the materials, coach, batch)
//! share.

use cadence::Studio;
use cadence::catalog::TaskKind;
use cadence::generate::Progress;
use cadence::sources::{InstalledModels, Writers};

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

/// Who writes a document: the template generator alone when `template_only`, otherwise
/// the installed models, after a warning when the first one `task` routes to cannot start.
pub(crate) fn writers<'a>(
    studio: &Studio,
    installed: &'a mut InstalledModels<'_>,
    task: TaskKind,
    template_only: bool,
) -> Writers<'a> {
    if template_only {
        return Writers::TemplateOnly;
    }
    warn_if_model_cannot_start(studio, task, network_allowed(studio));
    Writers::Models(installed)
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
