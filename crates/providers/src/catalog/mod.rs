//! models.toml → the typed catalogue: local models, the cloud model, tiers and task complexities.
//!
//! The file is checked as a whole at start-up. Every problem is reported with the file, the
//! line and what to change, because users are invited to edit it.
//!
//! The raw tables are checked in `check`, which turns each mistake into a located problem.

mod check;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use check::RawCatalog;

/// The catalogue shipped with Cadence, used when no user catalogue overrides it.
pub const BUILTIN_TOML: &str = include_str!("../../../../models.toml");
/// Name shown in errors about the built-in catalogue.
pub const BUILTIN_NAME: &str = "models.toml (built in)";

/// Complexity scale of tasks: 1 (trivial) to 10 (hardest).
pub const COMPLEXITY: RangeInclusive<u8> = 1..=10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    Llama,
    Phi3,
    Qwen2,
}

/// Every kind of work Cadence asks a model for; each has a complexity in models.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    CurriculumPlanning,
    TutorialGeneration,
    ExerciseGeneration,
    ProgressionGeneration,
    TheoryAnalysis,
    Coaching,
    ContentValidation,
    Assessments,
    Reharmonisation,
    LessonPlan,
    Activities,
    AssessmentStrategies,
    Differentiation,
    CrossCurricularConnections,
    ReflectionQuestions,
    ParentCommunication,
    TechnologyIntegration,
    CulturallyResponsiveTeaching,
}

impl TaskKind {
    pub const ALL: [TaskKind; 18] = [
        TaskKind::CurriculumPlanning,
        TaskKind::TutorialGeneration,
        TaskKind::ExerciseGeneration,
        TaskKind::ProgressionGeneration,
        TaskKind::TheoryAnalysis,
        TaskKind::Coaching,
        TaskKind::ContentValidation,
        TaskKind::Assessments,
        TaskKind::Reharmonisation,
        TaskKind::LessonPlan,
        TaskKind::Activities,
        TaskKind::AssessmentStrategies,
        TaskKind::Differentiation,
        TaskKind::CrossCurricularConnections,
        TaskKind::ReflectionQuestions,
        TaskKind::ParentCommunication,
        TaskKind::TechnologyIntegration,
        TaskKind::CulturallyResponsiveTeaching,
    ];

    /// The key this task has in models.toml's `[tasks]` table.
    pub fn key(self) -> &'static str {
        match self {
            TaskKind::CurriculumPlanning => "curriculum_planning",
            TaskKind::TutorialGeneration => "tutorial_generation",
            TaskKind::ExerciseGeneration => "exercise_generation",
            TaskKind::ProgressionGeneration => "progression_generation",
            TaskKind::TheoryAnalysis => "theory_analysis",
            TaskKind::Coaching => "coaching",
            TaskKind::ContentValidation => "content_validation",
            TaskKind::Assessments => "assessments",
            TaskKind::Reharmonisation => "reharmonisation",
            TaskKind::LessonPlan => "lesson_plan",
            TaskKind::Activities => "activities",
            TaskKind::AssessmentStrategies => "assessment_strategies",
            TaskKind::Differentiation => "differentiation",
            TaskKind::CrossCurricularConnections => "cross_curricular_connections",
            TaskKind::ReflectionQuestions => "reflection_questions",
            TaskKind::ParentCommunication => "parent_communication",
            TaskKind::TechnologyIntegration => "technology_integration",
            TaskKind::CulturallyResponsiveTeaching => "culturally_responsive_teaching",
        }
    }

    pub fn from_key(key: &str) -> Option<TaskKind> {
        TaskKind::ALL.into_iter().find(|task| task.key() == key)
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A file in a Hugging Face repository, pinned by revision, size and checksum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HfFile {
    pub repo: String,
    pub file: String,
    pub revision: String,
    pub size: u64,
    pub sha256: String,
}

/// Where a model's tokenizer comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TokenizerSource {
    /// Built from the vocabulary stored in the GGUF itself.
    Gguf,
    /// A `tokenizer.json` in a Hugging Face repository, pinned like the GGUF and
    /// downloaded with it.
    HuggingFace(HfFile),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalModel {
    pub id: String,
    pub name: String,
    pub architecture: Architecture,
    pub gguf: HfFile,
    pub tokenizer: TokenizerSource,
    /// models.toml's `chat_template`: a built-in name (`phi3`, `chatml`) or a Jinja
    /// template, used instead of the GGUF's own.
    pub chat_template: Option<String>,
    /// The context length Cadence uses, often far below what the GGUF allows.
    pub context_length: u32,
    pub stop: Vec<String>,
    /// The memory estimate shown before a download, in MB; once installed, the memory is
    /// planned from the GGUF (`models::plan`).
    pub memory_mb: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CloudModel {
    pub id: String,
    pub name: String,
    pub model: String,
    pub input_usd_per_million: f64,
    pub output_usd_per_million: f64,
    pub enabled: bool,
}

/// A server that speaks OpenAI's chat-completions API: Ollama, LM Studio or llama.cpp's
/// server on a desktop, vLLM on a GPU box.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerModel {
    pub id: String,
    pub name: String,
    /// Up to and including the API version: `http://host:port/v1`.
    pub base_url: String,
    /// The model name the server knows.
    pub model: String,
    pub context_length: u32,
    /// The environment variable holding the server's API key, if it wants one.
    pub api_key_env: Option<String>,
    pub input_usd_per_million: f64,
    pub output_usd_per_million: f64,
}

impl ServerModel {
    /// Whether the server runs on this machine: such a server is used offline too, while
    /// any other host counts as the network.
    pub fn is_loopback(&self) -> bool {
        is_loopback_url(&self.base_url)
    }
}

/// Whether an `http://` or `https://` URL names this machine (localhost, 127.0.0.0/8, ::1).
pub fn is_loopback_url(url: &str) -> bool {
    url_host(url).is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

/// The host of an `http://` or `https://` URL, without port or brackets' contents changed.
pub(crate) fn url_host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = if authority.starts_with('[') {
        &authority[..=authority.find(']')?]
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// Requests a provider takes at most, as models.toml sets them; `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RateLimits {
    pub per_minute: Option<u32>,
    pub per_day: Option<u32>,
}

/// What serves a tier: a local model, a server or the cloud model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TierTarget {
    Local(String),
    Server(String),
    Cloud(String),
}

impl TierTarget {
    /// The catalogue id of the model it names.
    pub fn model(&self) -> &str {
        match self {
            TierTarget::Local(id) | TierTarget::Server(id) | TierTarget::Cloud(id) => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tier {
    pub id: String,
    pub complexity: RangeInclusive<u8>,
    pub target: TierTarget,
    /// The local model that takes this tier's work when its target cannot run it.
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalog {
    /// Where the catalogue was read from, for messages.
    pub source: String,
    pub local: Vec<LocalModel>,
    pub cloud: Option<CloudModel>,
    pub servers: Vec<ServerModel>,
    pub tiers: Vec<Tier>,
    pub tasks: BTreeMap<TaskKind, u8>,
    /// Requests per minute and per day for the cloud model and each server, by id.
    pub rate_limits: BTreeMap<String, RateLimits>,
    /// How long an answer is served again from the response cache, per task; a task not
    /// listed is never cached.
    pub cache_ttl_days: BTreeMap<TaskKind, u32>,
}

impl Catalog {
    /// The catalogue shipped inside the binary.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::parse(BUILTIN_TOML, BUILTIN_NAME)
    }

    /// Reads and checks a models.toml file.
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Catalog::parse(&text, &path.display().to_string())
    }

    /// Parses and checks catalogue text; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Catalog, CatalogError> {
        let locate = |span: Option<Range<usize>>, message: String, hint: String| {
            let (line, column) = span.map_or((1, 1), |span| line_and_column(text, span.start));
            CatalogError::Invalid {
                file: source.to_string(),
                line,
                column,
                message,
                hint,
            }
        };
        let raw: RawCatalog = toml::from_str(text).map_err(|error| {
            let message = error.message().trim_end().to_string();
            let hint = hint_for_syntax(&message);
            locate(error.span(), message, hint)
        })?;
        raw.check()
            .map_err(|problem| locate(Some(problem.span), problem.message, problem.hint))
            .map(|mut catalog| {
                catalog.source = source.to_string();
                catalog
            })
    }

    pub fn local_model(&self, id: &str) -> Option<&LocalModel> {
        self.local.iter().find(|model| model.id == id)
    }

    pub fn server(&self, id: &str) -> Option<&ServerModel> {
        self.servers.iter().find(|server| server.id == id)
    }

    /// The request limits models.toml sets for a provider (none for local models).
    pub fn rate_limits(&self, id: &str) -> RateLimits {
        self.rate_limits.get(id).copied().unwrap_or_default()
    }

    /// Seconds an answer to `task` stays in the response cache; `None`: not cached.
    pub fn cache_ttl_seconds(&self, task: TaskKind) -> Option<i64> {
        self.cache_ttl_days
            .get(&task)
            .map(|days| i64::from(*days) * 86_400)
    }

    pub fn complexity(&self, task: TaskKind) -> u8 {
        // `check` guarantees every task has a complexity.
        self.tasks.get(&task).copied().unwrap_or(*COMPLEXITY.end())
    }

    /// The tier whose range holds this complexity (`check` guarantees there is one).
    pub fn tier_for_complexity(&self, complexity: u8) -> Option<&Tier> {
        self.tiers
            .iter()
            .find(|tier| tier.complexity.contains(&complexity))
    }

    pub fn tier_for_task(&self, task: TaskKind) -> Option<&Tier> {
        self.tier_for_complexity(self.complexity(task))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read the model catalogue {}: {source}; check the path in CADENCE_MODELS_TOML or remove the override", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}\n  fix: {hint}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
        hint: String,
    },
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |newline| newline + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

fn hint_for_syntax(message: &str) -> String {
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return match field {
            "sha256" => {
                "add `sha256 = \"<64 hex digits>\"`, the SHA-256 Hugging Face lists for the file"
                    .into()
            }
            "size" => "add `size = <bytes>`, the file's exact size in bytes".into(),
            _ => format!("add the `{field}` field to this table"),
        };
    }
    if message.starts_with("unknown variant") {
        return "use one of the values listed above".into();
    }
    if message.starts_with("unknown field") {
        return "remove or rename the field; the expected ones are listed above".into();
    }
    "correct the TOML syntax at this position".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_not_bytes() {
        let text = "a\n€b = 1\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 2), (2, 1));
        assert_eq!(line_and_column(text, 5), (2, 2));
    }

    #[test]
    fn loopback_servers_are_told_from_the_network() {
        let server = |base_url: &str| ServerModel {
            id: "s".into(),
            name: "s".into(),
            base_url: base_url.into(),
            model: "m".into(),
            context_length: 4096,
            api_key_env: None,
            input_usd_per_million: 0.0,
            output_usd_per_million: 0.0,
        };
        for local in [
            "http://127.0.0.1:8080/v1",
            "http://localhost:11434/v1",
            "https://127.1.2.3/v1",
            "http://[::1]:8000/v1",
            "http://user@localhost/v1",
        ] {
            assert!(server(local).is_loopback(), "{local}");
        }
        for remote in [
            "http://192.168.1.20:8080/v1",
            "https://gpu.school.example/v1",
            "http://localhost.example.com/v1",
            "http://127.0.0.1@evil.example/v1",
            "ftp://127.0.0.1/v1",
        ] {
            assert!(!server(remote).is_loopback(), "{remote}");
        }
    }

    #[test]
    fn every_task_key_round_trips() {
        for task in TaskKind::ALL {
            assert_eq!(TaskKind::from_key(task.key()), Some(task));
        }
        assert_eq!(TaskKind::from_key("cooking"), None);
    }
}
