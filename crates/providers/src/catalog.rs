//! models.toml → the typed catalogue: local models, the cloud model, tiers and task complexities.
//!
//! The file is checked as a whole at start-up. Every problem is reported with the file, the
//! line and what to change, because users are invited to edit it.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use cadence_llm::{BUILTIN_TEMPLATES, ChatTemplate};

/// The catalogue shipped with Cadence, used when no user catalogue overrides it.
pub const BUILTIN_TOML: &str = include_str!("../../../models.toml");
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

/// What serves a tier: a local model or the cloud model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TierTarget {
    Local(String),
    Cloud(String),
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
    pub tiers: Vec<Tier>,
    pub tasks: BTreeMap<TaskKind, u8>,
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

/// A semantic problem found after parsing, with the span it points at.
struct Problem {
    span: Range<usize>,
    message: String,
    hint: String,
}

fn problem(span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) -> Problem {
    Problem {
        span,
        message: message.into(),
        hint: hint.into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    local: Vec<RawLocalModel>,
    cloud: Option<RawCloud>,
    #[serde(default)]
    tiers: Vec<Spanned<RawTier>>,
    tasks: Spanned<BTreeMap<Spanned<String>, Spanned<i64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalModel {
    id: Spanned<String>,
    name: String,
    architecture: Architecture,
    chat_template: Option<Spanned<String>>,
    context_length: Spanned<u32>,
    stop: Spanned<Vec<String>>,
    memory_mb: u64,
    gguf: Spanned<HfFile>,
    tokenizer: Option<RawTokenizer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTokenizer {
    /// `"gguf"` or `"huggingface"`.
    source: Spanned<String>,
    repo: Option<String>,
    file: Option<String>,
    revision: Option<String>,
    size: Option<u64>,
    sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloud {
    gemini: Option<Spanned<RawCloudModel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloudModel {
    name: String,
    model: String,
    input_usd_per_million: f64,
    output_usd_per_million: f64,
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    id: String,
    complexity: Spanned<[i64; 2]>,
    model: Spanned<String>,
    fallback: Option<Spanned<String>>,
}

const GEMINI_ID: &str = "gemini";

impl RawCatalog {
    fn check(self) -> Result<Catalog, Problem> {
        let local = self
            .local
            .into_iter()
            .map(RawLocalModel::check)
            .collect::<Result<Vec<_>, _>>()?;
        let mut seen = HashSet::new();
        for model in &local {
            if !seen.insert(model.id.get_ref().as_str()) {
                return Err(problem(
                    model.id.span(),
                    format!("local model id `{}` is used twice", model.id.get_ref()),
                    "give each [[local]] model its own id",
                ));
            }
        }
        let local_ids: HashSet<String> = local.iter().map(|m| m.id.get_ref().clone()).collect();
        let cloud = self.cloud.and_then(|cloud| cloud.gemini).map(|gemini| {
            let gemini = gemini.into_inner();
            CloudModel {
                id: GEMINI_ID.into(),
                name: gemini.name,
                model: gemini.model,
                input_usd_per_million: gemini.input_usd_per_million,
                output_usd_per_million: gemini.output_usd_per_million,
                enabled: gemini.enabled,
            }
        });
        let tiers = check_tiers(self.tiers, &local_ids, cloud.is_some())?;
        let tasks = check_tasks(self.tasks, &tiers)?;
        Ok(Catalog {
            source: String::new(),
            local: local.into_iter().map(|m| m.model).collect(),
            cloud,
            tiers,
            tasks,
        })
    }
}

struct CheckedLocal {
    id: Spanned<String>,
    model: LocalModel,
}

impl RawLocalModel {
    fn check(self) -> Result<CheckedLocal, Problem> {
        let id = self.id.get_ref();
        let valid_id = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !valid_id {
            return Err(problem(
                self.id.span(),
                format!("model id `{id}` is not a valid id"),
                "use letters, digits, `-`, `.` and `_` only (it names the model's folder)",
            ));
        }
        let gguf_span = self.gguf.span();
        let gguf = self.gguf.into_inner();
        let sha_ok = gguf.sha256.len() == 64 && gguf.sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !sha_ok {
            return Err(problem(
                gguf_span,
                format!(
                    "sha256 of `{}` must be 64 hexadecimal digits, found `{}`",
                    gguf.file, gguf.sha256
                ),
                "copy the SHA-256 that Hugging Face lists for the file",
            ));
        }
        if gguf.size == 0 || !gguf.file.ends_with(".gguf") {
            return Err(problem(
                gguf_span,
                format!(
                    "`{}` ({} bytes) is not a usable GGUF file entry",
                    gguf.file, gguf.size
                ),
                "name a .gguf file and give its exact size in bytes",
            ));
        }
        let context = *self.context_length.get_ref();
        if !(512..=131_072).contains(&context) {
            return Err(problem(
                self.context_length.span(),
                format!("context_length {context} is out of range"),
                "use a context length between 512 and 131072 tokens (4096 suits most lessons)",
            ));
        }
        if self.stop.get_ref().is_empty() || self.stop.get_ref().iter().any(String::is_empty) {
            return Err(problem(
                self.stop.span(),
                "stop must list at least one non-empty end token",
                "list the model's end-of-turn tokens, e.g. stop = [\"<|im_end|>\"]",
            ));
        }
        let tokenizer = match self.tokenizer {
            Some(tokenizer) => tokenizer.check()?,
            None => TokenizerSource::Gguf,
        };
        let chat_template = match self.chat_template {
            Some(setting) if ChatTemplate::from_setting(setting.get_ref()).is_none() => {
                return Err(problem(
                    setting.span(),
                    format!(
                        "chat_template `{}` is neither a built-in template nor Jinja",
                        setting.get_ref()
                    ),
                    format!(
                        "use one of {} or a Jinja template, or remove it to use the GGUF's own",
                        BUILTIN_TEMPLATES.join(", ")
                    ),
                ));
            }
            setting => setting.map(Spanned::into_inner),
        };
        Ok(CheckedLocal {
            model: LocalModel {
                id: id.clone(),
                name: self.name,
                architecture: self.architecture,
                gguf,
                tokenizer,
                chat_template,
                context_length: context,
                stop: self.stop.into_inner(),
                memory_mb: self.memory_mb,
            },
            id: self.id,
        })
    }
}

impl RawTokenizer {
    fn check(self) -> Result<TokenizerSource, Problem> {
        match (
            self.source.get_ref().as_str(),
            self.repo,
            self.file,
            self.revision,
            self.size,
            self.sha256,
        ) {
            ("gguf", None, None, None, None, None) => Ok(TokenizerSource::Gguf),
            ("huggingface", Some(repo), Some(file), Some(revision), Some(size), Some(sha256))
                if size > 0
                    && sha256.len() == 64
                    && sha256.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Ok(TokenizerSource::HuggingFace(HfFile {
                    repo,
                    file,
                    revision,
                    size,
                    sha256,
                }))
            }
            ("gguf", ..) => Err(problem(
                self.source.span(),
                "a tokenizer read from the GGUF takes no repo, file, revision, size or sha256",
                "remove them, or set source = \"huggingface\"",
            )),
            ("huggingface", ..) => Err(problem(
                self.source.span(),
                "a Hugging Face tokenizer needs repo, file, revision, size and sha256",
                "add repo = \"owner/name\", file = \"tokenizer.json\", the revision, and the \
                 file's size in bytes and 64-digit SHA-256 (or remove [local.tokenizer] to use \
                 the GGUF's own vocabulary)",
            )),
            (other, ..) => Err(problem(
                self.source.span(),
                format!("unknown tokenizer source `{other}`"),
                "use source = \"gguf\" or source = \"huggingface\"",
            )),
        }
    }
}

fn check_tiers(
    raw: Vec<Spanned<RawTier>>,
    local_ids: &HashSet<String>,
    has_cloud: bool,
) -> Result<Vec<Tier>, Problem> {
    let mut tiers: Vec<(Range<usize>, Tier)> = Vec::with_capacity(raw.len());
    for spanned in raw {
        let tier_span = spanned.span();
        let tier = spanned.into_inner();
        let [low, high] = *tier.complexity.get_ref();
        let in_scale = |value: i64| u8::try_from(value).is_ok_and(|v| COMPLEXITY.contains(&v));
        if !(in_scale(low) && in_scale(high) && low <= high) {
            return Err(problem(
                tier.complexity.span(),
                format!("tier `{}` has complexity [{low}, {high}]", tier.id),
                "give [lowest, highest] with 1 ≤ lowest ≤ highest ≤ 10",
            ));
        }
        let (low, high) = (low as u8, high as u8);
        if let Some((_, other)) = tiers
            .iter()
            .find(|(_, other)| *other.complexity.start() <= high && low <= *other.complexity.end())
        {
            return Err(problem(
                tier.complexity.span(),
                format!(
                    "tier `{}` ({low}–{high}) overlaps tier `{}` ({}–{})",
                    tier.id,
                    other.id,
                    other.complexity.start(),
                    other.complexity.end()
                ),
                "make the tiers' complexity ranges disjoint so each complexity has one tier",
            ));
        }
        let model = tier.model.get_ref();
        let target = if local_ids.contains(model) {
            TierTarget::Local(model.clone())
        } else if model == GEMINI_ID && has_cloud {
            TierTarget::Cloud(model.clone())
        } else {
            return Err(problem(
                tier.model.span(),
                format!(
                    "tier `{}` names model `{model}`, which is not in the catalogue",
                    tier.id
                ),
                "name the id of a [[local]] model, or \"gemini\" with a [cloud.gemini] table",
            ));
        };
        let fallback = match tier.fallback {
            Some(fallback) if !local_ids.contains(fallback.get_ref()) => {
                return Err(problem(
                    fallback.span(),
                    format!("fallback `{}` is not a local model", fallback.get_ref()),
                    "name the id of a [[local]] model",
                ));
            }
            Some(fallback) => Some(fallback.into_inner()),
            None if matches!(target, TierTarget::Cloud(_)) => {
                return Err(problem(
                    tier_span,
                    format!("cloud tier `{}` has no local fallback", tier.id),
                    "add fallback = \"<local model id>\" for when the network is not allowed",
                ));
            }
            None => None,
        };
        tiers.push((
            tier_span,
            Tier {
                id: tier.id,
                complexity: low..=high,
                target,
                fallback,
            },
        ));
    }
    tiers.sort_by_key(|(_, tier)| *tier.complexity.start());
    Ok(tiers.into_iter().map(|(_, tier)| tier).collect())
}

type RawTasks = Spanned<BTreeMap<Spanned<String>, Spanned<i64>>>;

fn check_tasks(raw: RawTasks, tiers: &[Tier]) -> Result<BTreeMap<TaskKind, u8>, Problem> {
    let table_span = raw.span();
    let mut tasks = BTreeMap::new();
    for (key, value) in raw.into_inner() {
        let Some(task) = TaskKind::from_key(key.get_ref()) else {
            let known: Vec<_> = TaskKind::ALL.iter().map(|t| t.key()).collect();
            return Err(problem(
                key.span(),
                format!("unknown task `{}`", key.get_ref()),
                format!("use one of: {}", known.join(", ")),
            ));
        };
        let complexity = u8::try_from(*value.get_ref())
            .ok()
            .filter(|c| COMPLEXITY.contains(c))
            .ok_or_else(|| {
                problem(
                    value.span(),
                    format!("task `{task}` has complexity {}", value.get_ref()),
                    "use a whole number from 1 to 10",
                )
            })?;
        if !tiers
            .iter()
            .any(|tier| tier.complexity.contains(&complexity))
        {
            return Err(problem(
                value.span(),
                format!("task `{task}` has complexity {complexity}, which no tier covers"),
                "widen a [[tiers]] complexity range to include it, or change the task's complexity",
            ));
        }
        tasks.insert(task, complexity);
    }
    if let Some(missing) = TaskKind::ALL.iter().find(|task| !tasks.contains_key(task)) {
        return Err(problem(
            table_span,
            format!("task `{missing}` has no complexity"),
            format!("add `{missing} = <1-10>` to [tasks]"),
        ));
    }
    Ok(tasks)
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
    fn every_task_key_round_trips() {
        for task in TaskKind::ALL {
            assert_eq!(TaskKind::from_key(task.key()), Some(task));
        }
        assert_eq!(TaskKind::from_key("cooking"), None);
    }
}
