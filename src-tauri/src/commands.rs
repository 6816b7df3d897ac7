//! The commands the window may invoke. Each checks its input, calls one Studio method and
//! turns errors into the sentence the window shows.

use std::path::PathBuf;
use std::str::FromStr;

use serde::Serialize;
use tauri::State;
use tauri::ipc::Channel;
use ts_rs::TS;

use super::AppState;
use super::keychain::{self, KeyStatus};
use cadence::ModelStatus;
use cadence::coach::{CoachContext, CoachError, CoachRequest, CoachTurn};
use cadence::commissions::{BatchRequest, TutorialRequest};
use cadence::content::Level;
use cadence::generate::Progress;
use cadence::library::{
    CreatedTutorial, CurriculumDetail, CurriculumListItem, DeletedTutorial, ExportedFile,
    OpenedTutorial, TutorialListItem,
};
use cadence::materials::{CreatedMaterial, MaterialListItem, MaterialRequest, OpenedMaterial};
use cadence::models::{DownloadError, DownloadProgress};
use cadence::planning::{CreateKind, GenerationPlan};
use cadence::settings::Settings;
use cadence::usage::UsageReport;

type CommandResult<T> = Result<T, String>;

fn message(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Longest topic or key the Create form sends; the template generator knows short names.
const MAX_FIELD_CHARS: usize = 64;

fn short_field<'a>(what: &str, value: &'a str) -> CommandResult<&'a str> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > MAX_FIELD_CHARS {
        return Err(format!(
            "the {what} must have 1 to {MAX_FIELD_CHARS} characters"
        ));
    }
    Ok(value)
}

fn positive_id(id: i64) -> CommandResult<i64> {
    if id < 1 {
        return Err(format!("{id} is not a library id"));
    }
    Ok(id)
}

/// What the window shows about this installation.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_folder: String,
    pub catalog: String,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_folder: state.studio.paths().home().display().to_string(),
        catalog: state.studio.catalog().source.clone(),
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

/// How a download ended, when it did not fail.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DownloadOutcome {
    Installed,
    /// Cancelled: the partial file is kept and the next download resumes it.
    Paused {
        #[ts(type = "number")]
        done: u64,
        #[ts(type = "number")]
        total: u64,
    },
}

/// Downloads a local model, streaming progress; `cancel_download` pauses it.
#[tauri::command(async)]
pub fn download_model(
    state: State<'_, AppState>,
    id: String,
    on_progress: Channel<DownloadProgress>,
) -> CommandResult<DownloadOutcome> {
    let id = short_field("model id", &id)?;
    let slot = state.start_download(id)?;
    let result = state
        .studio
        .download_model(id, &slot.cancel, &mut |progress| {
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
    Ok(state.studio.plan(kind, settings.network_allowed))
}

/// A tutorial being written, streamed to the window.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WritingProgress {
    /// A step of the job, in a sentence: the route, an attempt, a refusal, a fallback.
    Step { message: String },
    /// More of the answer being written.
    Delta { text: String },
}

#[tauri::command(async)]
pub fn create_tutorial(
    state: State<'_, AppState>,
    topic: String,
    key: String,
    level: String,
    instrument: String,
    on_progress: Channel<WritingProgress>,
) -> CommandResult<CreatedTutorial> {
    let request = TutorialRequest {
        topic: short_field("topic", &topic)?.to_string(),
        key: short_field("key", &key)?.to_string(),
        level: Level::from_str(&level).map_err(message)?,
        instrument: short_field("instrument", &instrument)?.to_string(),
    };
    let store = state.store()?;
    let cancel = state.job.fresh();
    state
        .with_models(|models| {
            state.studio.create_tutorial(
                store,
                &request,
                models,
                &cancel,
                &mut writing_to(&on_progress),
            )
        })
        .map_err(message)
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

/// Most standards one lesson-plan part may cite.
const MAX_STANDARDS: usize = 12;

/// The request with its text fields trimmed and bounded; the Studio checks the music.
fn bounded_request(request: MaterialRequest) -> CommandResult<MaterialRequest> {
    let field = |what: &str, value: &str| short_field(what, value).map(str::to_string);
    Ok(match request {
        MaterialRequest::Exercise {
            topic,
            key,
            level,
            instrument,
            exercise_kind,
        } => MaterialRequest::Exercise {
            topic: field("topic", &topic)?,
            key: field("key", &key)?,
            level,
            instrument: field("instrument", &instrument)?,
            exercise_kind,
        },
        MaterialRequest::TheoryAnalysis {
            topic,
            key,
            level,
            instrument,
        } => MaterialRequest::TheoryAnalysis {
            topic: field("topic", &topic)?,
            key: field("key", &key)?,
            level,
            instrument: field("instrument", &instrument)?,
        },
        MaterialRequest::Assessment {
            topic,
            key,
            level,
            instrument,
            assessment_kind,
        } => MaterialRequest::Assessment {
            topic: field("topic", &topic)?,
            key: field("key", &key)?,
            level,
            instrument: field("instrument", &instrument)?,
            assessment_kind,
        },
        MaterialRequest::LessonPlanPart {
            topic,
            grade,
            part,
            standards,
            instrument,
        } => {
            if standards.len() > MAX_STANDARDS {
                return Err(format!(
                    "a lesson-plan part cites at most {MAX_STANDARDS} standards; got {}",
                    standards.len()
                ));
            }
            MaterialRequest::LessonPlanPart {
                topic: field("topic", &topic)?,
                grade: field("grade", &grade)?,
                part: field("part", &part)?,
                standards: standards
                    .iter()
                    .map(|code| field("standard code", code))
                    .collect::<CommandResult<_>>()?,
                instrument: field("instrument", &instrument)?,
            }
        }
    })
}

/// Makes an exercise, theory analysis, assessment or lesson-plan part, streaming its steps.
#[tauri::command(async)]
pub fn create_material(
    state: State<'_, AppState>,
    request: MaterialRequest,
    on_progress: Channel<WritingProgress>,
) -> CommandResult<CreatedMaterial> {
    let request = bounded_request(request)?;
    let store = state.store()?;
    let cancel = state.job.fresh();
    state
        .with_models(|models| {
            state.studio.create_material(
                store,
                &request,
                models,
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
        .open_material(state.store()?, positive_id(id)?)
        .map_err(message)
}

#[tauri::command]
pub fn rename_material(state: State<'_, AppState>, id: i64, title: String) -> CommandResult<()> {
    state
        .studio
        .rename_material(state.store()?, positive_id(id)?, &title)
        .map_err(message)
}

#[tauri::command]
pub fn delete_material(state: State<'_, AppState>, id: i64) -> CommandResult<()> {
    state
        .studio
        .delete_material(state.store()?, positive_id(id)?)
        .map_err(message)
}

/// Writes a material to `path`: JSON, or MIDI for an exercise.
#[tauri::command(async)]
pub fn export_material(
    state: State<'_, AppState>,
    id: i64,
    path: String,
) -> CommandResult<ExportedFile> {
    let path = bounded_path(&path)?;
    state
        .studio
        .export_material_file(state.store()?, positive_id(id)?, &path)
        .map_err(message)
}

/// Progress of a long job, streamed to the window through a channel.
#[derive(Debug, Clone, Serialize, TS)]
pub struct JobProgress {
    pub done: u32,
    pub total: u32,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CreatedCurriculum {
    #[ts(type = "number")]
    pub id: i64,
    pub lessons: u32,
    pub tutorials_written: u32,
}

/// The longest goal a teacher may give a curriculum; the prompt carries it whole.
const MAX_GOAL_CHARS: usize = 200;

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
    let key = short_field("key", &key)?.to_string();
    let level = Level::from_str(&level).map_err(message)?;
    let instrument = short_field("instrument", &instrument)?.to_string();
    if goal.chars().count() > MAX_GOAL_CHARS {
        return Err(format!(
            "the goal is {} characters; say it in at most {MAX_GOAL_CHARS}",
            goal.chars().count()
        ));
    }
    let store = state.store()?;
    let settings = state.studio.settings().map_err(message)?;
    let cancel = state.job.fresh();
    let request = BatchRequest {
        instrument,
        goal: Some(goal).filter(|g| !g.trim().is_empty()),
        ..BatchRequest::new(key, level, weeks)
    };
    let outcome = state
        .with_models(|models| {
            state.studio.run_batch(
                store,
                &request,
                settings.network_allowed,
                models,
                &cancel,
                &mut |progress| {
                    // A closed window drops the channel; the job still finishes and is stored.
                    let _ = on_progress.send(JobProgress {
                        done: progress.done as u32,
                        total: progress.total as u32,
                        message: progress.message.clone(),
                    });
                },
            )
        })
        .map_err(message)?;
    Ok(CreatedCurriculum {
        id: outcome.curriculum_id,
        lessons: outcome.lessons as u32,
        tutorials_written: outcome.tutorials_written as u32,
    })
}

#[tauri::command]
pub fn cancel_generation(state: State<'_, AppState>) {
    state.job.cancel();
}

/// Who would answer the coach's questions now.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CoachStatus {
    /// The model that would answer; none when no model can run.
    pub model: Option<String>,
    /// Why that model, or, when there is none, what to do.
    pub reason: String,
}

#[tauri::command]
pub fn coach_status(state: State<'_, AppState>) -> CommandResult<CoachStatus> {
    let settings = state.studio.settings().map_err(message)?;
    let route = state.studio.coach_route(settings.network_allowed);
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

/// The coach's answer, as the window shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CoachAnswer {
    pub text: String,
    pub model: String,
    /// Earlier turns left out to fit the model's context.
    pub dropped_turns: u32,
    pub fallbacks: Vec<String>,
}

/// Most turns of a conversation the window may send, and the longest turn.
const MAX_COACH_TURNS: usize = 200;
const MAX_TURN_CHARS: usize = 8000;

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
    if history.len() > MAX_COACH_TURNS {
        return Err(format!(
            "the conversation has {} turns; the coach takes at most {MAX_COACH_TURNS}: start a new one",
            history.len()
        ));
    }
    if let Some(turn) = history
        .iter()
        .find(|turn| turn.text.chars().count() > MAX_TURN_CHARS)
    {
        return Err(format!(
            "a turn of the conversation is longer than {MAX_TURN_CHARS} characters: “{}…”",
            turn.text.chars().take(40).collect::<String>()
        ));
    }
    let request = CoachRequest {
        context: CoachContext {
            instrument: short_field("instrument", &instrument)?.to_string(),
            level: Level::from_str(&level).map_err(message)?,
            recent_results: Vec::new(),
            tutorial_id: tutorial_id.map(positive_id).transpose()?,
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
        .open_tutorial(state.store()?, positive_id(id)?)
        .map_err(message)
}

#[tauri::command]
pub fn rename_tutorial(state: State<'_, AppState>, id: i64, title: String) -> CommandResult<()> {
    state
        .studio
        .rename_tutorial(state.store()?, positive_id(id)?, &title)
        .map_err(message)
}

#[tauri::command]
pub fn delete_tutorial(state: State<'_, AppState>, id: i64) -> CommandResult<DeletedTutorial> {
    state
        .studio
        .delete_tutorial(state.store()?, positive_id(id)?)
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
        .open_curriculum(state.store()?, positive_id(id)?)
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
    let path = bounded_path(&path)?;
    state
        .studio
        .export_tutorial_file(state.store()?, positive_id(id)?, &path, tempo_bpm)
        .map_err(message)
}

/// Writes a curriculum to `path` as JSON.
#[tauri::command(async)]
pub fn export_curriculum(
    state: State<'_, AppState>,
    id: i64,
    path: String,
) -> CommandResult<ExportedFile> {
    let path = bounded_path(&path)?;
    state
        .studio
        .export_curriculum_file(state.store()?, positive_id(id)?, &path)
        .map_err(message)
}

fn bounded_path(path: &str) -> CommandResult<PathBuf> {
    if path.chars().count() > 4096 {
        return Err("the path is too long".into());
    }
    Ok(PathBuf::from(path))
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SettingsView {
    pub settings: Settings,
    /// Where the settings are saved.
    pub file: String,
    /// The models folder in force when the setting is empty.
    pub default_models_folder: String,
    pub gemini_key: KeyStatus,
    /// Whether GEMINI_API_KEY is set in the environment (it overrides the keychain).
    pub gemini_key_in_environment: bool,
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

#[tauri::command]
pub fn usage_report(state: State<'_, AppState>, since: i64) -> CommandResult<UsageReport> {
    state.studio.usage(state.store()?, since).map_err(message)
}

/// A catalogue model as the Models screen shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ModelView {
    pub id: String,
    pub name: String,
    /// "local" or "cloud".
    pub kind: String,
    pub tiers: Vec<String>,
    #[ts(type = "number | null")]
    pub download_bytes: Option<u64>,
    #[ts(type = "number | null")]
    pub memory_mb: Option<u64>,
    /// Whether `memory_mb` was planned from the model's own GGUF (else it is models.toml's
    /// estimate).
    pub memory_planned: bool,
    /// This machine's memory, to hold the model's figure against.
    #[ts(type = "number | null")]
    pub machine_memory_mb: Option<u64>,
    pub availability: AvailabilityView,
    /// Whether the model is loaded in memory now, kept from an earlier request.
    pub resident: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AvailabilityView {
    Installed {
        path: String,
    },
    NotInstalled,
    Partial {
        #[ts(type = "number")]
        bytes: u64,
    },
    WrongSize {
        #[ts(type = "number")]
        bytes: u64,
    },
    Enabled,
    Disabled {
        reason: String,
    },
}

impl From<ModelStatus> for ModelView {
    fn from(model: ModelStatus) -> Self {
        use cadence::Availability as A;
        let availability = match model.availability {
            A::Installed { path } => AvailabilityView::Installed {
                path: path.display().to_string(),
            },
            A::NotInstalled => AvailabilityView::NotInstalled,
            A::Partial { bytes } => AvailabilityView::Partial { bytes },
            A::WrongSize { bytes } => AvailabilityView::WrongSize { bytes },
            A::Enabled => AvailabilityView::Enabled,
            A::Disabled { reason } => AvailabilityView::Disabled { reason },
        };
        ModelView {
            id: model.id,
            name: model.name,
            kind: model.kind.to_string(),
            tiers: model.tiers,
            download_bytes: model.download_bytes,
            memory_mb: model.memory_mb,
            memory_planned: model.memory_planned,
            machine_memory_mb: model.machine_memory_mb,
            availability,
            resident: false,
        }
    }
}
