//! The commands the window may invoke. Each calls one Studio method, which checks the
//! input, and turns errors into the sentence the window shows. This file is long because it
//! is the one list of the window's commands: build.rs grants exactly the ones defined here
//! and the bindings test writes the window's TypeScript from their signatures.

use std::path::PathBuf;
use std::str::FromStr;

use tauri::State;
use tauri::ipc::Channel;

use super::AppState;
use super::views::{
    AppInfo, CoachAnswer, CoachStatus, CreatedCurriculum, DeviceView, DownloadOutcome, JobProgress,
    ModelView, SettingsView, WritingProgress,
};
use cadence::coach::{CoachContext, CoachError, CoachRequest, CoachTurn};
use cadence::commissions::{BatchRequest, TutorialRequest};
use cadence::content::Level;
use cadence::generate::Progress;
use cadence::library::{
    CreatedTutorial, CurriculumDetail, CurriculumListItem, CurriculumTextsEdit, DeletedTutorial,
    DocumentVersion, EditOutcome, EditTarget, EditedCurriculum, ExportedFile, ImportedDocument,
    LessonPlace, MovedLesson, OpenedTutorial, TrashedCurriculumItem, TutorialListItem,
};
use cadence::limits::short_field;
use cadence::materials::{CreatedMaterial, MaterialListItem, MaterialRequest, OpenedMaterial};
use cadence::models::{DownloadError, DownloadProgress};
use cadence::planning::{CreateKind, GenerationPlan};
use cadence::practice::assessment::AssessmentScore;
use cadence::practice::midi::KeyEvent;
use cadence::practice::{
    AnswerResult, Assignable, Assigned, PracticeItemView, StudentProgress, StudentView,
};
use cadence::providers::keychain::{self, KeyStatus};
use cadence::settings::Settings;
use cadence::sources::Writers;
use cadence::usage::{BudgetStatus, UsageReport};

type CommandResult<T> = Result<T, String>;

/// Now, in Unix seconds: practice is scheduled by the clock of the machine it runs on.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64)
}

fn message(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Off the main thread: it starts the GPU to say where models will run.
#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_folder: state.studio.paths().home().display().to_string(),
        catalog: state.studio.catalog().source.clone(),
        device: DeviceView::probe(state.studio.device_choice()),
    }
}

#[tauri::command]
pub fn list_models(state: State<'_, AppState>) -> Vec<ModelView> {
    let resident = state.resident_model();
    state
        .studio
        .models()
        .into_iter()
        .map(|model| {
            let mut view = ModelView::from(model);
            view.resident = resident.contains(&view.id);
            view
        })
        .collect()
}

/// Downloads a local model, streaming progress; `cancel_download` pauses it.
#[tauri::command(async)]
pub fn download_model(
    state: State<'_, AppState>,
    id: String,
    on_progress: Channel<DownloadProgress>,
) -> CommandResult<DownloadOutcome> {
    // The id keys the download in progress before the Studio looks it up.
    let id = short_field("model id", &id).map_err(message)?;
    let slot = state.start_download(&id)?;
    let result = state
        .studio
        .download_model(&id, &slot.cancel, &mut |progress| {
            // A closed window drops the channel; the download goes on and is installed.
            let _ = on_progress.send(progress.clone());
        });
    match result {
        Ok(_) => Ok(DownloadOutcome::Installed),
        Err(DownloadError::Cancelled { done, total }) => {
            Ok(DownloadOutcome::Paused { done, total })
        }
        Err(error) => Err(message(error)),
    }
}

#[tauri::command]
pub fn cancel_download(state: State<'_, AppState>, id: String) {
    state.cancel_download(&id);
}

#[tauri::command]
pub fn plan_generation(
    state: State<'_, AppState>,
    kind: CreateKind,
) -> CommandResult<GenerationPlan> {
    let settings = state.studio.settings().map_err(message)?;
    state
        .studio
        .plan_now(state.store()?, kind, settings.network_allowed)
        .map_err(message)
}

/// Writes a tutorial, streaming its steps; `afresh` asks the model again even where the
/// response cache holds its answer (Regenerate).
#[tauri::command(async)]
pub fn create_tutorial(
    state: State<'_, AppState>,
    topic: String,
    key: String,
    level: String,
    instrument: String,
    afresh: bool,
    on_progress: Channel<WritingProgress>,
) -> CommandResult<CreatedTutorial> {
    let request = TutorialRequest {
        topic,
        key,
        level: Level::from_str(&level).map_err(message)?,
        instrument,
    };
    let store = state.store()?;
    let cancel = state.job.fresh();
    let generated = state
        .with_models(|models| {
            state.studio.create_tutorial(
                store,
                &request,
                Writers::models(models, afresh),
                &cancel,
                &mut writing_to(&on_progress),
            )
        })
        .map_err(message)?;
    Ok(CreatedTutorial::from(&generated))
}

/// Sends a generation's steps and text to the window. A closed window drops the channel;
/// the work is still finished and stored.
fn writing_to(channel: &Channel<WritingProgress>) -> impl FnMut(Progress) + '_ {
    |progress| {
        let event = match progress {
            Progress::Delta { text } => WritingProgress::Delta { text },
            step => WritingProgress::Step {
                message: step.describe().unwrap_or_default(),
            },
        };
        let _ = channel.send(event);
    }
}

/// Makes an exercise, theory analysis, assessment or lesson-plan part, streaming its steps.
/// `afresh` asks the model again even where the response cache holds its answer (Regenerate).
#[tauri::command(async)]
pub fn create_material(
    state: State<'_, AppState>,
    request: MaterialRequest,
    afresh: bool,
    on_progress: Channel<WritingProgress>,
) -> CommandResult<CreatedMaterial> {
    let store = state.store()?;
    let cancel = state.job.fresh();
    state
        .with_models(|models| {
            state.studio.create_material(
                store,
                &request,
                Writers::models(models, afresh),
                &cancel,
                &mut writing_to(&on_progress),
            )
        })
        .map_err(message)
}

#[tauri::command]
pub fn list_materials(
    state: State<'_, AppState>,
    query: String,
) -> CommandResult<Vec<MaterialListItem>> {
    state
        .studio
        .list_materials(state.store()?, &query)
        .map_err(message)
}

#[tauri::command]
pub fn open_material(state: State<'_, AppState>, id: i64) -> CommandResult<OpenedMaterial> {
    state
        .studio
        .open_material(state.store()?, id)
        .map_err(message)
}

#[tauri::command]
pub fn rename_material(state: State<'_, AppState>, id: i64, title: String) -> CommandResult<()> {
    state
        .studio
        .rename_material(state.store()?, id, &title)
        .map_err(message)
}

#[tauri::command]
pub fn delete_material(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state
        .studio
        .delete_material(state.store()?, id)
        .map_err(message)
}

/// Writes a material to `path`: JSON, MIDI for an exercise, RomanText for an analysis.
#[tauri::command(async)]
pub fn export_material(
    state: State<'_, AppState>,
    id: i64,
    path: String,
) -> CommandResult<ExportedFile> {
    let path = PathBuf::from(path);
    state
        .studio
        .export_material_file(state.store()?, id, &path)
        .map_err(message)
}

/// Brings a published analysis (a RomanText file) into the library as a theory analysis,
/// all of it or the measures asked for (`"1-16"`).
#[tauri::command(async)]
pub fn import_romantext(
    state: State<'_, AppState>,
    path: String,
    measures: Option<String>,
) -> CommandResult<CreatedMaterial> {
    state
        .studio
        .import_romantext(state.store()?, &PathBuf::from(path), measures.as_deref())
        .map_err(message)
}

/// Brings a JSON document exported from Cadence (any kind) into the library, checked as
/// untrusted input before anything is stored.
#[tauri::command(async)]
pub fn import_document(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<ImportedDocument> {
    state
        .studio
        .import_document_file(state.store()?, &PathBuf::from(path))
        .map_err(message)
}

#[tauri::command(async)]
pub fn create_curriculum(
    state: State<'_, AppState>,
    key: String,
    level: String,
    weeks: u32,
    instrument: String,
    goal: String,
    on_progress: Channel<JobProgress>,
) -> CommandResult<CreatedCurriculum> {
    let level = Level::from_str(&level).map_err(message)?;
    let store = state.store()?;
    let settings = state.studio.settings().map_err(message)?;
    let cancel = state.job.fresh();
    let request = BatchRequest {
        instrument,
        goal: Some(goal),
        ..BatchRequest::new(key, level, weeks)
    };
    let outcome = state
        .with_models(|models| {
            state.studio.run_batch(
                store,
                &request,
                settings.network_allowed,
                Writers::Models(models),
                &cancel,
                &mut |progress| {
                    // A closed window drops the channel; the job still finishes and is stored.
                    let _ = on_progress.send(progress.into());
                },
            )
        })
        .map_err(message)?;
    Ok(outcome.into())
}

/// Writes the tutorial of every lesson of a curriculum that has none (an imported
/// curriculum's, or an interrupted batch's), streaming progress; `cancel_generation` stops it
/// with the lessons written so far kept.
#[tauri::command(async)]
pub fn finish_curriculum(
    state: State<'_, AppState>,
    id: i64,
    on_progress: Channel<JobProgress>,
) -> CommandResult<CreatedCurriculum> {
    let store = state.store()?;
    let settings = state.studio.settings().map_err(message)?;
    let cancel = state.job.fresh();
    let outcome = state
        .with_models(|models| {
            state.studio.finish_curriculum(
                store,
                id,
                settings.network_allowed,
                Writers::Models(models),
                &cancel,
                &mut |progress| {
                    let _ = on_progress.send(progress.into());
                },
            )
        })
        .map_err(message)?;
    Ok(outcome.into())
}

#[tauri::command]
pub fn cancel_generation(state: State<'_, AppState>) {
    state.job.cancel();
}

#[tauri::command]
pub fn coach_status(state: State<'_, AppState>) -> CommandResult<CoachStatus> {
    let settings = state.studio.settings().map_err(message)?;
    let route = state
        .studio
        .coach_route(state.store()?, settings.network_allowed)
        .map_err(message)?;
    Ok(match route.candidates.first() {
        Some(candidate) => CoachStatus {
            model: Some(candidate.model.clone()),
            reason: candidate.reason.clone(),
        },
        None => CoachStatus {
            model: None,
            reason: CoachError::NoModel {
                skipped: route.skipped,
            }
            .to_string(),
        },
    })
}

#[tauri::command(async)]
pub fn ask_coach(
    state: State<'_, AppState>,
    history: Vec<CoachTurn>,
    question: String,
    level: String,
    instrument: String,
    tutorial_id: Option<i64>,
    on_delta: Channel<String>,
) -> CommandResult<CoachAnswer> {
    let request = CoachRequest {
        context: CoachContext {
            instrument,
            level: Level::from_str(&level).map_err(message)?,
            recent_results: Vec::new(),
            tutorial_id,
        },
        history,
        question,
    };
    let store = state.store()?;
    let settings = state.studio.settings().map_err(message)?;
    let cancel = state.coach.fresh();
    let reply = state
        .with_models(|models| {
            state.studio.coach(
                store,
                &request,
                settings.network_allowed,
                models,
                &cancel,
                // A closed window drops the channel; the answer is still returned.
                &mut |delta| {
                    let _ = on_delta.send(delta.to_string());
                },
            )
        })
        .map_err(message)?;
    Ok(CoachAnswer {
        text: reply.text,
        model: reply.model,
        dropped_turns: reply.dropped_turns as u32,
        fallbacks: reply.fallbacks,
    })
}

#[tauri::command]
pub fn cancel_coach(state: State<'_, AppState>) {
    state.coach.cancel();
}

#[tauri::command]
pub fn list_tutorials(
    state: State<'_, AppState>,
    query: String,
) -> CommandResult<Vec<TutorialListItem>> {
    state
        .studio
        .list_tutorials(state.store()?, &query)
        .map_err(message)
}

#[tauri::command]
pub fn open_tutorial(state: State<'_, AppState>, id: i64) -> CommandResult<OpenedTutorial> {
    state
        .studio
        .open_tutorial(state.store()?, id)
        .map_err(message)
}

#[tauri::command]
pub fn rename_tutorial(state: State<'_, AppState>, id: i64, title: String) -> CommandResult<()> {
    state
        .studio
        .rename_tutorial(state.store()?, id, &title)
        .map_err(message)
}

#[tauri::command]
pub fn delete_tutorial(state: State<'_, AppState>, id: i64) -> CommandResult<DeletedTutorial> {
    state
        .studio
        .delete_tutorial(state.store()?, id)
        .map_err(message)
}

#[tauri::command]
pub fn restore_tutorial(
    state: State<'_, AppState>,
    deleted: DeletedTutorial,
) -> CommandResult<i64> {
    state
        .studio
        .restore_tutorial(state.store()?, &deleted)
        .map_err(message)
}

#[tauri::command]
pub fn list_curricula(state: State<'_, AppState>) -> CommandResult<Vec<CurriculumListItem>> {
    state.studio.list_curricula(state.store()?).map_err(message)
}

#[tauri::command]
pub fn open_curriculum(state: State<'_, AppState>, id: i64) -> CommandResult<CurriculumDetail> {
    state
        .studio
        .open_curriculum(state.store()?, id)
        .map_err(message)
}

/// Saves an edit of a stored tutorial or material, or says field by field why not.
#[tauri::command(async)]
pub fn edit_document(
    state: State<'_, AppState>,
    target: EditTarget,
    id: i64,
    document: serde_json::Value,
) -> CommandResult<EditOutcome> {
    state
        .studio
        .edit_document(state.store()?, target, id, document)
        .map_err(message)
}

#[tauri::command]
pub fn document_history(
    state: State<'_, AppState>,
    target: EditTarget,
    id: i64,
) -> CommandResult<Vec<DocumentVersion>> {
    state
        .studio
        .document_history(state.store()?, target, id)
        .map_err(message)
}

/// Undoes the latest edit of a document.
#[tauri::command(async)]
pub fn undo_edit(
    state: State<'_, AppState>,
    target: EditTarget,
    id: i64,
) -> CommandResult<EditOutcome> {
    state
        .studio
        .undo_edit(state.store()?, target, id)
        .map_err(message)
}

/// Opens the system's print dialog for the window as it is laid out now: the window shows
/// its print layout first.
#[tauri::command]
pub fn print_page(window: tauri::WebviewWindow) -> CommandResult<()> {
    window.print().map_err(message)
}

#[tauri::command]
pub fn rename_curriculum(state: State<'_, AppState>, id: i64, title: String) -> CommandResult<()> {
    state
        .studio
        .rename_curriculum(state.store()?, id, &title)
        .map_err(message)
}

/// Moves a curriculum to the trash; `restore_curriculum` undoes it.
#[tauri::command]
pub fn delete_curriculum(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state
        .studio
        .delete_curriculum(state.store()?, id)
        .map_err(message)
}

#[tauri::command]
pub fn restore_curriculum(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state
        .studio
        .restore_curriculum(state.store()?, id)
        .map_err(message)
}

/// Rewrites a curriculum's title, description and module and lesson titles; the result
/// carries the words it had, to undo with.
#[tauri::command]
pub fn edit_curriculum_texts(
    state: State<'_, AppState>,
    id: i64,
    texts: CurriculumTextsEdit,
) -> CommandResult<EditedCurriculum> {
    state
        .studio
        .edit_curriculum_texts(state.store()?, id, &texts)
        .map_err(message)
}

/// The deleted curricula that can still be restored.
#[tauri::command]
pub fn trashed_curricula(state: State<'_, AppState>) -> CommandResult<Vec<TrashedCurriculumItem>> {
    state
        .studio
        .trashed_curricula(state.store()?)
        .map_err(message)
}

/// Moves a lesson within its curriculum and returns the curriculum as it now reads.
#[tauri::command]
pub fn move_lesson(
    state: State<'_, AppState>,
    id: i64,
    lesson: i64,
    to: LessonPlace,
) -> CommandResult<MovedLesson> {
    state
        .studio
        .move_lesson(state.store()?, id, lesson, to)
        .map_err(message)
}

/// Writes a tutorial to `path` (from the save dialog, or typed): JSON or MIDI by extension.
#[tauri::command(async)]
pub fn export_tutorial(
    state: State<'_, AppState>,
    id: i64,
    path: String,
    tempo_bpm: u32,
) -> CommandResult<ExportedFile> {
    let path = PathBuf::from(path);
    state
        .studio
        .export_tutorial_file(state.store()?, id, &path, tempo_bpm)
        .map_err(message)
}

/// Writes a curriculum to `path` as JSON.
#[tauri::command(async)]
pub fn export_curriculum(
    state: State<'_, AppState>,
    id: i64,
    path: String,
) -> CommandResult<ExportedFile> {
    let path = PathBuf::from(path);
    state
        .studio
        .export_curriculum_file(state.store()?, id, &path)
        .map_err(message)
}

fn settings_view(state: &AppState, settings: Settings) -> SettingsView {
    SettingsView {
        settings,
        file: state.studio.settings_file().display().to_string(),
        default_models_folder: state.studio.paths().models_dir().display().to_string(),
        gemini_key: keychain::status(),
        gemini_key_in_environment: std::env::var(cadence::GEMINI_KEY_ENV)
            .is_ok_and(|key| !key.trim().is_empty()),
    }
}

#[tauri::command(async)]
pub fn get_settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    let settings = state.studio.settings().map_err(message)?;
    Ok(settings_view(&state, settings))
}

#[tauri::command(async)]
pub fn save_settings(
    state: State<'_, AppState>,
    settings: Settings,
) -> CommandResult<SettingsView> {
    state.studio.save_settings(&settings).map_err(message)?;
    Ok(settings_view(&state, settings))
}

#[tauri::command(async)]
pub fn set_gemini_key(key: String) -> CommandResult<KeyStatus> {
    keychain::store(&key)?;
    Ok(keychain::status())
}

#[tauri::command(async)]
pub fn forget_gemini_key() -> CommandResult<KeyStatus> {
    keychain::forget()?;
    Ok(keychain::status())
}

/// The usage report for a month written "YYYY-MM"; this month without one.
#[tauri::command]
pub fn usage_report(
    state: State<'_, AppState>,
    month: Option<String>,
) -> CommandResult<UsageReport> {
    state
        .studio
        .usage(state.store()?, month.as_deref())
        .map_err(message)
}

/// This month's spending against the budget, with the warning the window shows from 80%.
#[tauri::command]
pub fn budget_status(state: State<'_, AppState>) -> CommandResult<BudgetStatus> {
    state.studio.budget_status(state.store()?).map_err(message)
}

#[tauri::command]
pub fn list_students(state: State<'_, AppState>) -> CommandResult<Vec<StudentView>> {
    state.studio.list_students(state.store()?).map_err(message)
}

#[tauri::command]
pub fn add_student(
    state: State<'_, AppState>,
    name: String,
    level: String,
    instrument: String,
) -> CommandResult<StudentView> {
    state
        .studio
        .add_student(state.store()?, &name, &level, &instrument)
        .map_err(message)
}

/// Assigns a tutorial or a curriculum to a student and draws its practice items.
#[tauri::command]
pub fn assign_practice(
    state: State<'_, AppState>,
    student: i64,
    what: Assignable,
    pass_threshold: Option<f64>,
) -> CommandResult<Assigned> {
    state
        .studio
        .assign(state.store()?, student, what, pass_threshold, now())
        .map_err(message)
}

#[tauri::command]
pub fn practice_today(
    state: State<'_, AppState>,
    student: i64,
) -> CommandResult<Vec<PracticeItemView>> {
    state
        .studio
        .practice_today(state.store()?, student, now())
        .map_err(message)
}

/// Scores an answer with the theory engine and schedules the item again.
#[tauri::command]
pub fn answer_practice(
    state: State<'_, AppState>,
    student: i64,
    item: i64,
    answer: String,
) -> CommandResult<AnswerResult> {
    state
        .studio
        .answer_item(state.store()?, student, item, &answer, now())
        .map_err(message)
}

/// Answers an item by the keys played on the on-screen or a MIDI keyboard.
#[tauri::command]
pub fn answer_played(
    state: State<'_, AppState>,
    student: i64,
    item: i64,
    keys: Vec<u8>,
) -> CommandResult<AnswerResult> {
    state
        .studio
        .answer_played(state.store()?, student, item, &keys, now())
        .map_err(message)
}

/// A student takes an assessment; each answer is judged by the theory engine.
#[tauri::command]
pub fn take_assessment(
    state: State<'_, AppState>,
    material: i64,
    student: i64,
    answers: Vec<String>,
) -> CommandResult<AssessmentScore> {
    state
        .studio
        .take_assessment(state.store()?, material, student, &answers, now())
        .map_err(message)
}

/// The MIDI keyboards connected; an error says why none can be listed.
#[tauri::command]
pub fn midi_inputs() -> CommandResult<Vec<String>> {
    super::midi::inputs()
}

/// Listens to the MIDI input called `name`, sending each key pressed or released.
#[tauri::command]
pub fn listen_midi(
    state: State<'_, AppState>,
    name: String,
    on_key: Channel<KeyEvent>,
) -> CommandResult<()> {
    state.midi.listen(&name, on_key)
}

#[tauri::command]
pub fn stop_midi(state: State<'_, AppState>) {
    state.midi.stop();
}

/// A student's progress; days are counted in the window's time zone, `utc_offset_minutes`
/// east of UTC.
#[tauri::command]
pub fn student_progress(
    state: State<'_, AppState>,
    student: i64,
    utc_offset_minutes: i64,
) -> CommandResult<StudentProgress> {
    let utc_offset = cadence::limits::utc_offset_seconds(utc_offset_minutes).map_err(message)?;
    state
        .studio
        .student_progress(state.store()?, student, now(), utc_offset)
        .map_err(message)
}

#[tauri::command(async)]
pub fn export_student_record(
    state: State<'_, AppState>,
    student: i64,
    path: String,
) -> CommandResult<ExportedFile> {
    state
        .studio
        .export_student_record_file(state.store()?, student, &PathBuf::from(path), now())
        .map_err(message)
}
