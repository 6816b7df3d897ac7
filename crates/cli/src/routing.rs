//! What the commands that route a task to a model (tutorial, coach, batch) share.

use cadence::Studio;
use cadence::catalog::TaskKind;

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

/// Whether the settings allow the network; unreadable settings allow nothing.
pub(crate) fn network_allowed(studio: &Studio) -> bool {
    studio
        .settings()
        .map(|s| s.network_allowed)
        .unwrap_or(false)
}
