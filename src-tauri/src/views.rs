//! What the commands hand the window: views of the Studio's results in the shapes the
//! window draws, each with its TypeScript type.

use serde::Serialize;
use ts_rs::TS;

use cadence::ModelStatus;
use cadence::batch::{BatchOutcome, BatchProgress};
use cadence::providers::keychain::KeyStatus;
use cadence::settings::Settings;

/// What the window shows about this installation.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_folder: String,
    pub catalog: String,
    pub device: DeviceView,
}

/// Where the local models run, and why not on the GPU when one was wanted.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DeviceView {
    /// `metal`, `cuda` or `cpu`; `none` when the chosen device cannot run models at all.
    pub device: String,
    pub notice: Option<String>,
}

impl DeviceView {
    /// Starts the GPU the device choice asks for, to say where models will run.
    pub fn probe(choice: Result<cadence::llm::DeviceChoice, cadence::llm::LlmError>) -> Self {
        match choice.and_then(cadence::llm::report_device) {
            Ok(report) => Self {
                device: report.device,
                notice: report.notice,
            },
            // The choice names a GPU this build or machine lacks, or no device at all: loading
            // a model would fail the same way, so say it now, with what to do.
            Err(error) => Self {
                device: "none".into(),
                notice: Some(format!("Models cannot run: {error}.")),
            },
        }
    }
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

/// A tutorial or material being written, streamed to the window.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum WritingProgress {
    /// A step of the job, in a sentence: the route, an attempt, a refusal, a fallback.
    Step { message: String },
    /// More of the answer being written.
    Delta { text: String },
}

/// Progress of a long job, streamed to the window through a channel.
#[derive(Debug, Clone, Serialize, TS)]
pub struct JobProgress {
    pub done: u32,
    pub total: u32,
    pub message: String,
}

impl From<&BatchProgress> for JobProgress {
    fn from(progress: &BatchProgress) -> Self {
        JobProgress {
            done: progress.done as u32,
            total: progress.total as u32,
            message: progress.message.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CreatedCurriculum {
    #[ts(type = "number")]
    pub id: i64,
    pub lessons: u32,
    pub tutorials_written: u32,
}

impl From<BatchOutcome> for CreatedCurriculum {
    fn from(outcome: BatchOutcome) -> Self {
        CreatedCurriculum {
            id: outcome.curriculum_id,
            lessons: outcome.lessons as u32,
            tutorials_written: outcome.tutorials_written as u32,
        }
    }
}

/// Who would answer the coach's questions now.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CoachStatus {
    /// The model that would answer; none when no model can run.
    pub model: Option<String>,
    /// Why that model, or, when there is none, what to do.
    pub reason: String,
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

/// A catalogue model as the Models screen shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ModelView {
    pub id: String,
    pub name: String,
    /// "local", "server" or "cloud".
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
    Damaged {
        path: String,
        problem: String,
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
            A::Damaged { path, problem } => AvailabilityView::Damaged {
                path: path.display().to_string(),
                problem,
            },
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
